import ChartCLIPImage
import ChartCLIPLabels
import ChartCLIPModels
import ChartCLIPSupport
import ChartCLIPTensor
import ChartCLIPTestSupport
import ChartCLIPText
import ChartCLIPTraining
import Foundation
import Testing

/// Widening training without moving the yardstick: markets whose every chart goes to
/// training, charts held as their PNG bytes so hundreds of thousands fit in memory, and a
/// probe fitted on an even share of a large training split.
@Suite struct TrainingMarketsTests {
    static let base = "name: x\nmodel: clip-tiny\nbatch_size: 8\nsteps: 1\n"

    @Test func trainingSymbolsDecodeWriteBackAndMustNotRepeat() throws {
        let config = try ExperimentConfig.decode(
            yaml: Self.base + "synthetic: {symbols: [SYNTHAUSDT], training_symbols: [SYNTH02USDT, SYNTH03USDT], bars: 500}\n", source: "c.yaml")
        #expect(config.synthetic?.trainingSymbols == ["SYNTH02USDT", "SYNTH03USDT"])
        #expect(try ExperimentConfig.decode(yaml: try config.yamlString(), source: "resolved.yaml") == config)
        // Left out of files without them, so older resolved configs read the same.
        let plain = try ExperimentConfig.decode(yaml: Self.base + "synthetic: {bars: 500}\n", source: "c.yaml")
        #expect(plain.synthetic?.trainingSymbols == [])
        #expect(try !plain.yamlString().contains("training_symbols"))
        for yaml in [
            "synthetic: {symbols: [SYNTHAUSDT], training_symbols: [SYNTHAUSDT], bars: 500}",
            "synthetic: {symbols: [SYNTHAUSDT], training_symbols: [SYNTH02USDT, SYNTH02USDT], bars: 500}",
        ] {
            #expect {
                try ExperimentConfig.decode(yaml: Self.base + yaml + "\n", source: "b.yaml")
            } throws: { "\($0)".contains("training_symbols") && "\($0)".contains("b.yaml") && "\($0)".contains("named twice") }
        }
        #expect { try TimeSplit(holdoutSymbols: ["A"], trainingSymbols: ["A", "B"]) } throws: { "\($0)".contains("A is both") }
    }

    /// The extra markets add training charts only: the named markets' validation and test
    /// charts are the same files with the same labels as in the dataset without them.
    @Test func trainingMarketsLeaveValidationAndTestAsTheyWere() async throws {
        let cache = try Fixtures.temporaryDirectory("training-markets")
        defer { try? FileManager.default.removeItem(at: cache) }
        var s = SyntheticDataConfig()
        s.symbols = ["SYNTHAUSDT", "SYNTHBUSDT"]
        s.bars = 600
        s.window = 32
        s.stride = 8
        let without = try await DatasetSource.prepareSynthetic(s, imageSize: 32, cacheRoot: cache, progress: false)
        s.trainingSymbols = ["SYNTH03USDT", "SYNTH04USDT"]
        let with = try await DatasetSource.prepareSynthetic(s, imageSize: 32, cacheRoot: cache, progress: false)
        #expect(with.root != without.root)
        let extra = with.rows.filter { s.trainingSymbols.contains($0.symbol) }
        #expect(Set(extra.map(\.symbol)) == Set(s.trainingSymbols) && extra.allSatisfy { $0.split == .train })
        for split in [DatasetSplit.val, .test] {
            let a = without.rows(in: split), b = with.rows(in: split)
            #expect(!a.isEmpty && a.map(\.filepath) == b.map(\.filepath) && a.map(\.label) == b.map(\.label), "\(split)")
            for (x, y) in zip(a, b).prefix(3) {
                #expect(try Data(contentsOf: x.imageURL) == Data(contentsOf: y.imageURL))
            }
        }
        #expect(with.rows(in: .train).count > without.rows(in: .train).count + extra.count / 2)
        // The third market has the seed after the second's: its candles are not the first's.
        let first = with.rows.filter { $0.symbol == "SYNTHAUSDT" }.map(\.label.setupType)
        let third = with.rows.filter { $0.symbol == "SYNTH03USDT" }.map(\.label.setupType)
        #expect(first != third)
    }

    /// Charts at the model's size are held as PNG bytes and decoded into exactly the pixels a
    /// decoded copy gives; other sizes are resized once and held as pixels.
    @Test func chartsAreHeldCompressedAndBatchTheSamePixels() async throws {
        let cache = try Fixtures.temporaryDirectory("pair-data")
        defer { try? FileManager.default.removeItem(at: cache) }
        var s = SyntheticDataConfig()
        s.symbols = ["SYNTHAUSDT"]
        s.bars = 400
        s.window = 32
        s.stride = 8
        let dataset = try await DatasetSource.prepareSynthetic(s, imageSize: 32, cacheRoot: cache, progress: false)
        let rows = Array(dataset.rows.prefix(40))
        let tokenizer = try CLIPTokenizer()
        func config(_ size: Int) -> CLIPConfig {
            CLIPConfig(
                embedDim: 8, visionConfig: VisionConfig(imageSize: size, patchSize: 8, width: 8, layers: 1, heads: 2),
                textConfig: TextConfig(contextLength: 16, vocabSize: 64, width: 8, layers: 1, heads: 2), activation: .quickGELU)
        }
        let compressed = try PairData(rows: rows, config: config(32), tokenizer: tokenizer, progress: false)
        #expect(compressed.imageBytes < rows.count * 32 * 32 * 3 / 2)
        let resized = try PairData(rows: rows, config: config(16), tokenizer: tokenizer, progress: false)
        #expect(resized.imageBytes == rows.count * 16 * 16 * 3)
        let indices = [5, 0, 39, 17]
        let batch = try compressed.batch(indices, grouping: .caption)
        let pre = CLIPImagePreprocessor(size: 32)
        let expected = TensorStorage(count: indices.count * pre.valuesPerImage)
        for (k, i) in indices.enumerated() {
            let image = try PNGCodec.read(from: rows[i].imageURL)
            #expect(try compressed.image(at: i) == image)
            pre.write(image, into: expected.pointer + k * pre.valuesPerImage)
        }
        #expect(batch.images.shape == [4, 3, 32, 32] && batch.images.scalars == expected.array)
        #expect(try resized.batch(indices, grouping: .caption).images.shape == [4, 3, 16, 16])
        // A damaged chart stops the load and names its file.
        let copy = cache.appendingPathComponent("broken.png")
        try Data("not a png".utf8).write(to: copy)
        var damaged = rows[0]
        damaged.imageURL = copy
        #expect {
            try PairData(rows: [rows[1], damaged], config: config(32), tokenizer: tokenizer, progress: false)
        } throws: { "\($0)".contains("broken.png") }
    }

    @Test func theProbeIsFittedOnAnEvenShareOfALargeTrainingSplit() {
        #expect(Evaluator.evenlyThinned(5, limit: 10) == [0, 1, 2, 3, 4])
        let thinned = Evaluator.evenlyThinned(300, limit: 100)
        #expect(thinned.count == 100 && thinned.first == 0 && thinned.last == 297 && Set(thinned).count == 100)
        #expect(zip(thinned, thinned.dropFirst()).allSatisfy { $1 - $0 == 3 })
        #expect(Evaluator.evenlyThinned(7, limit: 3) == [0, 2, 4])
    }
}
