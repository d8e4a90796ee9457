import ChartCLIPSupport
import Foundation

/// Prints a benchmark report as one sorted-key JSON object, or as its text lines.
func printReport<Report: Encodable>(_ report: Report, json: Bool, text: () -> String) throws {
    if json {
        let encoder = JSONEncoder.chartCLIP()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    } else {
        print(text())
    }
}
