import ChartCLIPSupport
import Foundation
import Testing

@Suite struct UTCTimeTests {
    @Test func fileStampUsesUTC() {
        // 2025-06-23 14:00:00 UTC
        #expect(UTCTime.fileStamp(milliseconds: 1_750_687_200_000) == "20250623_1400")
    }

    @Test func parsesTheRecordedFilesISOFormat() {
        #expect(UTCTime.parseISO("2025-03-31T12:15:00+00:00") == 1_743_423_300_000)
        #expect(UTCTime.parseISO("2025-06-01T00:00:00Z") == 1_748_736_000_000)
        #expect(UTCTime.parseISO("2025-06-01") == 1_748_736_000_000)
        #expect(UTCTime.parseISO("2025-06-01T02:00:00+02:00") == 1_748_736_000_000)
        #expect(UTCTime.parseISO("yesterday") == nil)
        #expect(UTCTime.parseISO("2025-13-01T00:00:00Z") == nil)
    }

    @Test func isoRoundTripsAcrossTheDayBoundary() {
        let ms: Int64 = 1_750_723_199_000  // 2025-06-23T23:59:59Z
        #expect(UTCTime.iso(milliseconds: ms) == "2025-06-23T23:59:59Z")
        #expect(UTCTime.parseISO(UTCTime.iso(milliseconds: ms)) == ms)
        #expect(UTCTime.fileStamp(milliseconds: ms + 1000) == "20250624_0000")
    }
}

@Suite struct AtomicFileTests {
    @Test func appendNeverTruncates() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cc-\(UUID())")
        let url = dir.appendingPathComponent("log.jsonl")
        try AtomicFile.appendLine("{\"a\":1}", to: url)
        try AtomicFile.appendLine("{\"a\":2}", to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "{\"a\":1}\n{\"a\":2}\n")
    }

    @Test func writeReplacesWholeFileAndLeavesNoTemporaries() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cc-\(UUID())")
        let url = dir.appendingPathComponent("x.json")
        try AtomicFile.write("first version, long", to: url)
        try AtomicFile.write("second", to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "second")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["x.json"])
    }

    @Test func failedProducerLeavesNoFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cc-\(UUID())")
        let url = dir.appendingPathComponent("y.bin")
        #expect(throws: ChartCLIPError.self) {
            try AtomicFile.write(to: url) { tmp in
                try Data([1, 2, 3]).write(to: tmp)
                throw ChartCLIPError("boom")
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}
