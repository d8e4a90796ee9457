import ChartCLIPFiles
import ChartCLIPSupport
import ChartCLIPTestSupport
import Foundation
import Testing

/// Reads `Tests/Fixtures/files/safetensors_interop.safetensors`, written by the Python
/// `safetensors` package (`make_files_fixtures.py`).
@Suite("safetensors files written by Python")
struct SafetensorsInteropTests {
    let file: SafetensorsFile

    init() throws {
        file = try SafetensorsFile(Fixtures.url("files/safetensors_interop.safetensors"))
    }

    @Test func header() {
        #expect(file.tensors.map(\.name) == [
            "brain", "empty", "half", "logit_scale", "text_model.embeddings.position_ids",
            "vision_model.embeddings.patch_embedding.weight",
        ])
        #expect(file.metadata == ["format": "pt", "note": "chartclip interop"])
        let patch = file.tensors.last!
        #expect(patch.dtype == .f32)
        #expect(patch.shape == [2, 3, 2, 2])
        #expect(patch.count == 24)
    }

    @Test("F32, F16 and BF16 read as Float; I64 as Int64")
    func values() throws {
        #expect(try file.floats("vision_model.embeddings.patch_embedding.weight") == (0..<24).map { Float($0) / 8 })
        #expect(try file.floats("half") == [1, -2.5, 0, 65504, 6.1035156e-05, 5.9604645e-08])
        // 1e30 rounded to bfloat16 is 1.0002555517425873e30.
        #expect(try file.floats("brain") == [1, -2.5, 3.140625, 1.0002555517425873e30, -0.0])
        #expect(try file.floats("logit_scale") == [4.6052])
        #expect(try file.floats("empty") == [])
        #expect(try file.integers("text_model.embeddings.position_ids") == [0, 1, 2, 3, 4, 5, 6])
        #expect(try file.floats("logit_scale", shape: []) == [4.6052])
    }

    @Test("wrong names, shapes and types are errors naming the tensor")
    func misuse() throws {
        let path = Fixtures.url("files/safetensors_interop.safetensors").path
        do {
            _ = try file.floats("vision_model.embeddings.patch_embedding.bias")
            Issue.record("a missing tensor was read")
        } catch let error as ChartCLIPError {
            #expect(error.location == path)
            #expect(error.message.contains("vision_model.embeddings.patch_embedding.weight"))
        }
        do {
            _ = try file.floats("text_model.embeddings.position_ids")
            Issue.record("I64 read as floats")
        } catch let error as ChartCLIPError {
            #expect(error.location == "\(path):text_model.embeddings.position_ids")
            #expect(error.hint?.contains("integers") == true)
        }
        #expect(throws: ChartCLIPError.self) { try file.floats("half", shape: [2, 3]) }
    }

    @Test("half precision conversion is exact, subnormals and specials included")
    func halfPrecision() {
        #expect(HalfPrecision.float(fromHalfBits: 0x3c00) == 1)
        #expect(HalfPrecision.float(fromHalfBits: 0xc000) == -2)
        #expect(HalfPrecision.float(fromHalfBits: 0x0001) == 0x1p-24)
        #expect(HalfPrecision.float(fromHalfBits: 0x8000).sign == .minus)
        #expect(HalfPrecision.float(fromHalfBits: 0x7c00) == .infinity)
        #expect(HalfPrecision.float(fromHalfBits: 0x7e00).isNaN)
        #expect(HalfPrecision.float(fromBFloat16Bits: 0x3f80) == 1)
    }
}

/// Hand-made headers: each breaks one rule and must give a clear error, never a crash.
@Suite("safetensors header validation")
struct SafetensorsValidationTests {
    /// Writes `8-byte length + header + dataBytes zero bytes` and opens it. (The folder is
    /// removed at once; the open file stays readable.)
    private func open(header: String, dataBytes: Int, lengthOverride: UInt64? = nil) throws -> SafetensorsFile {
        let folder = try Fixtures.temporaryDirectory("safetensors")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model.safetensors")
        let json = Data(header.utf8)
        var length = (lengthOverride ?? UInt64(json.count)).littleEndian
        var data = Data(bytes: &length, count: 8)
        data.append(json)
        data.append(Data(count: dataBytes))
        try data.write(to: url)
        return try SafetensorsFile(url)
    }

    private func expectInvalid(
        _ header: String, dataBytes: Int, lengthOverride: UInt64? = nil, mentions fragment: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            _ = try open(header: header, dataBytes: dataBytes, lengthOverride: lengthOverride)
            Issue.record("an invalid file opened: \(header)", sourceLocation: sourceLocation)
        } catch let error as ChartCLIPError {
            #expect(error.location?.contains("model.safetensors") == true, sourceLocation: sourceLocation)
            #expect(error.description.contains(fragment), "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("not a ChartCLIPError: \(error)", sourceLocation: sourceLocation)
        }
    }

    private let a = #""a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#

    @Test func validMinimalFile() throws {
        let file = try open(header: "{\(a)}  ", dataBytes: 8)  // trailing spaces are padding
        #expect(try file.floats("a") == [0, 0])
        #expect(file.metadata.isEmpty)
    }

    @Test func tooShortAndBadLength() throws {
        let folder = try Fixtures.temporaryDirectory("safetensors")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model.safetensors")
        try Data([1, 2, 3]).write(to: url)
        #expect(throws: ChartCLIPError.self) { try SafetensorsFile(url) }
        expectInvalid("{\(a)}", dataBytes: 8, lengthOverride: 1 << 40, mentions: "does not fit")
        expectInvalid("{\(a)}", dataBytes: 8, lengthOverride: 5, mentions: "JSON")
    }

    @Test func notJSON() {
        expectInvalid("[1, 2]", dataBytes: 0, mentions: "start with '{'")
        expectInvalid("{\"a\": {\"dtype\": \"F32\",", dataBytes: 0, mentions: "JSON")
        expectInvalid(#"{"a":{"dtype":"F32","shape":[2]}}"#, dataBytes: 8, mentions: "data_offsets")
        expectInvalid(#"{"a":{"dtype":"F32","shape":"2","data_offsets":[0,8]}}"#, dataBytes: 8, mentions: "\"a\"")
        expectInvalid(#"{"__metadata__":{"n":1},"#.dropLast() + "}", dataBytes: 0, mentions: "__metadata__")
    }

    @Test func badEntries() {
        expectInvalid(#"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, dataBytes: 8, mentions: "negative")
        expectInvalid(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,9]}}"#, dataBytes: 8, mentions: "[begin, end]")
        expectInvalid(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, dataBytes: 8, mentions: "increasing")
        expectInvalid(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, dataBytes: 8, mentions: "needs 12 bytes")
        // Shapes whose element count overflows are errors for every dtype, not traps.
        expectInvalid(
            #"{"q":{"dtype":"F8_E4M3","shape":[4611686018427387904,4],"data_offsets":[0,4]}}"#, dataBytes: 4,
            mentions: "too large")
        expectInvalid(
            #"{"a":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,8]}}"#, dataBytes: 8,
            mentions: "too large")
    }

    @Test("tensors must tile the data section: no gap, no overlap, no truncation, no excess")
    func tiling() {
        let b = #""b":{"dtype":"F16","shape":[2],"data_offsets":[8,12]}"#
        let gap = #""b":{"dtype":"F16","shape":[2],"data_offsets":[10,14]}"#
        let overlap = #""b":{"dtype":"F16","shape":[2],"data_offsets":[6,10]}"#
        let late = #""a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}"#
        expectInvalid("{\(a),\(gap)}", dataBytes: 14, mentions: "gap")
        expectInvalid("{\(a),\(overlap)}", dataBytes: 10, mentions: "overlaps")
        expectInvalid("{\(late)}", dataBytes: 12, mentions: "starts at 0")
        expectInvalid("{\(a),\(b)}", dataBytes: 10, mentions: "truncated")
        expectInvalid("{\(a),\(b)}", dataBytes: 20, mentions: "cover 12 data bytes")
    }

    @Test func truncatedFixture() throws {
        let data = try Data(contentsOf: Fixtures.url("files/safetensors_interop.safetensors"))
        let folder = try Fixtures.temporaryDirectory("safetensors")
        defer { try? FileManager.default.removeItem(at: folder) }
        for keep in [4, 100, data.count - 1] {
            let url = folder.appendingPathComponent("cut\(keep).safetensors")
            try data.prefix(keep).write(to: url)
            #expect(throws: ChartCLIPError.self) { try SafetensorsFile(url) }
        }
    }

    @Test("unknown dtypes are listed but not read")
    func unknownDType() throws {
        let file = try open(header: #"{"q":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}}"#, dataBytes: 4)
        #expect(file.tensors.first?.dtype == .other("F8_E4M3"))
        #expect(throws: ChartCLIPError.self) { try file.floats("q") }
        #expect(try file.bytes("q").count == 4)
    }
}
