import ChartCLIPFiles
import ChartCLIPTestSupport
import Foundation
import Testing

/// `SafetensorsWriter` writes what `SafetensorsFile` (and transformers, in
/// `HuggingFaceExportTests`) reads back.
@Suite struct SafetensorsWriterTests {
    @Test func writtenTensorsReadBackExactly() throws {
        var writer = SafetensorsWriter()
        let weight: [Float] = [1, -2.5, .pi, -0, 1e-30, 65504, 7]
        try writer.add("b.weight", shape: [7], values: weight)
        try writer.add("a.scale", shape: [], values: [2.6592])
        try writer.add("c.empty", shape: [0, 3], values: [])
        try writer.add("d.matrix", shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let url = try Fixtures.temporaryDirectory("safetensors-writer").appendingPathComponent("model.safetensors")
        try writer.write(to: url)

        let file = try SafetensorsFile(url)
        #expect(file.tensors.map(\.name) == ["a.scale", "b.weight", "c.empty", "d.matrix"])
        #expect(file.tensors.map(\.shape) == [[], [7], [0, 3], [2, 3]])
        #expect(file.metadata == ["format": "pt"])
        #expect(try file.floats("b.weight").map(\.bitPattern) == weight.map(\.bitPattern))
        #expect(try file.floats("a.scale") == [2.6592])
        #expect(try file.floats("d.matrix") == [1, 2, 3, 4, 5, 6])

        // The header is padded so that the data section, and every F32 tensor, is aligned.
        let data = try Data(contentsOf: url)
        let headerLength = data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        #expect(headerLength % 8 == 0)
        #expect(try writer.data() == data, "the same tensors give the same bytes")
    }

    @Test func mistakesAreRefused() throws {
        var writer = SafetensorsWriter()
        try writer.add("x", shape: [2], values: [1, 2])
        #expect { try writer.add("x", shape: [1], values: [1]) } throws: { "\($0)".contains("twice") }
        #expect { try writer.add("y", shape: [2, 2], values: [1, 2, 3]) } throws: { "\($0)".contains("do not fill the shape [2, 2]") }
        #expect { try writer.add("__metadata__", shape: [1], values: [1]) } throws: { "\($0)".contains("cannot name") }
    }

    @Test func namesNeedingEscapesSurviveTheHeader() throws {
        var writer = SafetensorsWriter(metadata: ["note": "a \"quoted\"\nline"])
        try writer.add("odd \"name\"\\é", shape: [1], values: [3])
        let url = try Fixtures.temporaryDirectory("safetensors-escape").appendingPathComponent("x.safetensors")
        try writer.write(to: url)
        let file = try SafetensorsFile(url)
        #expect(file.tensors.map(\.name) == ["odd \"name\"\\é"])
        #expect(file.metadata["note"] == "a \"quoted\"\nline")
    }
}
