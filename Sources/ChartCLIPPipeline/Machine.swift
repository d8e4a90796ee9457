import ChartCLIPTensor
import Foundation

/// The machine a pipeline ran on, as one line for its summary: CPU model, the kernels'
/// instruction set, OpenBLAS's core, compute threads and the matrix products' precision.
enum Machine {
    static func describe(precision: MatmulPrecision) -> String {
        "\(cpuModel() ?? "unknown CPU"), \(ProcessInfo.processInfo.activeProcessorCount) cores, "
            + "kernels \(InstructionSet.summary), OpenBLAS \(BLASInfo.coreName), \(ComputeThreads.count) threads, "
            + "training in \(precision.rawValue)"
    }

    /// The `model name` line of `/proc/cpuinfo`, where there is one.
    static func cpuModel() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}
