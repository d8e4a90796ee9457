import ArgumentParser
import ChartCLIPSupport
import ChartCLIPTraining
import Foundation

/// `chartclip runs`: every training run side by side.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "Compare training runs: steps, loss, speed, validation and report figures, with plots.",
        discussion: """
            Lists the runs under experiments/ (or --experiments), oldest first: steps done and \
            planned, the mean loss of the last 100 steps, median images/s, the best quick \
            validation (the one that wrote best.h5), the last setup-type-with-prior validation, \
            the end-of-run report's figures, and whether the run finished, is running or \
            stopped (then 'chartclip train --resume' continues it). A run started from another \
            run's checkpoint names it under 'from', and its steps are also counted along that \
            chain, so continued runs plot as one curve. With --out, writes runs.md and the \
            loss and validation plots as PNG.
            Example: chartclip runs
            Example: chartclip runs fast-tiny fast-tiny-cells --out experiments/compare-fast
            """)

    @Argument(help: "Experiment names or NAME/RUN_ID to list (default: every run).")
    var select: [String] = []

    @Option(help: "The experiments folder.")
    var experiments = "experiments"

    @Flag(help: "Also list the runs the selected ones continue (through init_checkpoint).")
    var ancestors = false

    @Option(help: "Folder for runs.md and the plots.")
    var out: String?

    func run() throws {
        let runs = try RunComparison.discover(root: URL(fileURLWithPath: experiments), select: select, ancestors: ancestors)
        guard !runs.isEmpty else {
            throw ChartCLIPError(
                select.isEmpty ? "no runs" : "no run is named \(select.joined(separator: ", "))", at: experiments,
                hint: select.isEmpty ? "'chartclip train --config FILE.yaml' starts one" : "'chartclip runs' lists them all; give NAME or NAME/RUN_ID")
        }
        print(RunComparison.markdown(runs), terminator: "")
        for problem in runs.flatMap(\.problems) { FileHandle.standardError.write(Data("could not read \(problem)\n".utf8)) }
        if let out {
            let files = try RunComparison.write(runs, to: URL(fileURLWithPath: out))
            print("wrote \(files.map(\.path).joined(separator: ", "))")
        }
    }
}
