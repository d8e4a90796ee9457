import ChartCLIPFiles
import ChartCLIPLabels
import ChartCLIPModels
import ChartCLIPSupport
import ChartCLIPTensor
import ChartCLIPTensorBoard
import ChartCLIPTestSupport
import ChartCLIPText
import ChartCLIPTraining
import Foundation
import Testing

/// Runs end to end on a small synthetic market: interrupted and resumed runs give the same
/// losses as uninterrupted ones; checkpoints reload; evaluation and embeddings files work.
@Suite(.serialized) struct TrainingRunTests {
    static func config(name: String, output: URL, steps: Int = 6, extra: String = "") throws -> ExperimentConfig {
        try ExperimentConfig.decode(yaml: extra + """
            name: \(name)
            model: clip-tiny
            synthetic: {bars: 900, seed: 3, window: 48, stride: 12}
            batch_size: 8
            steps: \(steps)
            optimizer: {lr: 1.0e-3}
            schedule: {warmup_steps: 2}
            grad_clip: 1.0
            seed: 5
            threads: 2
            eval_every: 3
            checkpoint_every: 1
            augment: {enabled: true}
            output_dir: \(output.path)
            """, source: "test")
    }

    @Test func resumedRunContinuesTheSameCurve() async throws {
        let root = try Fixtures.temporaryDirectory("train")
        let cache = root.appendingPathComponent("cache")
        let whole = try TrainingRun.start(try Self.config(name: "whole", output: root), cacheRoot: cache)
        whole.showProgress = false
        let reference = try await whole.run()
        #expect(reference.steps == 6)

        let interrupted = try TrainingRun.start(try Self.config(name: "cut", output: root), cacheRoot: cache)
        interrupted.showProgress = false
        let first = try await interrupted.run(stopAfter: 4)
        #expect(first.steps == 4)
        let resumed = try TrainingRun.resume(interrupted.directory.url, cacheRoot: cache)
        resumed.showProgress = false
        let second = try await resumed.run()
        #expect(second.steps == 6)
        for step in 1...6 {
            let loss = first.losses[step] ?? second.losses[step]
            #expect(loss == reference.losses[step], "step \(step)")
        }
        // metrics.jsonl lists every step once.
        let steps = interrupted.directory.readMetrics().filter { $0["loss"] != nil }.compactMap { $0["step"] as? Int }
        #expect(steps == Array(1...6))
        // So do the TensorBoard event files, one per process, with the same losses.
        let eventFiles = try FileManager.default.contentsOfDirectory(at: interrupted.directory.url, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.hasPrefix("events.out.tfevents.") }
        #expect(eventFiles.count == 2)
        let logged = try eventFiles.flatMap { try TensorBoardReader.read($0).scalars }.filter { $0.tag == "train/loss" }
        #expect(logged.map(\.step).sorted() == Array(1...6))
        for scalar in logged { #expect(scalar.value == (first.losses[scalar.step] ?? second.losses[scalar.step])) }
        // The final weights are identical.
        let a = try Checkpoint.load(from: whole.directory.latest), b = try Checkpoint.load(from: interrupted.directory.latest)
        #expect(a.parameters["visual.proj.weight"] == b.parameters["visual.proj.weight"])
        #expect(FileManager.default.fileExists(atPath: whole.directory.best.path))
        #expect(FileManager.default.fileExists(atPath: whole.directory.config.path))
        // run.json records the code version and the executable (which checkout the version
        // comes from is tested with a made-up tree in ExperimentConfigTests).
        let info = try JSONSerialization.jsonObject(with: Data(contentsOf: whole.directory.runInfo)) as? [String: String]
        #expect(info?["code_version"] == CodeVersion.describe(directory: Fixtures.repositoryRoot))
        #expect(info?["code_version"] != "unknown" && info?["executable"] == CodeVersion.executable?.path)
    }

    /// On a CPU without AVX512-BF16 (the path switched off here), a bfloat16 config fails at
    /// start with one line that says what to do, before a run folder exists; `auto` trains in
    /// float32 and records both the request and the choice in run.json.
    @Test func bfloat16WithoutTheInstructionFailsAtStartAndAutoRunsInFloat32() async throws {
        let root = try Fixtures.temporaryDirectory("portable-precision")
        let cache = root.appendingPathComponent("cache")
        try await InstructionSet.limited(to: .avx2) {
            let refused = try Self.config(name: "refused", output: root, steps: 2, extra: "matmul_precision: bfloat16\n")
            #expect {
                try TrainingRun.start(refused, cacheRoot: cache)
            } throws: { error in
                let text = "\(error)"
                return text.contains("AVX512-BF16") && text.contains("--precision float32") && text.contains("auto")
                    && !text.contains("\n")
            }
            #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("refused").path))
            let auto = try TrainingRun.start(
                try Self.config(name: "auto", output: root, steps: 2, extra: "matmul_precision: auto\n"), cacheRoot: cache)
            auto.showProgress = false
            #expect(auto.precision == .float32)
            let summary = try await auto.run()
            #expect(summary.steps == 2 && summary.losses.values.allSatisfy(\.isFinite))
            let info = try JSONSerialization.jsonObject(with: Data(contentsOf: auto.directory.runInfo)) as? [String: String]
            #expect(info?["matmul_precision"] == "float32" && info?["matmul_precision_requested"] == "auto")
            // A run started in bfloat16 elsewhere resumes here in float32 when asked.
            try AtomicFile.write(
                try String(contentsOf: auto.directory.config, encoding: .utf8).replacingOccurrences(
                    of: "matmul_precision: auto", with: "matmul_precision: bfloat16"), to: auto.directory.config)
            #expect { try TrainingRun.resume(auto.directory.url, cacheRoot: cache) } throws: { "\($0)".contains("AVX512-BF16") }
            #expect(try TrainingRun.resume(auto.directory.url, precision: .float32, cacheRoot: cache).precision == .float32)
        }
    }

    /// `matmul_precision: bfloat16`: the run records it, its losses stay within a few percent
    /// of float32's without equalling them, and an interrupted run resumes on the same curve.
    @Test(.enabled(if: MatmulPrecision.isBFloat16Supported, "AVX512-BF16 is absent here or switched off (CHARTCLIP_ISA)"))
    func bfloat16RunResumesOnTheSameCurve() async throws {
        let root = try Fixtures.temporaryDirectory("bf16")
        let cache = root.appendingPathComponent("cache")
        let exact = try TrainingRun.start(try Self.config(name: "f32", output: root), cacheRoot: cache)
        exact.showProgress = false
        let reference = try await exact.run()
        let bf16 = "matmul_precision: bfloat16\n"
        let whole = try TrainingRun.start(try Self.config(name: "whole", output: root, extra: bf16), cacheRoot: cache)
        whole.showProgress = false
        let mixed = try await whole.run()
        for step in 1...6 {
            let (a, b) = (try #require(mixed.losses[step]), try #require(reference.losses[step]))
            #expect(a.isFinite && abs(a - b) < 0.05 * b, "step \(step): \(a) vs float32 \(b)")
        }
        #expect((1...6).contains { mixed.losses[$0] != reference.losses[$0] }, "bfloat16 products gave float32's losses")

        let interrupted = try TrainingRun.start(try Self.config(name: "cut", output: root, extra: bf16), cacheRoot: cache)
        interrupted.showProgress = false
        let first = try await interrupted.run(stopAfter: 4)
        let resumed = try TrainingRun.resume(interrupted.directory.url, cacheRoot: cache)
        resumed.showProgress = false
        let second = try await resumed.run()
        for step in 1...6 { #expect((first.losses[step] ?? second.losses[step]) == mixed.losses[step], "step \(step)") }
        let info = try JSONSerialization.jsonObject(with: Data(contentsOf: whole.directory.runInfo)) as? [String: String]
        #expect(info?["matmul_precision"] == "bfloat16")
        #expect(try String(contentsOf: whole.directory.config, encoding: .utf8).contains("matmul_precision: bfloat16"))
        #expect(Gemm.precision == .float32)
        // Trained in bfloat16, evaluated where the instruction is missing: float32 products.
        var evaluator = Evaluator()
        evaluator.showProgress = false
        let dataset = try #require(mixed.dataset)
        let portable = try InstructionSet.limited(to: .avx2) {
            try evaluator.evaluate(checkpointURL: whole.directory.best, dataset: dataset, output: root.appendingPathComponent("report-avx2"))
        }
        #expect(portable.matmulPrecision == .float32 && portable.count > 0)
    }

    /// `image_size` with an `init_checkpoint`: the run trains the same weights on smaller
    /// charts (clip-tiny's 64 pixels to 32), from resampled positions; `patch_size` on
    /// larger charts cut into larger patches, from a resized patch embedding.
    @Test func runFromACheckpointAtAnotherChartSize() async throws {
        let root = try Fixtures.temporaryDirectory("resize")
        let cache = root.appendingPathComponent("cache")
        let first = try TrainingRun.start(try Self.config(name: "first", output: root, steps: 2), cacheRoot: cache)
        first.showProgress = false
        try await first.run()
        var config = try Self.config(name: "smaller", output: root, steps: 2)
        config.model = nil
        config.initCheckpoint = first.directory.best.path
        config.imageSize = 32
        let saved = try ExperimentConfig.decode(yaml: try config.yamlString(), source: "resolved")
        #expect(saved.imageSize == 32 && saved.initCheckpoint == first.directory.best.path)
        let second = try TrainingRun.start(saved, cacheRoot: cache)
        second.showProgress = false
        let summary = try await second.run()
        #expect(summary.steps == 2 && summary.losses.values.allSatisfy(\.isFinite))
        #expect(try #require(summary.dataset).root.path.contains("_px32"))
        let trained = try Checkpoint.load(from: second.directory.latest)
        #expect(trained.config.visionConfig.imageSize == 32)
        #expect(trained.parameters["visual.positional_embedding"]?.count == (4 * 4 + 1) * trained.config.visionConfig.width)
        // patch_size: larger patches on the same 8×8 grid, so 96-pixel charts.
        var larger = try Self.config(name: "larger-patches", output: root, steps: 2)
        larger.model = nil
        larger.initCheckpoint = first.directory.best.path
        larger.patchSize = 12
        let third = try TrainingRun.start(try ExperimentConfig.decode(yaml: try larger.yamlString(), source: "resolved"), cacheRoot: cache)
        third.showProgress = false
        let run3 = try await third.run()
        #expect(try #require(run3.dataset).root.path.contains("_px96") && run3.losses.values.allSatisfy(\.isFinite))
        let patched = try Checkpoint.load(from: third.directory.latest)
        #expect(patched.config.visionConfig.patchSize == 12 && patched.config.visionConfig.imageSize == 96)
        #expect(patched.parameters["visual.positional_embedding"]?.count == (8 * 8 + 1) * patched.config.visionConfig.width)
        // vision_layers: the checkpoint's 2-block image tower grown to 3, the new block in
        // the middle; a fresh model is built with that many blocks; fewer is refused.
        var deeper = try Self.config(name: "deeper", output: root, steps: 1)
        deeper.model = nil
        deeper.initCheckpoint = first.directory.best.path
        deeper.visionLayers = 3
        let saved3 = try ExperimentConfig.decode(yaml: try deeper.yamlString(), source: "resolved")
        #expect(saved3.visionLayers == 3)
        let grownRun = try TrainingRun.start(saved3, cacheRoot: cache)
        grownRun.showProgress = false
        #expect(try await grownRun.run().losses.values.allSatisfy(\.isFinite))
        let grown = try Checkpoint.load(from: grownRun.directory.latest)
        let start = try Checkpoint.load(from: first.directory.best)
        #expect(grown.config.visionConfig.layers == 3 && start.config.visionConfig.layers == 2)
        #expect(grown.parameters["visual.blocks.2.mlp.fc1.weight"] != nil && grown.parameters["visual.blocks.3.mlp.fc1.weight"] == nil)
        var freshDeep = try Self.config(name: "fresh-deep", output: root, steps: 1)
        freshDeep.visionLayers = 3
        let freshRun = try TrainingRun.start(freshDeep, cacheRoot: cache)
        freshRun.showProgress = false
        try await freshRun.run()
        #expect(try Checkpoint.load(from: freshRun.directory.latest).config.visionConfig.layers == 3)
        deeper.name = "shallower"
        deeper.visionLayers = 1
        do {
            _ = try await TrainingRun.start(deeper, cacheRoot: cache).run()
            Issue.record("a tower with fewer blocks than the checkpoint's should be refused")
        } catch {
            #expect("\(error)".contains("blocks can only be added"), "\(error)")
        }
        #expect { try Self.config(name: "none", output: root, extra: "vision_layers: 0\n") } throws: { "\($0)".contains("'vision_layers'") }
        // Without a checkpoint, patch_size keeps the model config's grid too: clip-tiny's
        // 8×8 patches of 8 pixels become 8×8 patches of 4 on 32-pixel charts.
        var fresh = try Self.config(name: "fresh-patches", output: root, steps: 1)
        fresh.patchSize = 4
        let fourth = try TrainingRun.start(fresh, cacheRoot: cache)
        fourth.showProgress = false
        #expect(try #require(try await fourth.run().dataset).root.path.contains("_px32"))
        let small = try Checkpoint.load(from: fourth.directory.latest).config.visionConfig
        #expect(small.patchSize == 4 && small.imageSize == 32)
        config.imageSize = 30
        do {
            _ = try await TrainingRun.start(config, cacheRoot: cache).run()
            Issue.record("a size that is not a multiple of the patch should be refused")
        } catch {
            #expect("\(error)".contains("use 24 or 32"), "\(error)")
        }
    }

    @Test func evaluationAndEmbeddingsFromATrainedRun() async throws {
        let root = try Fixtures.temporaryDirectory("eval")
        let cache = root.appendingPathComponent("cache")
        var config = try Self.config(name: "eval", output: root, steps: 3)
        config.evalEvery = 1
        let run = try TrainingRun.start(config, cacheRoot: cache)
        run.showProgress = false
        let summary = try await run.run()
        let dataset = try #require(summary.dataset)
        var evaluator = Evaluator()
        evaluator.showProgress = false
        evaluator.runDirectory = run.directory.url
        // The quick validation after the last step reads the validation split as the full
        // evaluation of that step's weights (latest.h5) does, the prior readout included.
        let validations = run.directory.readMetrics().filter { $0["val_zero_shot_setup_accuracy"] != nil }
        #expect(validations.map { $0["step"] as? Int } == [1, 2, 3])
        let quick = try #require(validations.last)
        var validationEvaluator = evaluator
        validationEvaluator.split = .val
        let full = try validationEvaluator.evaluate(checkpointURL: run.directory.latest, dataset: dataset, output: root.appendingPathComponent("report-val"))
        #expect(quick["val_zero_shot_setup_accuracy"] as? Double == full.zeroShotSetup.accuracy)
        #expect(quick["val_zero_shot_phase_accuracy"] as? Double == full.zeroShotPhase.accuracy)
        #expect(quick["val_zero_shot_setup_type_prior_accuracy"] as? Double == full.zeroShotSetupTypeWithPrior?.accuracy)
        let report = root.appendingPathComponent("report")
        let results = try evaluator.evaluate(checkpointURL: run.directory.best, dataset: dataset, output: report)
        #expect(results.count == dataset.rows(in: .test).count)
        #expect(results.zeroShotSetup.confusion.flatMap { $0 }.reduce(0, +) == results.count)
        for file in [
            "report.md", "metrics.json", "loss_curve.png", "validation_curve.png", "confusion_setup_zero_shot.png", "reliability.png", "samples.png",
        ] {
            #expect(FileManager.default.fileExists(atPath: report.appendingPathComponent(file).path), "\(file)")
        }
        // The generated dataset's own sharpness.csv is read by default: every test chart is
        // in one group of each margin.
        let own = try #require(results.bySharpness)
        #expect(results.sharpnessFile?.hasSuffix("vision_dataset/sharpness.csv") == true && results.sharpnessUnlisted == 0)
        #expect(own.map(\.margin) == [0.05, 0.05, 0.15, 0.15, 0.15, 0.15] && own[0].count + own[1].count == results.count)
        #expect(own[2].count + own[3].count == results.count)
        // Then the charts whose type also holds when any bar count moves by one bar, and the rest.
        #expect(own.map(\.barCounts) == [nil, nil, nil, nil, true, true] && own.map(\.holds) == [true, false, true, false, true, false])
        #expect(own[4].count + own[5].count == results.count && own[4].count <= own[2].count)
        #expect(own[4].name() == "type holds at ±15% and ±1 bar" && own[5].name() == "type changes at ±15% or ±1 bar")
        let ownReport = try String(contentsOf: report.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(ownReport.contains("(the dataset's `sharpness.csv`)") && ownReport.contains("![accuracy by label sharpness](sharpness.png)"))
        #expect(FileManager.default.fileExists(atPath: report.appendingPathComponent("sharpness.png").path))
        // predictions.csv: one line per chart, in the split's order, whose answers are the
        // ones the metrics counted.
        let table = try String(contentsOf: report.appendingPathComponent("predictions.csv"), encoding: .utf8)
            .split(separator: "\n").enumerated().map { try DatasetCSV.fields($1, location: "predictions.csv, line \($0 + 1)") }
        let header = try #require(table.first)
        #expect(header == [
            "filepath", "symbol", "timestamp", "setup", "setup_type", "phase", "zero_shot_setup", "zero_shot_setup_probability",
            "zero_shot_setup_type", "zero_shot_setup_type_with_prior", "zero_shot_phase", "linear_probe_setup",
            "changes_at_0.05", "changes_at_0.15", "deciding_at_0.05", "deciding_at_0.15", "deciding_bar_counts",
        ])
        let body = table.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
        #expect(body.map { $0["filepath"] } == dataset.rows(in: .test).map(\.filepath))
        let agree = { (truth: String, answer: String) in body.filter { $0[truth] == $0[answer] }.count }
        let diagonal = { (m: ClassificationMetrics) in m.confusion.indices.reduce(0) { $0 + m.confusion[$1][$1] } }
        #expect(agree("setup", "zero_shot_setup") == diagonal(results.zeroShotSetup))
        #expect(agree("setup_type", "zero_shot_setup_type") == diagonal(results.zeroShotSetupType))
        #expect(agree("setup_type", "zero_shot_setup_type_with_prior") == diagonal(try #require(results.zeroShotSetupTypeWithPrior)))
        #expect(agree("phase", "zero_shot_phase") == diagonal(results.zeroShotPhase))
        #expect(agree("setup", "linear_probe_setup") == diagonal(try #require(results.linearProbeSetup)))
        #expect(body.filter { $0["changes_at_0.15"] == "true" }.count == own[3].count)
        #expect(body.allSatisfy { Double($0["zero_shot_setup_probability"] ?? "").map { $0 > 0 && $0 <= 1 } ?? false })
        // By deciding threshold (±15%): each group holds the charts whose deciding cell names
        // its threshold, scored like the whole split.
        let thresholds = try #require(results.byThreshold)
        for g in thresholds {
            let picked = body.filter { (line: [String: String]) -> Bool in
                (line["deciding_at_0.15"] ?? "").split(separator: ";").contains(Substring(g.threshold))
            }
            #expect(g.margin == 0.15 && g.count == picked.count && g.count > 0, "\(g.threshold)")
            let right = picked.filter { $0["setup_type"] == $0["zero_shot_setup_type_with_prior"] }.count
            #expect(abs((g.zeroShotSetupTypeWithPrior ?? -1) - Double(right) / Double(picked.count)) < 1e-12, "\(g.threshold)")
        }
        #expect(thresholds.map(\.count) == thresholds.map(\.count).sorted(by: >))
        let named: [String] = body.flatMap { (line: [String: String]) -> [String] in
            (line["deciding_at_0.15"] ?? "").split(separator: ";").map(String.init)
        }
        #expect(Set(named) == Set(thresholds.map(\.threshold)))
        #expect(ownReport.contains("## By deciding threshold") == !thresholds.isEmpty)
        // By deciding bar count: likewise from the deciding_bar_counts column; the charts
        // named by none are the group that holds at ±15% and ±1 bar, less those that change at ±15%.
        let barCounts = try #require(results.byBarCount)
        for g in barCounts {
            let picked = body.filter { ($0["deciding_bar_counts"] ?? "").split(separator: ";").contains(Substring(g.threshold)) }
            #expect(g.margin == 1 && g.count == picked.count && g.count > 0, "\(g.threshold)")
        }
        let unnamed = body.filter { $0["deciding_bar_counts"] == "" && $0["changes_at_0.15"] == "false" }.count
        #expect(unnamed == own[4].count)
        #expect(ownReport.contains("## By deciding bar count") == !barCounts.isEmpty)
        #expect(ownReport.contains("| type holds at ±15% and ±1 bar | \(own[4].count) |"))
        // Scored by label sharpness: the test charts split by a made-up sharpness file (every
        // third chart changes at ±15%, none at ±5%; the first chart is not listed). Each
        // group's predictions are the full evaluation's, so the groups add up to it.
        let testRows = dataset.rows(in: .test)
        var lines = ["symbol,timestamp,setup_type,changes_at_0.05,changes_at_0.15"]
        for (i, row) in testRows.enumerated().dropFirst() {
            lines.append("\(row.symbol),\(row.timestamp),\(row.label.setupType.rawValue),false,\(i % 3 == 0)")
        }
        let sharpnessFile = root.appendingPathComponent("sharp.csv")
        try lines.joined(separator: "\n").write(to: sharpnessFile, atomically: true, encoding: .utf8)
        evaluator.sharpness = try ChartSharpness.load(sharpnessFile)
        let split = try evaluator.evaluate(checkpointURL: run.directory.best, dataset: dataset, output: root.appendingPathComponent("report-sharp"))
        let groups = try #require(split.bySharpness)
        #expect(groups.map(\.margin) == [0.05, 0.05, 0.15, 0.15] && groups.map(\.holds) == [true, false, true, false])
        #expect(split.sharpnessUnlisted == 1 && split.sharpnessFile == nil)
        #expect(groups[0].count == testRows.count - 1 && groups[1].count == 0)
        #expect(groups[2].count + groups[3].count == testRows.count - 1 && groups[3].count == (testRows.count - 1) / 3)
        // Correct answers of the two ±15% groups plus the unlisted chart's are the whole split's.
        let correct = { (m: ClassificationMetrics) in zip(m.confusion.indices, m.confusion).reduce(0) { $0 + $1.1[$1.0] } }
        let total = correct(groups[2].zeroShotSetupType) + correct(groups[3].zeroShotSetupType)
        #expect(total == correct(split.zeroShotSetupType) || total + 1 == correct(split.zeroShotSetupType))
        #expect(correct(groups[0].zeroShotSetup) == correct(groups[2].zeroShotSetup) + correct(groups[3].zeroShotSetup))
        // The probe's answers read as setup types: right exactly where the predicted setup and
        // direction has the true one's type.
        let probe = try #require(split.linearProbeSetup), probeType = try #require(split.linearProbeSetupType)
        let typeOf = { (name: String) in name.prefix { $0 != "/" } }
        var sameType = 0
        for (i, row) in probe.confusion.enumerated() {
            for (j, n) in row.enumerated() where typeOf(probe.classes[i]) == typeOf(probe.classes[j]) { sameType += n }
        }
        #expect(probeType.classes == split.zeroShotSetupType.classes && correct(probeType) == sameType)
        #expect(probeType.confusion.flatMap { $0 }.reduce(0, +) == split.count)
        let holdsType = try #require(groups[2].linearProbeSetupType), changesType = try #require(groups[3].linearProbeSetupType)
        #expect(correct(holdsType) + correct(changesType) <= correct(probeType))
        let sharpReport = try String(contentsOf: root.appendingPathComponent("report-sharp/report.md"), encoding: .utf8)
        #expect(sharpReport.contains("## By label sharpness") && sharpReport.contains("type changes at ±15%"))
        #expect(sharpReport.contains("; 1 charts of the split are not in the file"))
        #expect(try JSONDecoder().decode(Evaluator.Results.self, from: Data(contentsOf: root.appendingPathComponent("report-sharp/metrics.json"))).bySharpness == groups)

        // The probe's features: the embeddings by default, or the class tokens before the
        // projection (width D) or of the last blocks (4·D, or every block of a shallower tower).
        #expect(results.linearProbeFeatures == .embedding)
        let model = try Checkpoint.load(from: run.directory.best).makeModel()
        model.eval()
        let pairs = try PairData(rows: testRows, config: model.config, tokenizer: CLIPTokenizer(), progress: false)
        let d = model.config.visionConfig.width, blocks = min(4, model.config.visionConfig.layers)
        let embedded = try ProbeFeatures.embedding.compute(model: model, data: pairs)
        let pooled = try ProbeFeatures.pooled.compute(model: model, data: pairs)
        let stacked = try ProbeFeatures.lastFourBlocks.compute(model: model, data: pairs)
        #expect(embedded.count == testRows.count && pooled.count == testRows.count && stacked.count == testRows.count)
        #expect(embedded[0].count == model.config.embedDim && pooled[0].count == d && stacked[0].count == blocks * d)
        #expect(zip(pooled, stacked).allSatisfy { $0.0 == Array($0.1.suffix(d)) }, "the last block's token closes the stack")
        evaluator.probeFeatures = .lastFourBlocks
        let deeper = try evaluator.evaluate(checkpointURL: run.directory.best, dataset: dataset, output: root.appendingPathComponent("report-blocks"))
        #expect(deeper.linearProbeFeatures == .lastFourBlocks && deeper.linearProbeSetup?.confusion.flatMap { $0 }.reduce(0, +) == deeper.count)
        let blocksReport = try String(contentsOf: root.appendingPathComponent("report-blocks/report.md"), encoding: .utf8)
        #expect(blocksReport.contains("training charts, class tokens of the last four blocks)"))
        evaluator.probeFeatures = .embedding

        let h5 = root.appendingPathComponent("embeddings.h5")
        let n = try EmbeddingExport.write(checkpointURL: run.directory.best, dataset: dataset, output: h5, progress: false)
        let file = try HDF5File(reading: h5)
        #expect(try file.read("/image_embeddings", as: Float.self).shape == [n, 64])
        #expect(try file.readStrings("/setup").count == n)
        #expect(try file.readStrings("/split").contains("train"))
        // Both record how their products ran: float32 unless bound otherwise.
        let recorded = try file.attribute("matmul_precision")
        #expect(results.matmulPrecision == .float32 && recorded == .string("float32"))
        #expect(ownReport.contains("- matrix products: float32"))
        if MatmulPrecision.isBFloat16Supported {
            let mixed = try Gemm.$precision.withValue(.bfloat16) {
                try evaluator.evaluate(checkpointURL: run.directory.best, dataset: dataset, output: root.appendingPathComponent("report-bf16"))
            }
            #expect(mixed.matmulPrecision == .bfloat16 && mixed.count == results.count)
            let h5b = root.appendingPathComponent("embeddings-bf16.h5")
            try Gemm.$precision.withValue(.bfloat16) {
                _ = try EmbeddingExport.write(checkpointURL: run.directory.best, dataset: dataset, output: h5b, progress: false)
            }
            let recordedMixed = try HDF5File(reading: h5b).attribute("matmul_precision")
            #expect(recordedMixed == .string("bfloat16"))
        }
    }
}
