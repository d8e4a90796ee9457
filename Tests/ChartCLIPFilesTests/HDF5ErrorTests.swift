import ChartCLIPFiles
import ChartCLIPSupport
import ChartCLIPTestSupport
import Foundation
import Testing

/// Damaged files and wrong keys must give an error that names the file and the key,
/// never a crash or HDF5's stack dump on standard error.
@Suite("HDF5 errors")
struct HDF5ErrorTests {
    /// A valid checkpoint-like file with a 64 KB float dataset.
    private func sampleFile(in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent("sample.h5")
        try HDF5File.write(to: url) { file in
            try file.write((0..<16_384).map(Float.init), shape: [128, 128], to: "visual.proj")
            try file.setAttribute("format_version", .int(1))
        }
        return url
    }

    private func expectError(
        _ body: () throws -> Void, location: String, containing fragments: [String],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            try body()
            Issue.record("expected an error", sourceLocation: sourceLocation)
        } catch let error as ChartCLIPError {
            #expect(error.location == location, sourceLocation: sourceLocation)
            for fragment in fragments {
                #expect(error.message.contains(fragment), "\(error)", sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("not a ChartCLIPError: \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func missingFile() throws {
        let url = URL(fileURLWithPath: "/nonexistent/chartclip/model.h5")
        expectError({ _ = try HDF5File(reading: url) }, location: url.path, containing: ["no such file"])
    }

    @Test("truncated files fail to open or to read, with the path")
    func truncated() throws {
        let folder = try Fixtures.temporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try Data(contentsOf: try sampleFile(in: folder))
        for keep in [0, 4, 100, 1500, data.count / 2, data.count - 1] {
            let cut = folder.appendingPathComponent("cut\(keep).h5")
            try data.prefix(keep).write(to: cut)
            do {
                let file = try HDF5File(reading: cut)
                _ = try file.read("visual.proj", as: Float.self)
                Issue.record("a file cut to \(keep) of \(data.count) bytes read without error")
            } catch let error as ChartCLIPError {
                #expect(error.location?.hasPrefix(cut.path) == true)
            }
        }
    }

    @Test("garbage and damaged headers are rejected")
    func corrupt() throws {
        let folder = try Fixtures.temporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let garbage = folder.appendingPathComponent("garbage.h5")
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) }).write(to: garbage)
        expectError({ _ = try HDF5File(reading: garbage) }, location: garbage.path, containing: ["not an HDF5 file"])

        let original = try Data(contentsOf: try sampleFile(in: folder))
        var data = original
        for index in 520..<576 { data[index] = 0xff }  // superblock after the signature (after the 512-byte user block)
        let damaged = folder.appendingPathComponent("damaged.h5")
        try data.write(to: damaged)
        expectError(
            { _ = try HDF5File(reading: damaged).read("visual.proj", as: Float.self) }, location: damaged.path,
            containing: ["checksum is", "written with"])

        // Without ChartCLIP's checksum (as h5py writes files), libhdf5's own checks answer.
        for index in 0..<64 { data[index] = 0 }
        try data.write(to: damaged)
        expectError(
            { _ = try HDF5File(reading: damaged).read("visual.proj", as: Float.self) }, location: damaged.path,
            containing: ["cannot open the HDF5 file"])

        // Damage to the checksum header itself.
        data = original
        for index in 3..<12 { data[index] ^= 0x55 }
        try data.write(to: damaged)
        expectError({ _ = try HDF5File(reading: damaged) }, location: damaged.path, containing: ["checksum header is damaged"])
    }

    /// Bytes inserted or deleted inside a file shift every address after them; libhdf5 1.10
    /// crashes walking such a file (found by `FuzzTests`), so the file's checksum stops it first.
    @Test("bytes inserted or cut inside the file are caught before libhdf5 reads it")
    func shifted() throws {
        let folder = try Fixtures.temporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = try Data(contentsOf: try sampleFile(in: folder))
        let middle = original.count * 3 / 4
        for (name, data) in [
            ("inserted", original.prefix(middle) + Data(repeating: 7, count: 8) + original.dropFirst(middle)),
            ("cut", original.prefix(middle) + original.dropFirst(middle + 8)),
        ] {
            let url = folder.appendingPathComponent("\(name).h5")
            try data.write(to: url)
            expectError({ _ = try HDF5File(reading: url) }, location: url.path, containing: ["bytes, it was written with"])
        }
    }

    /// Values are stored with a Fletcher-32 checksum and metadata in the checksummed HDF5 1.8
    /// format, so damage inside the file is reported, not returned as wrong numbers.
    @Test("a damaged byte among the values is caught by the checksum")
    func checksum() throws {
        let folder = try Fixtures.temporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        var data = try Data(contentsOf: try sampleFile(in: folder))
        // The 64 KB of values fill most of the file; the middle byte is one of them.
        data[data.count / 2] ^= 0x5a
        let damaged = folder.appendingPathComponent("flipped.h5")
        try data.write(to: damaged)
        expectError({ _ = try HDF5File(reading: damaged) }, location: damaged.path, containing: ["the file's checksum is"])
        // Without the whole-file checksum, the dataset's Fletcher-32 catches it when read.
        for index in 0..<64 { data[index] = 0 }
        try data.write(to: damaged)
        expectError(
            { _ = try HDF5File(reading: damaged).read("visual.proj", as: Float.self) },
            location: "\(damaged.path):visual.proj", containing: ["checksum"])
    }

    @Test("a missing key names the key and suggests similar ones")
    func missingKey() throws {
        let folder = try Fixtures.temporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try sampleFile(in: folder)
        let file = try HDF5File(reading: url)
        expectError(
            { _ = try file.read("visual.projection", as: Float.self) }, location: url.path,
            containing: ["no dataset \"visual.projection\"", "visual.proj"])
        expectError({ _ = try file.read("a/b/c", as: Float.self) }, location: url.path, containing: ["a/b/c"])
    }

    @Test("a shape mismatch states expected and found shapes")
    func shapeMismatch() throws {
        let folder = try Fixtures.temporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try sampleFile(in: folder)
        let file = try HDF5File(reading: url)
        expectError(
            { _ = try file.read("visual.proj", as: Float.self, shape: [768, 512]) },
            location: "\(url.path):visual.proj", containing: ["expected shape [768, 512]", "[128, 128]"])
    }

    @Test("reading floats as integers or numbers as strings is refused")
    func typeMismatch() throws {
        let folder = try Fixtures.temporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try sampleFile(in: folder)
        let file = try HDF5File(reading: url)
        expectError(
            { _ = try file.read("visual.proj", as: Int64.self) }, location: "\(url.path):visual.proj",
            containing: ["float32", "int64"])
        expectError(
            { _ = try file.readStrings("visual.proj") }, location: "\(url.path):visual.proj",
            containing: ["not strings"])
    }

    @Test("bad writes: wrong value count, invalid path, duplicate key")
    func badWrites() throws {
        let folder = try Fixtures.temporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("w.h5")
        try HDF5File.write(to: url) { file in
            #expect(throws: ChartCLIPError.self) { try file.write([Float(1), 2, 3], shape: [2, 2], to: "x") }
            #expect(throws: ChartCLIPError.self) { try file.write([Float(1)], shape: [1], to: "a//b") }
            #expect(throws: ChartCLIPError.self) { try file.write([Float(1)], shape: [1], to: "../x") }
            try file.write([Float(1)], shape: [1], to: "x")
            #expect(throws: ChartCLIPError.self) { try file.write([Float(1)], shape: [1], to: "x") }
        }
    }

    @Test func formatStampIsChecked() throws {
        let folder = try Fixtures.temporaryDirectory("hdf5")
        let url = folder.appendingPathComponent("stamped.h5")
        try HDF5File.write(to: url) { file in
            try file.write([Float(1)], shape: [1], to: "x")
            try file.setFormat("chartclip-predictor", version: 2)
        }
        let file = try HDF5File(reading: url)
        try file.requireFormat("chartclip-predictor", version: 2, kind: "ChartCLIP predictor", hint: "h")
        // Another kind of file, and a version this build does not read, are named as such.
        expectError(
            { try file.requireFormat("chartclip-checkpoint", version: 2, kind: "ChartCLIP checkpoint", hint: "h") },
            location: url.path, containing: ["not a ChartCLIP checkpoint", "chartclip-checkpoint"])
        expectError(
            { try file.requireFormat("chartclip-predictor", version: 1, kind: "ChartCLIP predictor", hint: "h") },
            location: url.path, containing: ["version 2", "reads 1"])
    }
}
