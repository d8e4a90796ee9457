import ChartCLIPLabels
import ChartCLIPMarket
import ChartCLIPSupport
import ChartCLIPTestSupport
import Foundation
import Testing

/// `chartclip label-stats --margins --charts` end to end: the built binary on a synthetic
/// market's candle file, against the library's readings of the same windows.
@Suite struct LabelStatsCommandTests {
    @Test(.enabled(if: CommandLineTool.binary != nil, "build the chartclip product first")) func labelStatsListsEachChartWithItsChangesAtEachMargin() async throws {
        let binary = try #require(CommandLineTool.binary)
        let directory = try Fixtures.temporaryDirectory("label-stats")
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = SyntheticMarket.Configuration()
        configuration.bars = 1200
        let series = SyntheticMarket.generate(configuration).series
        let csv = directory.appendingPathComponent("SYNTHUSDT_15m.csv")
        try CandleCSV.encode(series).write(to: csv, atomically: true, encoding: .utf8)
        let charts = directory.appendingPathComponent("charts.csv")
        let result = try await CommandLineTool.runAsync(binary, [
            "label-stats", "--candles", csv.path, "--window", "32", "--stride", "4", "--newest", "0.5",
            "--margins", "0.05", "0.15", "--charts", charts.path, "--quiet",
        ])
        #expect(result.status == 0, "\(result.errors)")
        let readings = try LabelDistribution.readings(series, window: 32, stride: 4, newest: 0.5, margins: [0.05, 0.15])
        let rows = try String(contentsOf: charts, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(rows.first == "symbol,timestamp,setup_type,setup_direction,phase_type,changes_at_0.05,changes_at_0.15,deciding_at_0.05,deciding_at_0.15,deciding_bar_counts")
        #expect(rows.count == readings.count + 1)
        for (row, r) in zip(rows.dropFirst(), readings) {
            let expected = ["SYNTHUSDT", UTCTime.iso(milliseconds: r.closeTimeMs), r.label.setupType.rawValue,
                r.label.setupDirection.rawValue, r.label.phaseType.rawValue] + r.changes.map { "\($0)" }
                + r.deciding.map { $0.joined(separator: ";") } + [r.decidingBarCounts.joined(separator: ";")]
            #expect(row == expected.joined(separator: ","))
        }
        // The printed table counts the same changes.
        let distribution = LabelDistribution(readings, margins: [0.05, 0.15])
        #expect(result.output.contains("±5%, ±15%"))
        #expect(result.output.contains(String(format: "%7d %5.1f%%", distribution.changedLabels(margin: 1), 100 * Double(distribution.changedLabels(margin: 1)) / Double(distribution.total))))
        #expect(distribution.changedLabels(margin: 1) > 0)
    }
}
