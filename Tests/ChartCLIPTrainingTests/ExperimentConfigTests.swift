import ChartCLIPSupport
import ChartCLIPTestSupport
import ChartCLIPTraining
import Foundation
import Testing

/// Experiment configs: the shipped ones decode; mistakes are named.
@Suite struct ExperimentConfigTests {
    @Test(arguments: ["smoke", "synthetic", "synthetic-tiny", "bybit", "finetune-vit-b-16"])
    func shippedConfigsDecode(name: String) throws {
        let config = try ExperimentConfig.load(Fixtures.repositoryRoot.appendingPathComponent("configs/experiments/\(name).yaml"))
        #expect(config.name == name)
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
}
