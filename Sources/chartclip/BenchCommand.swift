import ArgumentParser

/// `chartclip bench …`: speed measurements that print figures and ratios.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure kernels, encoders, training and rendering speed.",
        subcommands: [
            RenderBenchCommand.self,
        ])
}
