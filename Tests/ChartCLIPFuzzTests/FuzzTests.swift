@testable import ChartCLIPDecision
import ChartCLIPFiles
import ChartCLIPImage
@testable import ChartCLIPLabels
import ChartCLIPMarket
import ChartCLIPModels
import ChartCLIPPredictor
import ChartCLIPTestSupport
import ChartCLIPText
import ChartCLIPTraining
import Foundation
import Testing

/// Every reader against seeded damage: truncations, bit flips, overwritten, repeated and
/// deleted runs, lying headers and numbers. Each case must end in a valid result or an error
/// that names the file (or the source it was given) and is not a raw decoder dump; a trap
/// would end the test process. Each test prints how many cases it took.
///
/// `CHARTCLIP_FUZZ_CASES=5000 swift test --filter FuzzTests` runs a longer campaign.
@Suite struct FuzzTests {
    /// Messages that mean a raw Swift error reached the user.
    static let rawMarkers = ["DecodingError", "Context(codingPath", "NSCocoaErrorDomain", "Error Domain=", "keyNotFound(", "typeMismatch("]

    /// Runs `cases` mutations of `seeds` through `read`; `read` gets the damaged bytes and the
    /// case number and returns the text an error must contain (the file or source), or throws.
    /// Expects every error to be clear.
    @discardableResult
    static func campaign(
        _ reader: String, seeds: [Data], text: Bool = false, cases defaultCases: Int, seed: UInt64,
        lie: ((inout Fuzz, Data) -> Data)? = nil,
        _ read: (Data, Int) throws -> String
    ) -> FuzzTally {
        var fuzz = Fuzz(seed: seed)
        var tally = FuzzTally(reader: reader)
        let count = Fuzz.cases(default: defaultCases)
        // CHARTCLIP_FUZZ_TRACE=1: each case is announced first, so a crash names its case.
        let trace = ProcessInfo.processInfo.environment["CHARTCLIP_FUZZ_TRACE"] != nil
        for i in 0..<count {
            let original = seeds[i % seeds.count]
            let damaged = lie != nil && fuzz.below(4) == 0 ? lie!(&fuzz, original) : fuzz.mutate(original, text: text)
            var mustName = ""
            if trace { FileHandle.standardError.write(Data("fuzz \(reader) case \(i)\n".utf8)) }
            do {
                mustName = try read(damaged, i)
                tally.valid += 1
            } catch {
                tally.refused += 1
                let message = "\(error)"
                let named = mustName.isEmpty || message.contains(mustName)
                if message.isEmpty || !named || rawMarkers.contains(where: message.contains) {
                    tally.unclear.append("case \(i): \(message.prefix(300))")
                }
            }
        }
        print(tally)
        expectClear(tally)
        return tally
    }

    /// `campaign` for a reader of files: each damaged case is written to `dir` as
    /// `caseN.EXT`, read by `read`, and removed; an error must name the file.
    @discardableResult
    static func fileCampaign(
        _ reader: String, in dir: URL, ext: String, seeds: [Data], text: Bool = false, cases: Int, seed: UInt64,
        lie: ((inout Fuzz, Data) -> Data)? = nil, _ read: (URL) throws -> Void
    ) -> FuzzTally {
        campaign(reader, seeds: seeds, text: text, cases: cases, seed: seed, lie: lie) { data, i in
            let url = dir.appendingPathComponent("case\(i).\(ext)")
            try data.write(to: url)
            defer { try? FileManager.default.removeItem(at: url) }
            try read(url)
            return url.lastPathComponent
        }
    }

    /// A folder for one campaign's files.
    static func folder(_ label: String) throws -> URL { try Fixtures.temporaryDirectory("fuzz-\(label)") }

    static func expectClear(_ tally: FuzzTally) {
        #expect(tally.unclear.isEmpty, "\(tally.reader): \(tally.unclear.count) unclear errors, e.g. \(tally.unclear.prefix(3))")
        #expect(tally.valid + tally.refused > 0)
    }

    // MARK: - Binary files

    @Test func png() throws {
        let seeds = try ["images/pil_rgb_7x5.png", "images/pil_palette_7x5.png", "images/bicubic_source_23x17.png"]
            .map { try Data(contentsOf: Fixtures.url($0)) }
        Self.campaign("PNG", seeds: seeds, cases: 400, seed: 1, lie: Self.lyingIHDR) { data, i in
            let source = "case\(i).png"
            _ = try PNGCodec.decode(data, source: source)
            return source
        }
    }

    /// A PNG whose IHDR claims another size, bit depth or colour type, with its CRC made right
    /// so that only the claim is wrong.
    static func lyingIHDR(_ fuzz: inout Fuzz, _ png: Data) -> Data {
        var bytes = [UInt8](png)
        guard bytes.count > 33 else { return png }
        let field = fuzz.below(4)
        switch field {
        case 0, 1:  // width or height: 0, huge, or random
            let values: [UInt32] = [0, 1, 0x7FFF_FFFF, 0xFFFF_FFFF, 1 << 20, UInt32(truncatingIfNeeded: fuzz.next())]
            let v = values[fuzz.below(values.count)]
            let at = 16 + 4 * field
            for k in 0..<4 { bytes[at + k] = UInt8(truncatingIfNeeded: v >> (24 - 8 * k)) }
        case 2: bytes[24] = UInt8(truncatingIfNeeded: fuzz.next())  // bit depth
        default: bytes[25] = UInt8(truncatingIfNeeded: fuzz.next())  // colour type
        }
        let crc = Gzip.crc32(Data(bytes[12..<29]))
        for k in 0..<4 { bytes[29 + k] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * k)) }
        return Data(bytes)
    }

    static let tinyModel = CLIPConfig(
        embedDim: 8,
        visionConfig: VisionConfig(imageSize: 16, patchSize: 8, width: 8, layers: 1, heads: 2),
        textConfig: TextConfig(contextLength: 8, vocabSize: 64, width: 8, layers: 1, heads: 2),
        activation: .quickGELU)

    @Test func checkpoint() throws {
        let dir = try Self.folder("checkpoint")
        let good = dir.appendingPathComponent("good.h5")
        try Checkpoint(model: CLIPModel(config: Self.tinyModel, seed: 3)).save(to: good)
        Self.fileCampaign("checkpoint (HDF5)", in: dir, ext: "h5", seeds: [try Data(contentsOf: good)], cases: 120, seed: 2) { url in
            _ = try Checkpoint.load(from: url)
        }
    }

    @Test func predictor() throws {
        let dir = try Self.folder("predictor")
        let checkpoint = dir.appendingPathComponent("model.h5"), good = dir.appendingPathComponent("predictor.h5")
        var config = Self.tinyModel
        config.textConfig.vocabSize = 49408
        config.textConfig.contextLength = 16
        try Checkpoint(model: CLIPModel(config: config, seed: 4)).save(to: checkpoint)
        _ = try PredictorExport.export(
            checkpoint: checkpoint, output: good, name: "fuzz", window: 32, intervalMinutes: 15, pooling: .ensemble, dataset: nil, progress: false)
        Self.fileCampaign("predictor (HDF5)", in: dir, ext: "h5", seeds: [try Data(contentsOf: good)], cases: 80, seed: 3) { url in
            _ = try PredictorFile.load(from: url)
        }
    }

    @Test func safetensors() throws {
        let dir = try Self.folder("safetensors")
        let seeds = try ["files/safetensors_interop.safetensors", "hf/tiny-clip/model.safetensors"].map { try Data(contentsOf: Fixtures.url($0)) }
        let lie: (inout Fuzz, Data) -> Data = { fuzz, data in
            var bytes = [UInt8](data)
            let lengths: [UInt64] = [0, 1, 7, UInt64(bytes.count), UInt64(bytes.count - 8), 1 << 40, UInt64.max, fuzz.next()]
            let v = lengths[fuzz.below(lengths.count)]
            for k in 0..<8 { bytes[k] = UInt8(truncatingIfNeeded: v >> (8 * k)) }
            return Data(bytes)
        }
        Self.fileCampaign("safetensors", in: dir, ext: "safetensors", seeds: seeds, cases: 300, seed: 4, lie: lie) { url in
            let file = try SafetensorsFile(url)
            for tensor in file.tensors where tensor.dtype == .f32 || tensor.dtype == .f16 || tensor.dtype == .bf16 {
                _ = try file.floats(tensor.name)
            }
        }
    }

    // MARK: - Text files

    @Test func huggingFaceConfig() throws {
        let seeds = [try Data(contentsOf: Fixtures.url("hf/tiny-clip/config.json"))]
        Self.campaign("HF config.json", seeds: seeds, text: true, cases: 500, seed: 5) { data, i in
            _ = try HuggingFaceImport.clipConfig(fromHuggingFace: data, source: "case\(i)/config.json")
            return "case\(i)/config.json"
        }
    }

    @Test func candleCSV() throws {
        var market = SyntheticMarket.Configuration()
        market.bars = 60
        let series = SyntheticMarket.generate(market).series
        let seeds = [Data(CandleCSV.encode(series).utf8), Data(CandleCSV.encode(series, timestamps: .milliseconds).utf8)]
        Self.campaign("candle CSV", seeds: seeds, text: true, cases: 500, seed: 6) { data, i in
            _ = try CandleCSV.parse(data, source: "case\(i).csv", symbol: "SYNTHUSDT")
            return "case\(i).csv"
        }
    }

    @Test func datasetCSV() throws {
        let dir = try Self.folder("dataset")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("images"), withIntermediateDirectories: true)
        let png = try Data(contentsOf: Fixtures.url("images/pil_rgb_7x5.png"))
        var csv = "filepath,caption,setup_type,setup_direction,phase_type,confidence,symbol,timestamp,split\n"
        for (i, split) in ["train", "train", "val", "test"].enumerated() {
            let name = "images/SYNTHUSDT_20250101_0\(i)00_chart.png"
            try png.write(to: dir.appendingPathComponent(name))
            csv += "\(name),breakout in uptrend phase,breakout,up,trend_up,0.8\(i),SYNTHUSDT,2025-01-01T0\(i):00:00Z,\(split)\n"
        }
        Self.fileCampaign("dataset CSV", in: dir, ext: "csv", seeds: [Data(csv.utf8)], text: true, cases: 300, seed: 7) { url in
            _ = try VisionDataset.load(url)
        }
    }

    @Test func experimentYAML() throws {
        let yaml = """
            name: fuzz
            model: clip-tiny
            batch_size: 16
            steps: 100
            eval_every: 50
            checkpoint_every: 50
            seed: 3
            optimizer: {lr: 0.001, beta1: 0.9, beta2: 0.98, eps: 1.0e-6, weight_decay: 0.1}
            schedule: {kind: cosine, warmup_steps: 10, min_lr: 0}
            synthetic: {symbols: [SYNTHAUSDT, SYNTHBUSDT], bars: 3000, window: 64, stride: 4, val_fraction: 0.15, test_fraction: 0.15}
            stages:
              - {name: warm, steps: 20, lr: 0.002, warmup_steps: 5}
            """
        let staged = yaml.replacingOccurrences(of: "steps: 100\n", with: "")
        Self.campaign("experiment YAML", seeds: [Data(staged.utf8)], text: true, cases: 500, seed: 8) { data, i in
            _ = try ExperimentConfig.decode(yaml: String(decoding: data, as: UTF8.self), source: "case\(i).yaml")
            return "case\(i).yaml"
        }
    }

    @Test func labelsJournal() throws {
        let dir = try Self.folder("journal")
        let label = ChartLabel(setupType: .breakout, setupDirection: .up, phaseType: .trendUp, confidence: 0.8)
        var lines = ""
        for i in 0..<4 {
            let name = TrainingSampleName(symbol: "SYNTHUSDT", closeTimeMs: 1_735_689_600_000 + Int64(i) * 900_000)
            let record = TrainingSampleLabel(name: name, closeTimeMs: 1_735_689_600_000 + Int64(i) * 900_000, interval: "15m", label: label, labeler: "local")
            lines += String(decoding: try JSONEncoder().encode(record), as: UTF8.self) + "\n"
        }
        Self.fileCampaign("labels JSONL", in: dir, ext: "jsonl", seeds: [Data(lines.utf8)], text: true, cases: 300, seed: 9) { url in
            _ = try LabelsJournal.loadCounted(url)
        }
    }

    @Test func predictionJSON() throws {
        let p = CVPrediction(
            symbol: "JSTUSDT", timestamp: 1_750_687_200_000, interval: .m15, setup: "trap", setupDirection: .down, phase: "range",
            confidence: 0.82, setupProbabilities: ["trap": 0.82, "none": 0.18], phaseProbabilities: ["range": 1], model: "clip v3")
        let seeds = [try DecisionJSON.pretty(p), Data(#"{"setup": "breakout", "confidence": "0.91"}"#.utf8)]
        Self.campaign("prediction JSON", seeds: seeds, text: true, cases: 500, seed: 10) { data, i in
            _ = try CVPrediction.parse(data, fileName: "JSTUSDT_20250623_14\(i % 60 < 10 ? "0" : "")\(i % 60).json")
            return ""
        }
    }

    // MARK: - Server answers

    @Test func gptAnswer() throws {
        let seeds = [try Data(contentsOf: Fixtures.url("labels/chat_completion.json"))]
        Self.campaign("GPT answer", seeds: seeds, text: true, cases: 500, seed: 11) { data, _ in
            let text = try GPTPrompt.answerText(fromResponse: data)
            _ = try GPTAnswerParser.parse(text)
            return ""
        }
    }

    @Test func bybitAnswer() throws {
        let body = #"{"retCode":0,"retMsg":"OK","result":{"category":"linear","symbol":"BTCUSDT","list":[["1670608800000","17071","17073","17027","17055.5","268611","15.74462667"],["1670607900000","17060","17075","17050","17071","1221","20.8"]]},"retExtInfo":{},"time":1672025956592}"#
        Self.campaign("Bybit answer", seeds: [Data(body.utf8)], text: true, cases: 500, seed: 12) { data, _ in
            _ = try BybitKlinePage.decode(data)
            return ""
        }
    }
}
