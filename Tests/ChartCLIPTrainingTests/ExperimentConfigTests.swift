import ChartCLIPCharts
import ChartCLIPSupport
import ChartCLIPTensor
import ChartCLIPTestSupport
import ChartCLIPLabels
@testable import ChartCLIPTraining
import Foundation
import Testing

/// Experiment configs: the shipped ones decode; mistakes are named.
@Suite struct ExperimentConfigTests {
    /// Every config in configs/experiments (at least the four the issue names).
    static let shipped = ((try? FileManager.default.contentsOfDirectory(
        atPath: Fixtures.repositoryRoot.appendingPathComponent("configs/experiments").path)) ?? [])
        .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()

    @Test func theNamedConfigsAreShipped() {
        #expect(Set(["smoke", "synthetic", "bybit", "finetune-vit-b-16"]).isSubset(of: Self.shipped))
    }

    /// A config is data: it decodes the same with the bfloat16 path switched off (as on an
    /// AVX2-only CPU), including those that ask for bfloat16 products.
    @Test(arguments: shipped)
    func shippedConfigsDecode(name: String) throws {
        let url = Fixtures.repositoryRoot.appendingPathComponent("configs/experiments/\(name).yaml")
        let everywhere = try ExperimentConfig.load(url)
        let portable = try InstructionSet.limited(to: .avx2) {
            #expect(!MatmulPrecision.isBFloat16Supported)
            return try ExperimentConfig.load(url)
        }
        #expect(portable == everywhere && portable.name == name)
    }

    @Test func unknownFieldIsNamed() {
        #expect {
            try ExperimentConfig.decode(yaml: "name: x\nmodel: clip-tiny\ndataset: d\nbatch_size: 8\nsteps: 1\nlearning_rate: 3\n", source: "x.yaml")
        } throws: { "\($0)".contains("learning_rate") && "\($0)".contains("x.yaml") }
        #expect {
            try ExperimentConfig.decode(yaml: "name: x\nmodel: clip-tiny\ndataset: d\nbatch_size: 8\nsteps: 1\noptimizer: {lr: 1, betas: 2}\n", source: "y.yaml")
        } throws: { "\($0)".contains("optimizer.betas") }
    }

    @Test func mistypedAndMissingFieldsAreNamed() {
        #expect {
            try ExperimentConfig.decode(yaml: "name: x\nmodel: clip-tiny\ndataset: d\nbatch_size: eight\nsteps: 1\n", source: "t.yaml")
        } throws: { "\($0)".contains("batch_size") }
        #expect {
            try ExperimentConfig.decode(yaml: "model: clip-tiny\ndataset: d\nbatch_size: 8\nsteps: 1\n", source: "m.yaml")
        } throws: { "\($0)".contains("name") }
        #expect {
            try ExperimentConfig.decode(yaml: "name: x\nmodel: clip-tiny\nbatch_size: 8\nsteps: 1\n", source: "d.yaml")
        } throws: { "\($0)".contains("dataset") }
        #expect {
            try ExperimentConfig.decode(yaml: "name: x\nmodel: clip-tiny\ndataset: d\nbatch_size: 8\nsteps: 1\nloss: hinge\n", source: "l.yaml")
        } throws: { "\($0)".contains("loss") }
    }

    /// `matmul_precision` is float32 unless the config asks for bfloat16 or auto; other values
    /// are named. Reading never depends on the CPU: bfloat16 decodes with the path switched
    /// off, and only resolving it (when work starts) refuses it, saying what to do.
    @Test func matmulPrecisionIsReadAndResolvedLater() throws {
        let base = "name: x\nmodel: clip-tiny\ndataset: d\nbatch_size: 8\nsteps: 1\n"
        #expect(try ExperimentConfig.decode(yaml: base, source: "p.yaml").matmulPrecision == .float32)
        #expect {
            try ExperimentConfig.decode(yaml: base + "matmul_precision: half\n", source: "p.yaml")
        } throws: { "\($0)".contains("matmul_precision") && "\($0)".contains("bfloat16") && "\($0)".contains("auto") }
        for request in MatmulPrecisionRequest.allCases {
            let config = try InstructionSet.limited(to: .avx2) {
                try ExperimentConfig.decode(yaml: base + "matmul_precision: \(request.rawValue)\n", source: "p.yaml")
            }
            #expect(config.matmulPrecision == request)
            #expect(try ExperimentConfig.decode(yaml: try config.yamlString(), source: "resolved.yaml") == config)
        }
        try InstructionSet.limited(to: .avx2) { () throws -> Void in
            #expect(try MatmulPrecisionRequest.auto.resolved(hint: "x") == .float32)
            #expect(try MatmulPrecisionRequest.float32.resolved(hint: "x") == .float32)
            #expect {
                try MatmulPrecisionRequest.bfloat16.resolved(hint: "--precision float32")
            } throws: { "\($0)".contains("AVX512-BF16") && "\($0)".contains("--precision float32") }
        }
        if MatmulPrecision.isBFloat16Supported {
            #expect(try MatmulPrecisionRequest.auto.resolved(hint: "x") == .bfloat16)
            #expect(try MatmulPrecisionRequest.bfloat16.resolved(hint: "x") == .bfloat16)
        }
    }

    @Test func overlaysDecodeAreCheckedAndKeyTheCache() throws {
        let base = "name: x\nmodel: clip-tiny\nbatch_size: 8\nsteps: 1\n"
        let config = try ExperimentConfig.decode(
            yaml: base + "synthetic: {bars: 500, window: 32, ema: [20, 50], channel: 20, adx: 14, volume_line: 1.5}\n",
            source: "c.yaml")
        let overlays = ChartOverlays(exponentialAverages: [20, 50], channel: 20, adx: 14, volumeLine: 1.5)
        #expect(config.synthetic?.chart == ChartSettings(window: 32, overlays: overlays))
        #expect(config.synthetic?.chart.overlays.key == "_ema20-50_ch20_adx14_vl1.5")
        let recorded = try ExperimentConfig.decode(yaml: base + "recorded: {files: [a.csv], volume_line: 3}\n", source: "c.yaml")
        #expect(recorded.recorded?.chart.overlays == ChartOverlays(volumeLine: 3))
        // Every shared field is read in both sections; absent ones keep the section's default.
        let full = try ExperimentConfig.decode(
            yaml: base + "recorded: {files: [a.csv], holdout_symbols: [B], window: 40, stride: 3, val_fraction: 0.2, test_fraction: 0.1}\n",
            source: "c.yaml")
        let r = try #require(full.recorded)
        #expect(r.files == ["a.csv"] && r.holdoutSymbols == ["B"] && r.window == 40 && r.stride == 3)
        #expect(r.valFraction == 0.2 && r.testFraction == 0.1 && r.overlays == .none)
        #expect(recorded.recorded?.stride == 8 && recorded.recorded?.window == 96 && config.synthetic?.stride == 4)
        // The resolved config a run saves reads back the same, overlays flat in their section.
        for written in [config, recorded, full, try ExperimentConfig.decode(yaml: base + "synthetic: {bars: 500}\n", source: "c.yaml")] {
            let yaml = try written.yamlString()
            #expect(try ExperimentConfig.decode(yaml: yaml, source: "resolved.yaml") == written, "\(yaml)")
        }
        #expect(try config.yamlString().contains("volume_line: 1.5") && recorded.yamlString().contains("volume_line: 3"))
        // ADX levels: read, keyed, written back.
        let guided = try ExperimentConfig.decode(yaml: base + "synthetic: {bars: 500, adx: 14, adx_levels: [20, 25]}\n", source: "c.yaml")
        #expect(guided.synthetic?.chart.overlays == ChartOverlays(adx: 14, adxLevels: [20, 25]))
        #expect(guided.synthetic?.chart.overlays.key == "_adx14_adxl20-25")
        #expect(try ExperimentConfig.decode(yaml: try guided.yamlString(), source: "resolved.yaml") == guided)
        // The volume highlight: read, keyed, written back, and left out of files without it.
        let loud = try ExperimentConfig.decode(yaml: base + "synthetic: {bars: 500, volume_line: 1.5, volume_highlight: true}\n", source: "c.yaml")
        #expect(loud.synthetic?.chart.overlays == ChartOverlays(volumeLine: 1.5, volumeHighlight: true))
        #expect(loud.synthetic?.chart.overlays.key == "_vl1.5_vh")
        #expect(try loud.yamlString().contains("volume_highlight: true") && !guided.yamlString().contains("volume_highlight"))
        #expect(try ExperimentConfig.decode(yaml: try loud.yamlString(), source: "resolved.yaml") == loud)
        // The broken levels: read, keyed, written back, and left out of files without them.
        let levels = try ExperimentConfig.decode(yaml: base + "synthetic: {bars: 500, channel: 20, broken_levels: true}\n", source: "c.yaml")
        #expect(levels.synthetic?.chart.overlays == ChartOverlays(channel: 20, brokenLevels: true))
        #expect(levels.synthetic?.chart.overlays.key == "_ch20_bl")
        #expect(try levels.yamlString().contains("broken_levels: true") && !loud.yamlString().contains("broken_levels"))
        #expect(try ExperimentConfig.decode(yaml: try levels.yamlString(), source: "resolved.yaml") == levels)
        // No overlays: the cache key of older datasets.
        let plain = try ExperimentConfig.decode(yaml: base + "synthetic: {bars: 500}\n", source: "c.yaml").synthetic
        #expect(plain?.chart == ChartSettings(window: 96) && plain?.chart.overlays.key == "")
        var scan = ScanOptions()
        config.synthetic!.chart.apply(to: &scan)
        #expect(scan.window == 32 && scan.overlays == overlays)
        // Each bad value names its field and file.
        let bad = [
            ("synthetic: {bars: 500, ema: [1]}", "synthetic.ema"), ("recorded: {files: [a.csv], ema: twenty}", "ema"),
            ("recorded: {files: [a.csv], channel: 1}", "recorded.channel"), ("synthetic: {bars: 500, channel: [20]}", "channel"),
            ("synthetic: {bars: 500, adx: 1}", "synthetic.adx"), ("recorded: {files: [a.csv], volume_line: 0}", "recorded.volume_line"),
            ("synthetic: {bars: 500, volume_line: high}", "volume_line"), ("synthetic: {bars: 500, volume: 1.5}", "volume"),
            ("synthetic: {bars: 500, adx_levels: [20]}", "synthetic.adx_levels"), ("synthetic: {bars: 500, adx: 14, adx_levels: [70]}", "synthetic.adx_levels"),
            ("synthetic: {bars: 500, volume_highlight: true}", "synthetic.volume_highlight"),
            ("synthetic: {bars: 500, volume_line: 1.5, volume_highlight: 1.5}", "volume_highlight"),
            ("synthetic: {bars: 500, broken_levels: yes please}", "broken_levels"),
        ]
        for (yaml, field) in bad {
            #expect {
                try ExperimentConfig.decode(yaml: base + yaml + "\n", source: "b.yaml")
            } throws: { "\($0)".contains(field) && "\($0)".contains("b.yaml") }
        }
    }

    /// `extends: OTHER.yaml` lays a file over OTHER (relative to the file's folder): sections
    /// merge field by field, lists replace, `null` removes; every message names the file that
    /// set the field.
    @Test func aConfigExtendsAnother() throws {
        let folder = try Fixtures.temporaryDirectory("extends")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("base"), withIntermediateDirectories: true)
        func write(_ name: String, _ text: String) throws -> URL {
            let url = folder.appendingPathComponent(name)
            try Data(text.utf8).write(to: url)
            return url
        }
        _ = try write("base/base.yaml", """
            name: base
            init_checkpoint: runs/base/best.h5
            synthetic: {symbols: [SYNTHAUSDT, SYNTHBUSDT], bars: 900, seed: 3, window: 32, ema: [20, 50], channel: 20}
            batch_size: 8
            steps: 100
            optimizer: {lr: 1.5e-4, weight_decay: 0.1}
            schedule: {warmup_steps: 10, min_lr: 1.0e-5}
            seed: 7
            """)
        let child = try write("child.yaml", """
            extends: base/base.yaml
            name: child
            init_checkpoint: null
            model: clip-tiny
            synthetic: {symbols: [SYNTHCUSDT], ema: [9]}
            optimizer: {lr: 5.0e-4}
            steps: 300
            """)
        let config = try ExperimentConfig.load(child)
        let base = try ExperimentConfig.load(folder.appendingPathComponent("base/base.yaml"))
        #expect(config.name == "child" && config.initCheckpoint == nil && config.model == "clip-tiny")
        #expect(base.initCheckpoint == "runs/base/best.h5" && base.model == nil)
        #expect(config.steps == 300 && config.batchSize == 8 && config.seed == 7)
        #expect(config.optimizer.lr == 5.0e-4 && config.optimizer.weightDecay == base.optimizer.weightDecay)
        #expect(config.schedule == base.schedule)
        let synthetic = try #require(config.synthetic)
        #expect(synthetic.symbols == ["SYNTHCUSDT"] && synthetic.bars == 900 && synthetic.seed == 3)
        #expect(synthetic.overlays.exponentialAverages == [9] && synthetic.overlays.channel == 20)
        // The same fields written out in one file decode to the same config.
        let written = try ExperimentConfig.decode(yaml: """
            name: child
            model: clip-tiny
            synthetic: {symbols: [SYNTHCUSDT], bars: 900, seed: 3, window: 32, ema: [9], channel: 20}
            batch_size: 8
            steps: 300
            optimizer: {lr: 5.0e-4, weight_decay: 0.1}
            schedule: {warmup_steps: 10, min_lr: 1.0e-5}
            seed: 7
            """, source: "written.yaml")
        #expect(config == written)
        #expect(!(try config.yamlString()).contains("extends"))

        // Each message names the file that set the field.
        let typo = try write("typo.yaml", "extends: base/base.yaml\nname: typo\noptimizer: {learning_rate: 1}\n")
        #expect { try ExperimentConfig.load(typo) } throws: { "\($0)".contains("optimizer.learning_rate") && "\($0)".contains("typo.yaml") }
        _ = try write("base/bad.yaml", "name: bad\nmodel: clip-tiny\ndataset: d\nbatch_size: eight\nsteps: 1\n")
        let overBad = try write("over-bad.yaml", "extends: base/bad.yaml\nname: over\n")
        #expect { try ExperimentConfig.load(overBad) } throws: { "\($0)".contains("batch_size") && "\($0)".contains("base/bad.yaml") }
        let zeroLR = try write("zero-lr.yaml", "extends: base/base.yaml\nname: z\nmodel: clip-tiny\noptimizer: {lr: 0}\n")
        #expect { try ExperimentConfig.load(zeroLR) } throws: { "\($0)".contains("optimizer.lr") && "\($0)".contains("zero-lr.yaml") }
        _ = try write("base/one.yaml", "name: one\nbatch_size: 1\n")
        let lowBatch = try write("low-batch.yaml", "extends: base/one.yaml\nmodel: clip-tiny\ndataset: d\nsteps: 1\n")
        #expect { try ExperimentConfig.load(lowBatch) } throws: { "\($0)".contains("batch_size") && "\($0)".contains("base/one.yaml") }
        let missing = try write("missing.yaml", "extends: base/none.yaml\nname: m\n")
        #expect { try ExperimentConfig.load(missing) } throws: { "\($0)".contains("base/none.yaml") && "\($0)".contains("missing.yaml") }
        let loopA = try write("loop-a.yaml", "extends: loop-b.yaml\nname: a\n")
        _ = try write("loop-b.yaml", "extends: loop-a.yaml\nname: b\n")
        #expect { try ExperimentConfig.load(loopA) } throws: { "\($0)".contains("circle") && "\($0)".contains("loop-b.yaml") }
        for (file, value) in [("not-path.yaml", "[a.yaml]"), ("null-path.yaml", "null")] {
            let url = try write(file, "extends: \(value)\nname: n\n")
            #expect { try ExperimentConfig.load(url) } throws: { "\($0)".contains("should be the path") && "\($0)".contains(file) }
        }
    }

    @Test func codeVersionComesFromTheCheckoutHoldingTheExecutable() throws {
        // A build inside a checkout (a `.git` folder, or a work tree's `.git` file) names that
        // checkout, whatever the working directory; a binary outside any checkout names none.
        let root = try Fixtures.temporaryDirectory("code-version")
        let checkout = root.appendingPathComponent("repo"), worktree = root.appendingPathComponent("tree")
        try FileManager.default.createDirectory(at: checkout.appendingPathComponent(".git"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: worktree.appendingPathComponent(".build/release"), withIntermediateDirectories: true)
        try Data("gitdir: elsewhere\n".utf8).write(to: worktree.appendingPathComponent(".git"))
        let built = checkout.appendingPathComponent(".build/release/chartclip")
        #expect(CodeVersion.checkout(containing: built)?.standardizedFileURL.path == checkout.standardizedFileURL.path)
        let fromTree = CodeVersion.checkout(containing: worktree.appendingPathComponent(".build/release/chartclip"))
        #expect(fromTree?.standardizedFileURL.path == worktree.standardizedFileURL.path)
        #expect(CodeVersion.checkout(containing: root.appendingPathComponent("copied/chartclip")) == nil)
    }

    @Test func aCheckpointInARunFolderBringsItsChartSettings() throws {
        let run = try Fixtures.temporaryDirectory("run-settings")
        try FileManager.default.createDirectory(at: run.appendingPathComponent("checkpoints"), withIntermediateDirectories: true)
        let checkpoint = run.appendingPathComponent("checkpoints/best.h5")
        #expect(RunDirectory.holding(checkpoint: checkpoint) == nil)  // no config.yaml yet
        try Data("name: r\nmodel: clip-tiny\nbatch_size: 8\nsteps: 1\nsynthetic: {bars: 500, window: 32, ema: [20, 50], channel: 20}\n".utf8)
            .write(to: run.appendingPathComponent("config.yaml"))
        let settings = try #require(try RunDirectory.holding(checkpoint: checkpoint)?.chartSettings())
        #expect(settings == ChartSettings(window: 32, overlays: ChartOverlays(exponentialAverages: [20, 50], channel: 20)))
        #expect(RunDirectory.holding(checkpoint: run.appendingPathComponent("best.h5")) == nil)
    }
}
