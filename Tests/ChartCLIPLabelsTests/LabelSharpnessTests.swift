import ChartCLIPLabels
import ChartCLIPMarket
import ChartCLIPSupport
import ChartCLIPTestSupport
import Foundation
import Testing

/// `chartclip label-stats --margins`: how many labels change setup type when the rule
/// thresholds move by a margin, i.e. how close to a threshold the charts sit.
@Suite struct LabelSharpnessTests {
    /// The 32-candle window ending on each planted breakout of a small synthetic market.
    func breakoutWindows() -> [[Candle]] {
        var configuration = SyntheticMarket.Configuration()
        configuration.bars = 3000
        let market = SyntheticMarket.generate(configuration)
        return market.setups.filter { $0.setupType == .breakout && $0.barIndex >= 31 }
            .map { Array(market.series.candles[($0.barIndex - 31)...$0.barIndex]) }
    }

    func distribution(_ candles: [Candle], margins: [Double]) throws -> LabelDistribution {
        try LabelDistribution.local(
            CandleSeries(symbol: "SYNTHUSDT", interval: .m15, candles: candles), window: candles.count, stride: 1,
            margins: margins, threads: 1)
    }

    @Test func aBreakoutAtRelativeVolume155ChangesAtFivePercentButNotAtTwo() throws {
        // A breakout read the same with every threshold 5% harder or easier, its volume then
        // set to 1.55 times the median of the 20 before it: the rule asks for 1.5, so 2%
        // (1.53) keeps the breakout and 5% (1.575) loses it.
        var checked = 0
        for window in breakoutWindows() {
            let original = try distribution(window, margins: [0.05])
            guard original.setupTypes[.breakout] == 1, original.changedLabels(margin: 0) == 0 else { continue }
            var edited = window
            let median = Indicators.median(window[11..<31].map(\.volume))
            edited[31].volume = 1.55 * median
            #expect(abs(MarketFeatures(candles: edited).relativeVolume(at: 31) - 1.55) < 1e-9)
            let d = try distribution(edited, margins: [0.02, 0.05])
            #expect(d.total == 1 && d.setupTypes[.breakout] == 1)
            #expect(d.setupTypeChanges[0][.breakout, default: 0] == 0 && d.setupTypeChanges[1][.breakout] == 1)
            #expect(d.table(title: "t").contains("±5%"))
            checked += 1
        }
        #expect(checked >= 3, "only \(checked) planted breakouts were stable at ±5% on their own window")
    }

    @Test func newestCountsTheNewestWindowsAndBadSettingsAreErrors() throws {
        var configuration = SyntheticMarket.Configuration()
        configuration.bars = 1000
        let series = SyntheticMarket.generate(configuration).series
        let all = try LabelDistribution.local(series, window: 32, stride: 4, threads: 2)
        let newest = try LabelDistribution.local(series, window: 32, stride: 4, newest: 0.25, margins: [0.1], threads: 1)
        #expect(all.total == (1000 - 32) / 4 + 1 && all.margins.isEmpty && all.setupTypeChanges.isEmpty)
        #expect(newest.total == Int((Double(all.total) * 0.25).rounded()))
        // The newest quarter: the last windows, which the same count over the last 250+ candles gives.
        let tail = CandleSeries(symbol: series.symbol, interval: series.interval, candles: Array(series.candles.suffix(4 * (newest.total - 1) + 32)))
        let direct = try LabelDistribution.local(tail, window: 32, stride: 4, margins: [0.1], threads: 1)
        #expect(direct == newest)
        #expect(newest.changedLabels(margin: 0) == newest.setupTypeChanges[0].values.reduce(0, +))
        for (fraction, margins) in [(0.0, [0.1]), (1.5, [0.1]), (0.5, [0.0]), (0.5, [1.0])] {
            #expect(throws: (any Error).self) {
                try LabelDistribution.local(series, window: 32, stride: 4, newest: fraction, margins: margins)
            }
        }
    }
}

/// Writing and reading `label-stats --charts` files (for `chartclip eval --sharpness`).
@Suite struct ChartSharpnessFileTests {
    @Test func writtenRowsReadBackChartByChart() throws {
        var configuration = SyntheticMarket.Configuration()
        configuration.bars = 600
        let series = SyntheticMarket.generate(configuration).series
        let readings = try LabelDistribution.readings(series, window: 32, stride: 8, margins: [0.05, 0.15], threads: 1)
        let url = try Fixtures.temporaryDirectory("sharpness-roundtrip").appendingPathComponent("charts.csv")
        let text = ([ChartSharpness.header(margins: [0.05, 0.15])] + readings.map { ChartSharpness.row(symbol: series.symbol, $0) })
            .joined(separator: "\n")
        try text.write(to: url, atomically: true, encoding: .utf8)
        let sharpness = try ChartSharpness.load(url)
        #expect(sharpness.margins == [0.05, 0.15])
        #expect(readings.count == (600 - 32) / 8 + 1 && readings.contains { $0.changes.contains(true) })
        #expect(sharpness.hasDecidingThresholds && sharpness.hasDecidingBarCounts)
        for r in readings {
            #expect(sharpness.decidingBarCounts(symbol: series.symbol, timestamp: UTCTime.iso(milliseconds: r.closeTimeMs)) == r.decidingBarCounts)
            #expect(sharpness.changes(symbol: series.symbol, timestamp: UTCTime.iso(milliseconds: r.closeTimeMs)) == r.changes)
            #expect(sharpness.deciding(symbol: series.symbol, timestamp: UTCTime.iso(milliseconds: r.closeTimeMs)) == r.deciding)
        }
    }

    /// The thresholds named as deciding a chart's type each change it when moved alone (read
    /// again with the whole labeler at those thresholds), and no other threshold does.
    @Test func decidingThresholdsEachChangeTheTypeAlone() throws {
        var configuration = SyntheticMarket.Configuration()
        configuration.bars = 1500
        let series = SyntheticMarket.generate(configuration).series
        let readings = try LabelDistribution.readings(series, window: 32, stride: 2, margins: [0.05, 0.15], threads: 2)
        let names = SetupThresholds.graded.map(\.name)
        #expect(readings.allSatisfy { $0.deciding.count == 2 && $0.deciding.joined().allSatisfy(names.contains) })
        let decided = readings.indices.filter { !readings[$0].deciding[1].isEmpty }
        #expect(decided.count > 10, "\(decided.count) charts decided by one threshold at ±15%")
        let standard = SetupThresholds()
        for k in decided.prefix(40) {
            let end = series.candles.count - 1 - (readings.count - 1 - k) * 2
            let candles = Array(series.candles[(end - 31)...end])
            for (m, margin) in [0.05, 0.15].enumerated() {
                let changing = try names.filter { name in
                    try [margin, -margin].contains { fraction in
                        let labeler = LocalLabeler(thresholds: try #require(standard.tightened(by: fraction, only: name)))
                        return try labeler.label(candles: candles).setupType != readings[k].label.setupType
                    }
                }
                #expect(changing == readings[k].deciding[m], "chart \(k) at ±\(margin)")
            }
        }
    }

    /// The bar counts named as deciding a chart's type each change it when moved by one bar
    /// (read again with the whole labeler), and no other bar count does.
    @Test func decidingBarCountsEachChangeTheTypeByOneBar() throws {
        var configuration = SyntheticMarket.Configuration()
        configuration.bars = 1500
        let series = SyntheticMarket.generate(configuration).series
        let readings = try LabelDistribution.readings(series, window: 32, stride: 2, margins: [0.15], threads: 2)
        let names = SetupThresholds.counted.map(\.name)
        let decided = readings.indices.filter { !readings[$0].decidingBarCounts.isEmpty }
        #expect(decided.count > 5, "\(decided.count) charts decided by a bar count")
        let standard = SetupThresholds()
        // Every decided chart, and as many undecided ones.
        let undecided = readings.indices.filter { readings[$0].decidingBarCounts.isEmpty }.prefix(decided.count)
        for k in decided + undecided {
            let end = series.candles.count - 1 - (readings.count - 1 - k) * 2
            let candles = Array(series.candles[(end - 31)...end])
            let changing = try names.filter { name in
                try [-1, 1].contains { bars in
                    let labeler = LocalLabeler(thresholds: try #require(standard.shifted(name, by: bars)))
                    return try labeler.label(candles: candles).setupType != readings[k].label.setupType
                }
            }
            #expect(changing == readings[k].decidingBarCounts, "chart \(k)")
        }
        // Without margins nothing is measured.
        #expect(try LabelDistribution.readings(series, window: 32, stride: 8, threads: 1).allSatisfy { $0.decidingBarCounts.isEmpty })
    }

    /// `shifted(_:by:)` moves one bar count and refuses unknown names and counts below one.
    @Test func barCountsShiftByBars() throws {
        let standard = SetupThresholds()
        #expect(standard.shifted("pullback_lookback", by: 1)?.pullbackLookback == 13)
        #expect(standard.shifted("fakeout_return_bars", by: -1)?.fakeoutReturnBars == 3)
        #expect(standard.shifted("trend_pullback_bars", by: -5) == nil && standard.shifted("phase_lookback", by: 1) == nil)
        var moved = try #require(standard.shifted("trend_pullback_bars", by: 1))
        moved.trendPullbackBars -= 1
        #expect(moved == standard)
    }

    /// `tightened(by:)` moves every graded threshold as `tightened(by:only:)` moves each one.
    @Test func thresholdsMoveOneAtATimeAsTheyMoveTogether() throws {
        let standard = SetupThresholds()
        var oneByOne = standard
        for threshold in SetupThresholds.graded {
            let alone = try #require(standard.tightened(by: 0.15, only: threshold.name))
            #expect(alone[keyPath: threshold.keyPath] != standard[keyPath: threshold.keyPath], "\(threshold.name)")
            oneByOne[keyPath: threshold.keyPath] = alone[keyPath: threshold.keyPath]
        }
        #expect(oneByOne == standard.tightened(by: 0.15))
        let tight = standard.tightened(by: 0.15)
        #expect(tight.breakoutMinRV == 1.5 * (1 + 0.15) && tight.rangeMaxWidth == 6 * (1 - 0.15) && tight.pullbackLookback == 12)
        #expect(standard.tightened(by: 0.15, only: "no_such_threshold") == nil)
        #expect(Set(SetupThresholds.graded.map(\.name)).count == 16)
    }

    @Test func aChartsFileIsReadAndBadOnesNameFileLineAndColumn() throws {
        let root = try Fixtures.temporaryDirectory("sharpness")
        let good = root.appendingPathComponent("good.csv")
        try "symbol,timestamp,setup_type,setup_direction,phase_type,changes_at_0.05,changes_at_0.15\nAUSDT,2025-01-01T08:00:00Z,none,none,range,false,true\n"
            .write(to: good, atomically: true, encoding: .utf8)
        let sharpness = try ChartSharpness.load(good)
        #expect(sharpness.margins == [0.05, 0.15])
        #expect(sharpness.changes(symbol: "AUSDT", timestamp: "2025-01-01T08:00:00Z") == [false, true])
        #expect(sharpness.changes(symbol: "BUSDT", timestamp: "2025-01-01T08:00:00Z") == nil)
        let bad = [
            ("timestamp,changes_at_0.1\nx,true\n", "symbol"),
            ("symbol,timestamp\nA,t\n", "changes_at_"),
            ("symbol,timestamp,changes_at_2\nA,t,true\n", "column 3"),
            ("symbol,timestamp,changes_at_0.1\nA,t,maybe\n", "line 2, column changes_at_0.1"),
            ("symbol,timestamp,changes_at_0.1\nA,t\n", "line 2 has 2 fields"),
            ("symbol,timestamp,changes_at_0.1,deciding_at_0.1\nA,t,true,trend_min_adx;wick\n", "line 2, column deciding_at_0.1: 'wick'"),
            ("symbol,timestamp,changes_at_0.1,deciding_bar_counts\nA,t,true,pullback_lookback;bars\n", "line 2, column deciding_bar_counts: 'bars'"),
        ]
        // Deciding thresholds, when the file has them for every margin.
        let named = root.appendingPathComponent("named.csv")
        try "symbol,timestamp,changes_at_0.1,deciding_at_0.1\nA,t,true,trend_min_adx;breakout_min_rv\nA,u,false,\n"
            .write(to: named, atomically: true, encoding: .utf8)
        let withNames = try ChartSharpness.load(named)
        #expect(withNames.hasDecidingThresholds && !sharpness.hasDecidingThresholds)
        #expect(withNames.deciding(symbol: "A", timestamp: "t") == [["trend_min_adx", "breakout_min_rv"]])
        #expect(withNames.deciding(symbol: "A", timestamp: "u") == [[]])
        #expect(!withNames.hasDecidingBarCounts && withNames.decidingBarCounts(symbol: "A", timestamp: "t") == nil)
        let counted = root.appendingPathComponent("counted.csv")
        try "symbol,timestamp,changes_at_0.1,deciding_bar_counts\nA,t,false,pullback_lookback;trend_pullback_bars\nA,u,false,\n"
            .write(to: counted, atomically: true, encoding: .utf8)
        let withCounts = try ChartSharpness.load(counted)
        #expect(withCounts.hasDecidingBarCounts && withCounts.decidingBarCounts(symbol: "A", timestamp: "t") == ["pullback_lookback", "trend_pullback_bars"])
        #expect(withCounts.decidingBarCounts(symbol: "A", timestamp: "u") == [])
        // Windows line ends read the same.
        let crlf = root.appendingPathComponent("crlf.csv")
        try "symbol,timestamp,changes_at_0.1\r\nA,t,true\r\n".write(to: crlf, atomically: true, encoding: .utf8)
        #expect(try ChartSharpness.load(crlf).changes(symbol: "A", timestamp: "t") == [true])
        for (k, (text, message)) in bad.enumerated() {
            let url = root.appendingPathComponent("bad\(k).csv")
            try text.write(to: url, atomically: true, encoding: .utf8)
            #expect { try ChartSharpness.load(url) } throws: { "\($0)".contains(message) && "\($0)".contains(url.path) }
        }
        #expect(throws: (any Error).self) { try ChartSharpness.load(root.appendingPathComponent("missing.csv")) }
    }

    /// `label-stats --dataset`: a prepared dataset's charts labelled again on their candles.
    @Test func aDatasetsChartsAreMeasuredOnTheirOwnWindows() throws {
        var configuration = SyntheticMarket.Configuration()
        configuration.bars = 800
        let series = SyntheticMarket.generate(configuration).series
        let every = try LabelDistribution.readings(series, window: 32, stride: 1, margins: [0.05, 0.15], threads: 2)
        // Windows ending on chosen candles read as the same windows of the stride-1 pass.
        let ends = [31, 450, 99, 799]
        let chosen = try LabelDistribution.readings(series, ending: ends, window: 32, margins: [0.05, 0.15], threads: 2)
        #expect(chosen == ends.map { every[$0 - 31] })
        for bad in [[30], [800]] {
            #expect { try LabelDistribution.readings(series, ending: bad, window: 32) } throws: { "\($0)".contains("cannot end on candle \(bad[0])") }
        }
        // A dataset of three of those charts, one more of another symbol, one whose time is no
        // candle's close, and one whose label is not the local labeler's.
        let root = try Fixtures.temporaryDirectory("dataset-measure")
        func row(_ symbol: String, _ ms: Int64, _ label: ChartLabel) -> VisionDataset.Row {
            VisionDataset.Row(
                filepath: "images/x.png", imageURL: root.appendingPathComponent("images/x.png"), caption: "c", label: label,
                symbol: symbol, timestamp: UTCTime.iso(milliseconds: ms), timestampMs: ms, split: .test)
        }
        let reading = { (end: Int) in every[end - 31] }
        var other = reading(500).label
        other.setupType = other.setupType == .none ? .breakout : .none
        let rows = [
            row(series.symbol, series.closeTime(at: 450), reading(450).label), row("OTHERUSDT", series.closeTime(at: 450), reading(450).label),
            row(series.symbol, series.closeTime(at: 99), reading(99).label), row(series.symbol, series.closeTime(at: 99) + 1, reading(99).label),
            row(series.symbol, series.closeTime(at: 500), other), row(series.symbol, series.closeTime(at: 10), reading(40).label),
        ]
        let dataset = VisionDataset(root: root, rows: rows)
        let measured = try ChartSharpness.write(for: dataset, series: [series], window: 32, threads: 1)
        #expect(measured.charts == 3 && measured.unmatched == 3 && measured.otherLabels == 1)
        let read = try #require(try ChartSharpness.ofDataset(at: root))
        for end in [450, 99, 500] {
            #expect(read.changes(symbol: series.symbol, timestamp: UTCTime.iso(milliseconds: series.closeTime(at: end))) == reading(end).changes)
        }
        #expect(read.changes(symbol: "OTHERUSDT", timestamp: UTCTime.iso(milliseconds: series.closeTime(at: 450))) == nil)
        #expect(try ChartSharpness.ofDataset(at: root.appendingPathComponent("none")) == nil)
        #expect { try ChartSharpness.measure(dataset, series: [series, series], window: 32) } throws: { "\($0)".contains("both \(series.symbol)") }
        // A damaged file is an error that names it, not a silent skip.
        try "symbol,timestamp,changes_at_0.05\nA,t,perhaps\n".write(to: root.appendingPathComponent("sharpness.csv"), atomically: true, encoding: .utf8)
        #expect { try ChartSharpness.ofDataset(at: root) } throws: { "\($0)".contains("sharpness.csv") && "\($0)".contains("line 2") }
    }
}
