import ChartCLIPSupport
import ChartCLIPTensorBoard
import ChartCLIPTestSupport
import Foundation
import Testing

/// TensorBoard event files: the TFRecord framing and its checksum, a file written by
/// TensorBoard's own Python writer read back exactly, ours read back, and damage reported.
@Suite struct TensorBoardTests {
    @Test func crc32cMatchesTheCastagnoliCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)  // RFC 3720 B.4
    }

    @Test func aFileWrittenByTensorBoardsPythonWriterReadsAsWritten() throws {
        struct Expected: Decodable {
            struct Scalar: Decodable { var tag: String, step: Int, wall_time: Double, value: Float }
            var file_version: String
            var scalars: [Scalar]
        }
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: Fixtures.url("tensorboard/python.json")))
        let read = try TensorBoardReader.read(Fixtures.url("tensorboard/python.tfevents"))
        #expect(read.fileVersion == expected.file_version)
        #expect(read.scalars.count == expected.scalars.count)
        for (a, b) in zip(read.scalars, expected.scalars) {
            #expect(a.tag == b.tag && a.step == b.step && a.wallTime == b.wall_time && a.value == b.value)
        }
    }

    @Test func ourWriterFramesEventsAsTensorBoardsDoes() throws {
        let dir = try Fixtures.temporaryDirectory("tensorboard")
        let writer = try TensorBoardWriter(directory: dir, now: Date(timeIntervalSince1970: 1_765_000_000))
        #expect(writer.url.lastPathComponent.hasPrefix("events.out.tfevents.1765000000."))
        try writer.write([("train/loss", 2.5), ("train/lr", 1e-3)], step: 1, wallTime: 1_765_000_000.25)
        try writer.write([("val/zero_shot_setup_accuracy", 0.6)], step: 2, wallTime: 1_765_000_000.5)
        let read = try TensorBoardReader.read(writer.url)
        #expect(read.fileVersion == "brain.Event:2")
        #expect(read.scalars == [
            .init(tag: "train/loss", step: 1, wallTime: 1_765_000_000.25, value: 2.5),
            .init(tag: "train/lr", step: 1, wallTime: 1_765_000_000.25, value: 1e-3),
            .init(tag: "val/zero_shot_setup_accuracy", step: 2, wallTime: 1_765_000_000.5, value: 0.6),
        ])
        // The same event bytes as the Python writer: its first record (the version) is identical.
        let ours = try TFRecord.records(Data(contentsOf: writer.url), source: "ours")[0]
        let theirs = try TFRecord.records(Data(contentsOf: Fixtures.url("tensorboard/python.tfevents")), source: "python")[0]
        #expect(ours == theirs)
        // A second writer in the same second gets its own file: nothing is appended to or replaced.
        let second = try TensorBoardWriter(directory: dir, now: Date(timeIntervalSince1970: 1_765_000_000))
        #expect(second.url != writer.url)
        #expect(try TensorBoardReader.read(writer.url).scalars.count == 3)
    }

    @Test func damageIsReportedWithTheFileAndTheByte() throws {
        let good = try Data(contentsOf: Fixtures.url("tensorboard/python.tfevents"))
        var flipped = good
        flipped[40] ^= 0x10
        let dir = try Fixtures.temporaryDirectory("tensorboard-bad")
        let bad = dir.appendingPathComponent("flipped.tfevents")
        try flipped.write(to: bad)
        #expect(throws: ChartCLIPError.self) { try TensorBoardReader.read(bad) }
        do { _ = try TensorBoardReader.read(bad) } catch let error as ChartCLIPError {
            #expect(error.location == bad.path && error.message.contains("checksum"))
        }
        let cut = dir.appendingPathComponent("cut.tfevents")
        try good.prefix(good.count - 7).write(to: cut)
        do {
            _ = try TensorBoardReader.read(cut)
            Issue.record("a truncated file was read")
        } catch let error as ChartCLIPError {
            #expect(error.message.contains("byte") && error.hint?.contains("interrupted") == true)
        }
    }
}
