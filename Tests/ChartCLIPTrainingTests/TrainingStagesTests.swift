import ChartCLIPModels
import ChartCLIPTestSupport
@testable import ChartCLIPTraining
import Foundation
import Testing

/// Schedules with several phases in one config: parsing, resolution against the top level,
/// balanced batches, and a run killed inside and between stages continuing the same curve.
@Suite(.serialized) struct TrainingStagesTests {
    static let base = "name: s\nmodel: clip-tiny\ndataset: d\nbatch_size: 8\n"

    /// Stages take what they leave out from the top level, and run back to back; each
    /// stage's warm-up and cosine count from its own first step.
    @Test func stagesResolveAgainstTheTopLevel() throws {
        let config = try ExperimentConfig.decode(yaml: Self.base + """
            optimizer: {lr: 1.0e-3}
            schedule: {warmup_steps: 2, min_lr: 1.0e-5}
            lock_text: true
            stages:
              - {name: warm, steps: 4, sampling: balanced}
              - {steps: 10, lr: 5.0e-4, warmup_steps: 5, min_lr: 0, lock_text: false, kind: cosine}
            """, source: "stages.yaml")
        let plan = TrainingPlan(config: config, batchesPerEpoch: 100)
        #expect(plan.totalSteps == 14)
        #expect(plan.stages.map(\.name) == ["warm", "stage 2"])
        #expect(plan.stages.map(\.start) == [0, 4] && plan.stages.map(\.lockText) == [true, false])
        #expect(plan.stages.map(\.sampling) == [.balanced, .natural])
        #expect(plan.stage(at: 3).index == 0 && plan.stage(at: 4).index == 1 && plan.stage(at: 99).index == 1)
        // Stage 1: warm-up to 1e-3 over 2 steps, cosine to 1e-5 at its 4th step.
        #expect(plan.rate(at: 0) == 5e-4 && plan.rate(at: 1) == 1e-3)
        // Stage 2 warms up again from its own first step: 5e-4 · 1/5.
        #expect(abs(plan.rate(at: 4) - 1e-4) < 1e-9 && abs(plan.rate(at: 8) - 5e-4) < 1e-9)
        #expect(try ExperimentConfig.decode(yaml: try config.yamlString(), source: "resolved.yaml") == config)
        // Without stages: one stage of `steps`, the config's own schedule.
        let single = TrainingPlan(config: try ExperimentConfig.decode(yaml: Self.base + "steps: 7\n", source: "one.yaml"), batchesPerEpoch: 3)
        #expect(single.stages.count == 1 && single.totalSteps == 7)
    }

    /// Mistakes in stages are named with the stage and the file.
    @Test func stageMistakesAreNamed() {
        func refuses(_ yaml: String, _ words: [String]) {
            #expect {
                try ExperimentConfig.decode(yaml: Self.base + yaml, source: "bad.yaml")
            } throws: { error in words.allSatisfy { "\(error)".contains($0) } && "\(error)".contains("bad.yaml") }
        }
        refuses("steps: 5\nstages:\n  - {steps: 3}\n", ["stages", "remove steps"])
        refuses("stages:\n  - {steps: 3, learning_rate: 1}\n", ["learning_rate", "allowed"])
        refuses("stages:\n  - {steps: 3}\n  - {steps: 0}\n", ["stages.1", "positive"])
        refuses("stages:\n  - {steps: 3, kind: linear}\n", ["stages.0", "cosine"])
        refuses("lock_image: true\nstages:\n  - {steps: 3, lock_text: true}\n", ["stages.0", "both towers"])
        refuses("stages:\n  - {steps: 3, sampling: uniform}\n", ["sampling"])
        refuses("stages: []\n", ["steps"])
    }

    /// Balanced batches: every setup type about equally often whatever its count, the same
    /// batch for the same (seed, step), another for another step.
    @Test func balancedBatchesDrawClassesEquallyOften() {
        let labels = Array(repeating: "none", count: 900) + Array(repeating: "breakout", count: 90) + Array(repeating: "exhaustion", count: 10)
        let order = BalancedOrder(classes: labels, batchSize: 64, seed: 3)
        #expect(order.indices(step: 5) == BalancedOrder(classes: labels, batchSize: 64, seed: 3).indices(step: 5))
        #expect(order.indices(step: 5) != order.indices(step: 6))
        var counts: [String: Int] = [:]
        for step in 0..<300 { for i in order.indices(step: step) { counts[labels[i], default: 0] += 1 } }
        let total = 300 * 64
        for label in ["none", "breakout", "exhaustion"] {
            let share = Double(counts[label] ?? 0) / Double(total)
            #expect(abs(share - 1.0 / 3) < 0.02, "\(label): \(share)")
        }
        // Square-root weights: 30 : 9.5 : 3.2.
        let sqrtOrder = BalancedOrder(classes: labels, batchSize: 64, seed: 3, sqrt: true)
        var none = 0
        for step in 0..<300 { none += sqrtOrder.indices(step: step).filter { labels[$0] == "none" }.count }
        let expected = 30.0 / (30 + 90.0.squareRoot() + 10.0.squareRoot())
        #expect(abs(Double(none) / Double(total) - expected) < 0.02)
    }

    /// A two-stage run (the text tower frozen and batches balanced in the first, both towers
    /// and natural batches in the second), killed inside the first stage and again on the
    /// boundary, gives the uninterrupted run's losses bit for bit; the frozen tower does not move.
    @Test func aRunKilledInsideAndBetweenStagesContinuesTheSameCurve() async throws {
        let root = try Fixtures.temporaryDirectory("stages")
        let cache = root.appendingPathComponent("cache")
        func config(_ name: String) throws -> ExperimentConfig {
            try ExperimentConfig.decode(yaml: """
                name: \(name)
                model: clip-tiny
                synthetic: {bars: 900, seed: 3, window: 48, stride: 12}
                batch_size: 8
                optimizer: {lr: 1.0e-3}
                schedule: {warmup_steps: 1}
                seed: 5
                threads: 2
                eval_every: 3
                checkpoint_every: 1
                stages:
                  - {name: frozen text, steps: 3, lock_text: true, sampling: balanced, augment: {enabled: true}}
                  - {name: joint, steps: 3, lr: 5.0e-4}
                output_dir: \(root.path)
                """, source: "test")
        }
        let whole = try TrainingRun.start(try config("whole"), cacheRoot: cache)
        whole.showProgress = false
        let initial = try whole.initialModel()
        let reference = try await whole.run()
        #expect(reference.steps == 6)

        let cut = try TrainingRun.start(try config("cut"), cacheRoot: cache)
        cut.showProgress = false
        var losses = try await cut.run(stopAfter: 2).losses
        let middle = try TrainingRun.resume(cut.directory.url, cacheRoot: cache)
        middle.showProgress = false
        let afterFirstStage = try await middle.run(stopAfter: 3)
        losses.merge(afterFirstStage.losses) { a, _ in a }
        let frozen = try Checkpoint.load(from: cut.directory.latest)
        let rest = try TrainingRun.resume(cut.directory.url, cacheRoot: cache)
        rest.showProgress = false
        losses.merge(try await rest.run().losses) { a, _ in a }
        for step in 1...6 { #expect(losses[step] == reference.losses[step], "step \(step)") }
        // The text tower is the initial one after the frozen stage, and moves in the next.
        let textKey = "text.token_embedding.weight"
        #expect(frozen.parameters[textKey] == Checkpoint(model: initial, step: 0).parameters[textKey])
        #expect(try Checkpoint.load(from: cut.directory.latest).parameters[textKey] != frozen.parameters[textKey])
        let stages = cut.directory.readMetrics().filter { $0["loss"] != nil }.compactMap { $0["stage"] as? Int }
        #expect(stages == [0, 0, 0, 1, 1, 1])
        // Each step ran at the plan's rate: the second stage warmed up from its own first step.
        let plan = TrainingPlan(config: cut.config, batchesPerEpoch: 1)
        let rates = cut.directory.readMetrics().filter { $0["loss"] != nil }.compactMap { $0["lr"] as? Double }
        #expect(rates.map { Float($0) } == (0..<6).map { plan.rate(at: $0) })
        #expect(plan.rate(at: 3) == 5e-4)
    }
}
