import ChartCLIPFiles
import ChartCLIPSupport
import ChartCLIPTestSupport
import Foundation
import Testing

/// Reads `Tests/Fixtures/files/h5py_interop.h5`, written by h5py with its defaults
/// (`make_files_fixtures.py`).
@Suite("HDF5 files written by h5py")
struct HDF5InteropTests {
    let file: HDF5File

    init() throws {
        file = try HDF5File(reading: Fixtures.url("files/h5py_interop.h5"))
    }

    @Test func lists() throws {
        let listed = try file.datasets()
        #expect(listed.map(\.path) == [
            "counts", "empty", "half", "labels_fixed", "logit_scale", "optimizer/adam_m/visual.proj",
            "paths", "position_ids", "visual.proj",
        ])
        let types = Dictionary(uniqueKeysWithValues: listed.map { ($0.path, $0.valueType) })
        #expect(types["half"] == .float(bits: 16))
        #expect(types["counts"] == .integer(bits: 32, signed: true))
        #expect(types["paths"] == .string)
    }

    @Test func numbers() throws {
        #expect(try file.read("visual.proj", as: Float.self) == HDF5Array(values: (0..<12).map { Float($0) / 4 }, shape: [3, 4]))
        #expect(try file.read("logit_scale", as: Float.self) == HDF5Array(values: [4.6052], shape: []))
        #expect(try file.read("optimizer/adam_m/visual.proj", as: Double.self).values == (0..<12).map { -Double($0) })
        #expect(try file.read("optimizer/adam_m/visual.proj", as: Float.self).values == (0..<12).map { -Float($0) })
        #expect(try file.read("position_ids", as: Int64.self).values == [0, 1, 2, 3, 4])
        #expect(try file.read("counts", as: Int32.self) == HDF5Array(values: [1, 2, 3, 4], shape: [2, 2]))
        #expect(try file.read("half", as: Float.self).values == [1, -2.5, 0, 65504])
        #expect(try file.read("empty", as: Float.self) == HDF5Array(values: [], shape: [0, 3]))
    }

    @Test func strings() throws {
        #expect(try file.readStrings("paths") == ["charts/BTCUSDT_20250623_1400.png", "charts/ünïcode.png", ""])
        #expect(try file.readStrings("labels_fixed") == ["breakout", "trap", "range"])
    }

    @Test func attributes() throws {
        let root = try file.attributes()
        #expect(root["format"] == .string("chartclip-interop"))
        #expect(root["format_version"] == .int(3))
        #expect(root["learning_rate"] == .double(0.001))
        #expect(root["image_mean"] == .doubles([0.48145466, 0.4578275, 0.40821073]))
        #expect(root["sizes"] == .ints([224, 16]))
        #expect(root["flag"] == nil)  // an h5py boolean (HDF5 enum) is skipped by attributes()
        #expect(throws: ChartCLIPError.self) { try file.attribute("flag") }
        #expect(try file.attribute("note", of: "visual.proj") == .string("arange(12) / 4"))
    }
}
