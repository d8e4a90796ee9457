import ArgumentParser

/// `chartclip bench …`: speed measurements that print figures and ratios.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure kernels, encoders, training and rendering speed (use a release build).",
        subcommands: [
            // One benchmark per line; each is defined in its own file.
            BenchCoreCommand.self,
            BenchEncodeCommand.self,
            BenchTrainCommand.self,
            RenderBenchCommand.self,
        ])
}
