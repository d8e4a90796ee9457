import ArgumentParser
#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import ChartCLIPTensor
import Foundation

/// The `chartclip` command line: a thin layer that parses arguments, calls the library and
/// prints. Every subcommand lives in its own file in this folder.
@main
struct ChartCLIPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chartclip",
        abstract: "ChartCLIP: learn to read candlestick charts with CLIP, in Swift.",
        subcommands: [
            // Keep one subcommand per line; each is defined in its own file.
            BenchCommand.self,
            RenderCommand.self,
            FetchCommand.self,
            SynthCommand.self,
            TokenizeCommand.self,
            ImportHFCommand.self,
            ExportHFCommand.self,
            EmbedCommand.self,
            ScanCommand.self,
            LabelCommand.self,
            LabelStatsCommand.self,
            PrepareDatasetCommand.self,
            DecideCommand.self,
            FeedbackCommand.self,
            TrainCommand.self,
            RunsCommand.self,
            EvalCommand.self,
            ExportCommand.self,
            PredictCommand.self,
            UpdateWeightsCommand.self,
            PipelineCommand.self,
            ServeCommand.self,
            LoadTestCommand.self,
        ])

    /// Standard output line by line even into a file or pipe, so a log shows each line (the run
    /// folder, a result) when it is printed, in order with the progress on standard error.
    static func main() async {
        setvbuf(stdout, nil, _IOLBF, 0)
        if let problem = InstructionSet.environmentProblem { FileHandle.standardError.write(Data("warning: \(problem)\n".utf8)) }
        await main(nil)
    }
}
