import ChartCLIPFiles
import ChartCLIPSupport
import ChartCLIPTestSupport
import Foundation
import Testing

@Suite("HDF5 round trips")
struct HDF5RoundTripTests {
    @Test("every value type comes back exactly, with its shape")
    func everyType() throws {
        let folder = try Fixtures.temporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("all.h5")
        let floats: [Float] = (0..<24).map { Float($0) * 0.5 - 3 }
        let doubles: [Double] = [1e-300, -2.5, .pi]
        let int32s: [Int32] = [.min, -1, 0, .max]
        let int64s: [Int64] = [.min, 0, .max, 49407]
        try HDF5File.write(to: url) { file in
            try file.write(floats, shape: [2, 3, 4], to: "visual.blocks.3.attn.qkv.weight")
            try file.write(doubles, shape: [3], to: "stats/doubles")
            try file.write(int32s, shape: [2, 2], to: "stats/int32s")
            try file.write(int64s, shape: [4], to: "ids")
            try file.write([Float(4.6052)], shape: [], to: "logit_scale")
            try file.write([Float](), shape: [0, 5], to: "empty")
            try file.write(["charts/a.png", "charts/ü 🚀.png", ""], to: "paths")
            try file.write(["breakout", "trap"], to: "labels", layout: .variableLength)
            try file.write([String](), to: "no_strings")
        }
        let file = try HDF5File(reading: url)
        let qkv = try file.read("visual.blocks.3.attn.qkv.weight", as: Float.self)
        #expect(qkv == HDF5Array(values: floats, shape: [2, 3, 4]))
        #expect(try file.read("stats/doubles", as: Double.self).values == doubles)
        #expect(try file.read("/stats/int32s", as: Int32.self) == HDF5Array(values: int32s, shape: [2, 2]))
        #expect(try file.read("ids", as: Int64.self).values == int64s)
        #expect(try file.read("logit_scale", as: Float.self) == HDF5Array(values: [4.6052], shape: []))
        #expect(try file.read("empty", as: Float.self) == HDF5Array(values: [], shape: [0, 5]))
        #expect(try file.readStrings("paths") == ["charts/a.png", "charts/ü 🚀.png", ""])
        #expect(try file.readStrings("labels") == ["breakout", "trap"])
        #expect(try file.readStrings("no_strings") == [])
        #expect(try file.info("stats/int32s").valueType == .integer(bits: 32, signed: true))
    }

    @Test("attributes on the file, a group and a dataset")
    func attributes() throws {
        let folder = try Fixtures.temporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("attrs.h5")
        let config = #"{"embed_dim": 512, "vision_cfg": {"width": 768}}"#
        try HDF5File.write(to: url) { file in
            try file.write([Float](repeating: 1, count: 4), shape: [2, 2], to: "optimizer/adam_m/visual.proj")
            try file.setAttribute("format_version", .int(1))
            try file.setAttribute("config", .string(config))
            try file.setAttribute("step", .int(100))
            try file.setAttribute("step", .int(1200))  // replaced, not duplicated
            try file.setAttribute("learning_rate", .double(3e-4), on: "optimizer")
            try file.setAttribute("mean", .doubles([0.5, 0.25]), on: "optimizer/adam_m/visual.proj")
            try file.setAttribute("tags", .strings(["a", "bé"]), on: "optimizer/adam_m/visual.proj")
            try file.setAttribute("sizes", .ints([224, 16]), on: "optimizer/adam_m")
            // Over HDF5's 64 KB object-header message limit: goes to dense attribute storage.
            try file.setAttribute("training_state", .string(String(repeating: "{}", count: 50_000)), on: "optimizer")
        }
        let file = try HDF5File(reading: url)
        #expect(try file.attributes() == ["format_version": .int(1), "config": .string(config), "step": .int(1200)])
        #expect(try file.attribute("step")?.intValue == 1200)
        #expect(try file.attribute("missing") == nil)
        #expect(try file.attribute("learning_rate", of: "optimizer")?.doubleValue == 3e-4)
        #expect(try file.attribute("sizes", of: "optimizer/adam_m") == .ints([224, 16]))
        #expect(try file.attribute("training_state", of: "optimizer")?.stringValue?.utf8.count == 100_000)
        #expect(
            try file.attributes(of: "optimizer/adam_m/visual.proj")
                == ["mean": .doubles([0.5, 0.25]), "tags": .strings(["a", "bé"])])
    }

    @Test("listing is recursive, sorted, with shapes; children lists one level")
    func listing() throws {
        let folder = try Fixtures.temporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("list.h5")
        try HDF5File.write(to: url) { file in
            try file.write([Float](repeating: 0, count: 6), shape: [2, 3], to: "text.proj")
            try file.write([Float](repeating: 0, count: 2), shape: [2], to: "a/b/c.weight")
            try file.write(["x"], to: "a/names")
        }
        let file = try HDF5File(reading: url)
        let listed = try file.datasets()
        #expect(listed.map(\.path) == ["a/b/c.weight", "a/names", "text.proj"])
        #expect(listed.map(\.shape) == [[2], [1], [2, 3]])
        #expect(listed[1].valueType == .string)
        #expect(try file.datasets(under: "a/b").map(\.path) == ["a/b/c.weight"])
        #expect(try file.children() == ["a", "text.proj"])
        #expect(file.contains("a/b/c.weight"))
        #expect(!file.contains("a/x/y"))
    }

    @Test("strict reading lists every missing, unexpected and mis-shaped key in one error")
    func strictRead() throws {
        let folder = try Fixtures.temporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("ckpt.h5")
        try HDF5File.write(to: url) { file in
            try file.write([Float](repeating: 1, count: 6), shape: [2, 3], to: "visual.proj")
            try file.write([Float](repeating: 2, count: 4), shape: [4], to: "text.proj")
            try file.write([Float](repeating: 3, count: 1), shape: [], to: "extra.bias")
            try file.write([Float](repeating: 0, count: 6), shape: [2, 3], to: "optimizer/m/visual.proj")
        }
        let file = try HDF5File(reading: url)
        let good = try file.readFloatArrays(
            expected: ["visual.proj": [2, 3], "text.proj": [4]], ignoring: ["extra.bias"])
        #expect(good["visual.proj"] == [1, 1, 1, 1, 1, 1])
        #expect(try file.readFloatArrays(expected: ["visual.proj": [2, 3]], in: "optimizer/m")["visual.proj"]?.count == 6)
        do {
            _ = try file.readFloatArrays(expected: ["visual.proj": [3, 2], "logit_scale": []])
            Issue.record("a mismatched checkpoint loaded")
        } catch let error as ChartCLIPError {
            #expect(error.message.contains("missing keys: logit_scale"))
            #expect(error.message.contains("unexpected keys: extra.bias, text.proj"))
            #expect(error.message.contains("visual.proj: expected shape [3, 2], found [2, 3]"))
            #expect(error.location == url.path)
        }
    }

    @Test("an atomic write that fails leaves the previous file in place")
    func atomicWrite() throws {
        let folder = try Fixtures.temporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model.h5")
        try HDF5File.write(to: url) { try $0.write([Float(1)], shape: [1], to: "w") }
        struct Interrupted: Error {}
        #expect(throws: Interrupted.self) {
            try HDF5File.write(to: url) { file in
                try file.write([Float(2)], shape: [1], to: "w")
                throw Interrupted()
            }
        }
        #expect(try HDF5File(reading: url).read("w", as: Float.self).values == [1])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(leftovers == ["model.h5"])
    }

    @Test("in-place updates: open read-write, remove and rewrite a dataset")
    func readWrite() throws {
        let folder = try Fixtures.temporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("rw.h5")
        try HDF5File.write(to: url) { try $0.write([Int64(1)], shape: [1], to: "step") }
        do {
            let file = try HDF5File(opening: url, mode: .readWrite)
            #expect(throws: ChartCLIPError.self) { try file.write([Int64(2)], shape: [1], to: "step") }
            try file.remove("step")
            try file.write([Int64(2)], shape: [1], to: "step")
            try file.close()
        }
        let reader = try HDF5File(reading: url)
        #expect(try reader.read("step", as: Int64.self).values == [2])
        #expect(throws: ChartCLIPError.self) { try reader.write([Int64(3)], shape: [1], to: "other") }
    }

    @Test("files can be used from many threads at once")
    func concurrentFiles() async throws {
        let folder = try Fixtures.temporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<8 {
                group.addTask {
                    let url = folder.appendingPathComponent("t\(index).h5")
                    let values = (0..<100).map { Float($0 * index) }
                    try HDF5File.write(to: url) { try $0.write(values, shape: [10, 10], to: "x") }
                    let back = try HDF5File(reading: url).read("x", as: Float.self, shape: [10, 10])
                    #expect(back == values)
                }
            }
            try await group.waitForAll()
        }
    }
}
