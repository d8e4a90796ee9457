import ChartCLIPDecision
import ChartCLIPMarket
import ChartCLIPSupport
import Foundation
import Testing

/// Prediction records: lenient reading of the users' files, the writer, file names, and the
/// choice of the newest file.
@Suite struct CVPredictionTests {
    @Test func aMinimalUsersFileCounts() throws {
        // The users' own files hold only setup and confidence; the rest comes from the name.
        let data = Data(#"{"setup": "trap", "confidence": 0.75}"#.utf8)
        let p = try CVPrediction.parse(data, fileName: "JSTUSDT_20250623_1045.json")
        #expect(p.symbol == "JSTUSDT")
        #expect(p.timestamp == UTCTime.parseISO("2025-06-23T10:45:00Z"))
        #expect(p.setup == "trap" && p.setupType == .fakeout && p.confidence == 0.75)
        #expect(p.interval == nil && p.setupDirection == nil && p.model == nil)
        // A bull trap implies a fall; the direction is marked as assumed.
        #expect(p.impliedDirection == .down && p.directionIsAssumed)
    }

    @Test func confidenceDefaultsToZeroAndMayBeAString() throws {
        let none = try CVPrediction.parse(Data(#"{"setup": "breakout"}"#.utf8), fileName: "BTCUSDT_20250601_0000.json")
        #expect(none.confidence == 0)
        let text = try CVPrediction.parse(
            Data(#"{"setup": "breakout", "confidence": "0.85"}"#.utf8), fileName: "BTCUSDT_20250601_0000.json")
        #expect(text.confidence == 0.85)
    }

    @Test func optionalFieldsOfTheWrongTypeAreDropped() throws {
        let json = #"{"setup": "breakout", "confidence": 0.9, "model": {"name": "x"}, "interval": 15, "phase": 3}"#
        let p = try CVPrediction.parse(Data(json.utf8), fileName: "BTCUSDT_20250601_0000.json")
        #expect(p.model == nil && p.phase == nil)
        #expect(p.interval == .m15)  // minutes as a number are understood
        let long = try CVPrediction.parse(
            Data(#"{"setup": "breakout", "setup_direction": "Bearish"}"#.utf8), fileName: "BTCUSDT_20250601_0000.json")
        #expect(long.setupDirection == .down && !long.directionIsAssumed)
    }

    @Test func filesWithoutTheEssentialsAreRefusedWithAReason() {
        let name = "BTCUSDT_20250601_0000.json"
        #expect(throws: ChartCLIPError.self) { try CVPrediction.parse(Data(#"{"confidence": 0.9}"#.utf8), fileName: name) }
        #expect(throws: ChartCLIPError.self) { try CVPrediction.parse(Data(#"{"setup": "trap", "confidence": 85}"#.utf8), fileName: name) }
        #expect(throws: ChartCLIPError.self) { try CVPrediction.parse(Data(#"{"setup": "trap"}"#.utf8), fileName: "notes.json") }
        #expect(throws: ChartCLIPError.self) { try CVPrediction.parse(Data("not json".utf8), fileName: name) }
        #expect(throws: ChartCLIPError.self) {
            try CVPrediction.parse(Data(#"{"setup": "trap", "timestamp": "yesterday"}"#.utf8), fileName: name)
        }
    }

    @Test func theWriterPutsTheSameRecordInBothFoldersAndItReadsBack() throws {
        let root = try TestMarket.folder("write")
        defer { try? FileManager.default.removeItem(at: root) }
        let p = CVPrediction(
            symbol: "JSTUSDT", timestamp: UTCTime.parseISO("2025-06-23T14:00:00Z")!, interval: .m15, setup: "trap",
            setupDirection: .down, phase: "range", confidence: 0.82, setupProbabilities: ["trap": 0.82, "none": 0.18],
            phaseProbabilities: ["range": 1], model: "clip-small v3", chart: "charts/JSTUSDT_20250623_1400.png")
        let urls = try CVPredictionFiles.write(p, to: CVPredictionFiles.defaultDirectories(dataDirectory: root))
        #expect(urls.map(\.lastPathComponent) == ["JSTUSDT_20250623_1400.json", "JSTUSDT_20250623_1400.json"])
        #expect(urls[0].path.hasSuffix("cv_predictions/JSTUSDT_20250623_1400.json"))
        #expect(urls[1].path.hasSuffix("vision_ai/predictions/JSTUSDT_20250623_1400.json"))
        #expect(try Data(contentsOf: urls[0]) == Data(contentsOf: urls[1]))
        #expect(try CVPredictionFiles.read(urls[0]) == p)
        // The users' keys, spelled as they expect.
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: urls[0])) as? [String: Any]
        #expect(object?["timestamp"] as? String == "2025-06-23T14:00:00Z")
        #expect(object?["setup_direction"] as? String == "down")
        #expect(object?["interval"] as? String == "15m")
        #expect((object?["setup_probabilities"] as? [String: Double])?["trap"] == 0.82)
    }

    @Test func fileNamesCarrySymbolAndTime() {
        let t = UTCTime.parseISO("2025-06-23T10:45:00Z")!
        #expect(CVPredictionFiles.fileName(symbol: "JSTUSDT", timestamp: t) == "JSTUSDT_20250623_1045.json")
        #expect(CVPredictionFiles.parseFileName("JSTUSDT_20250623_1045.json")?.timestamp == t)
        #expect(CVPredictionFiles.parseFileName("1000PEPE_USDT_20250623_1045.json")?.symbol == "1000PEPE_USDT")
        #expect(CVPredictionFiles.parseFileName("JSTUSDT_2025062_1045.json") == nil)
        #expect(CVPredictionFiles.parseFileName("JSTUSDT_20250623_1045.png") == nil)
        #expect(CVPredictionFiles.parseFileName("20250623_1045.json") == nil)
    }

    /// A second predictor at the same candle time gets its own record: nothing is replaced,
    /// the decision reads the latest record, and feedback keys each record apart.
    @Test func aSecondPredictionAtTheSameTimeIsANewRecordNotAnOverwrite() throws {
        let root = try TestMarket.folder("records")
        defer { try? FileManager.default.removeItem(at: root) }
        let t = UTCTime.parseISO("2025-06-23T14:00:00Z")!
        let first = CVPrediction(symbol: "JSTUSDT", timestamp: t, setup: "trap", confidence: 0.82, model: "a v1")
        var second = first
        second.setup = "breakout"
        second.model = "b v1"
        let dirs = CVPredictionFiles.defaultDirectories(dataDirectory: root)
        let a = try CVPredictionFiles.write(first, to: dirs)
        let b = try CVPredictionFiles.write(second, to: dirs)
        let again = try CVPredictionFiles.write(second, to: dirs)  // the same record again: nothing new
        #expect(a.map(\.lastPathComponent) == ["JSTUSDT_20250623_1400.json", "JSTUSDT_20250623_1400.json"])
        #expect(b.map(\.lastPathComponent) == ["JSTUSDT_20250623_1400_2.json", "JSTUSDT_20250623_1400_2.json"])
        #expect(again == b)
        #expect(try CVPredictionFiles.read(a[0]) == first, "the first record is kept as it was")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dirs[0].path).count == 2)

        guard case .found(let latest, let file) = loadCVPrediction(symbol: "JSTUSDT", directory: dirs[0]) else {
            Issue.record("no prediction found")
            return
        }
        #expect(latest.setup == "breakout" && file?.hasSuffix("_2.json") == true)
        #expect(try CVPredictionFiles.readFolder(dirs[0]).files.map(\.prediction.model) == ["a v1", "b v1"])
        let parsed = CVPredictionFiles.parseRecordName("1000PEPE_USDT_20250623_1045_12.json")
        #expect(parsed?.symbol == "1000PEPE_USDT" && parsed?.sequence == 12 && parsed?.timestamp == UTCTime.parseISO("2025-06-23T10:45:00Z"))
        #expect(CVPredictionFiles.parseRecordName("JSTUSDT_20250623_1045.json")?.sequence == 1)
        #expect(CVPredictionFiles.parseRecordName("JSTUSDT_20250623_1045_1.json") == nil, "record 1 has no number")

        let keyA = FeedbackLoop.key(symbol: "JSTUSDT", predictionTime: t, horizon: .h1, barrier: BarrierSpec())
        let keyB = FeedbackLoop.key(symbol: "JSTUSDT", predictionTime: t, record: 2, horizon: .h1, barrier: BarrierSpec())
        #expect(keyA.hasPrefix("JSTUSDT|2025-06-23T14:00:00Z|") && keyA != keyB, "record 1 keeps the key older logs hold")
        #expect(keyB.hasPrefix("JSTUSDT|2025-06-23T14:00:00Z#2|"))
    }

    /// A number that is not finite does not fail the output: it is written as a string.
    @Test func aNonFiniteNumberIsWrittenNotAFailure() throws {
        let root = try TestMarket.folder("nan")
        defer { try? FileManager.default.removeItem(at: root) }
        let p = CVPrediction(symbol: "JSTUSDT", timestamp: 1_750_687_200_000, setup: "none", confidence: .nan, setupProbabilities: ["none": .infinity])
        let urls = try CVPredictionFiles.write(p, to: [root])
        let text = try String(contentsOf: urls[0], encoding: .utf8)
        #expect(text.contains(#""confidence" : "NaN""#) && text.contains(#""Infinity""#))
    }

    @Test func theNewestFileOfTheSymbolIsChosen() throws {
        let folder = try TestMarket.folder("newest")
        defer { try? FileManager.default.removeItem(at: folder) }
        try TestMarket.write(#"{"setup": "breakout", "confidence": 0.9}"#, "BTCUSDT_20250601_1000.json", in: folder)
        try TestMarket.write(#"{"setup": "trap", "confidence": 0.8}"#, "BTCUSDT_20250601_1030.json", in: folder)
        try TestMarket.write(#"{"setup": "none", "confidence": 0.5}"#, "BTCUSDT_20250601_1015.json", in: folder)
        try TestMarket.write(#"{"setup": "exhaustion", "confidence": 0.99}"#, "ETHUSDT_20250601_1100.json", in: folder)
        try TestMarket.write("{}", "notes.json", in: folder)
        guard case .found(let p, let file) = loadCVPrediction(symbol: "BTCUSDT", directory: folder) else {
            Issue.record("expected a prediction")
            return
        }
        #expect(p.setup == "trap" && file?.hasSuffix("BTCUSDT_20250601_1030.json") == true)
        // A replay at 10:20 must not see the 10:30 file.
        let asOf = UTCTime.parseISO("2025-06-01T10:20:00Z")!
        guard case .found(let earlier, _) = loadCVPrediction(symbol: "btcusdt", directory: folder, asOf: asOf) else {
            Issue.record("expected the 10:15 prediction")
            return
        }
        #expect(earlier.setup == "none")
        let beforeAll = UTCTime.parseISO("2025-06-01T09:00:00Z")!
        guard case .missing(let why) = loadCVPrediction(symbol: "BTCUSDT", directory: folder, asOf: beforeAll) else {
            Issue.record("expected no prediction")
            return
        }
        #expect(why.contains("3 later file(s) skipped"))
    }

    @Test func anUnreadableNewestFileIsReportedNotReplacedByAnOlderOne() throws {
        let folder = try TestMarket.folder("unreadable")
        defer { try? FileManager.default.removeItem(at: folder) }
        try TestMarket.write(#"{"setup": "breakout", "confidence": 0.9}"#, "BTCUSDT_20250601_1000.json", in: folder)
        try TestMarket.write(#"{"setup": "breakout", "confid"#, "BTCUSDT_20250601_1015.json", in: folder)
        guard case .unreadable(let file, _) = loadCVPrediction(symbol: "BTCUSDT", directory: folder) else {
            Issue.record("expected unreadable")
            return
        }
        #expect(file.hasSuffix("BTCUSDT_20250601_1015.json"))
        #expect(loadCVPrediction(symbol: "BTCUSDT", directory: folder.appendingPathComponent("nope"))
            == .missing(reason: "no prediction folder \(folder.appendingPathComponent("nope").path)"))
    }

    @Test func aFolderReadsEveryFileAndListsTheDamagedOnes() throws {
        let folder = try TestMarket.folder("read-folder")
        defer { try? FileManager.default.removeItem(at: folder) }
        try TestMarket.write(#"{"setup": "breakout", "confidence": 0.9}"#, "BTCUSDT_20250601_1000.json", in: folder)
        try TestMarket.write(#"{"setup": "trap", "confidence": 0.8}"#, "ETHUSDT_20250601_0900.json", in: folder)
        try TestMarket.write("[]", "XRPUSDT_20250601_0900.json", in: folder)
        let read = try CVPredictionFiles.readFolder(folder)
        #expect(read.predictions.map(\.symbol) == ["ETHUSDT", "BTCUSDT"])  // oldest first
        #expect(read.failures.map(\.url.lastPathComponent) == ["XRPUSDT_20250601_0900.json"])
    }
}
