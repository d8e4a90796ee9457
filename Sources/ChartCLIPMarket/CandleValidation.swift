import ChartCLIPSupport

/// A stretch of missing candles between two consecutive rows of a series.
///
/// Gaps are reported, never filled: an invented flat candle would draw a chart that never
/// traded and skew every indicator that reads it.
public struct CandleGap: Equatable, Sendable, CustomStringConvertible {
    /// Index of the candle just before the gap.
    public var afterIndex: Int
    /// Start time the next candle should have had (UTC ms).
    public var expectedStart: Int64
    /// Start time the next candle actually has (UTC ms).
    public var actualStart: Int64
    /// Number of candles missing.
    public var missingCount: Int

    /// Creates a gap record.
    public init(afterIndex: Int, expectedStart: Int64, actualStart: Int64, missingCount: Int) {
        self.afterIndex = afterIndex
        self.expectedStart = expectedStart
        self.actualStart = actualStart
        self.missingCount = missingCount
    }

    /// `3 candles missing: 2025-06-01T10:00:00Z up to (not including) 2025-06-01T10:45:00Z`.
    public var description: String {
        let noun = missingCount == 1 ? "candle" : "candles"
        return "\(missingCount) \(noun) missing: \(UTCTime.iso(milliseconds: expectedStart))"
            + " up to (not including) \(UTCTime.iso(milliseconds: actualStart))"
    }
}

extension Candle {
    /// Why this candle is impossible, or `nil` when its prices are consistent: every price
    /// positive and finite, `high` at or above open and close, `low` at or below them,
    /// volume and turnover non-negative.
    public var inconsistency: String? {
        let lowest = min(open, high, low, close)
        if !(lowest > 0) || !(open + high + low + close).isFinite {
            for (name, value) in [("open", open), ("high", high), ("low", low), ("close", close)] {
                guard value.isFinite, value > 0 else { return "\(name) is \(value); prices must be positive" }
            }
        }
        if high < max(open, close) {
            return "high \(high) is below max(open \(open), close \(close))"
        }
        if low > min(open, close) {
            return "low \(low) is above min(open \(open), close \(close))"
        }
        guard volume.isFinite, volume >= 0 else { return "volume is \(volume); it must be ≥ 0" }
        guard turnover.isFinite, turnover >= 0 else { return "turnover is \(turnover); it must be ≥ 0" }
        return nil
    }
}

extension CandleSeries {
    /// Checks every candle and the time axis.
    ///
    /// Throws on the first impossible row (prices inconsistent or non-positive, start time
    /// not on the interval grid, times not strictly increasing) with an error naming the row.
    /// Missing candles are not an error: they are returned as gaps for the caller to report.
    ///
    /// - Parameter source: the file or feed the series came from, used in error locations;
    ///   defaults to the symbol.
    public func validate(source: String? = nil) throws -> [CandleGap] {
        try validate(source: source ?? symbol, rowName: { "candle \($0)" })
    }

    /// Shared by `validate(source:)` and the CSV loader, which names rows by file line.
    func validate(source: String, rowName: (Int) -> String) throws -> [CandleGap] {
        let step = interval.milliseconds
        guard step > 0 else {
            throw ChartCLIPError("the candle interval must be positive", at: source)
        }
        var gaps: [CandleGap] = []
        for (index, candle) in candles.enumerated() {
            // Built only on failure: formatting a location per row would dominate loading.
            var location: String { "\(source): \(rowName(index)) (\(UTCTime.iso(milliseconds: candle.startTime)))" }
            if let problem = candle.inconsistency {
                throw ChartCLIPError(problem, at: location, hint: "fix or remove this row")
            }
            if candle.startTime % step != 0 {
                throw ChartCLIPError(
                    "start time is not on the \(interval) grid (UTC-aligned)", at: location,
                    hint: "check the interval, or that timestamps are candle start times in UTC")
            }
            guard index > 0 else { continue }
            let previous = candles[index - 1].startTime
            if candle.startTime == previous {
                throw ChartCLIPError(
                    "duplicate start time (same as the row before)", at: location,
                    hint: "remove the duplicate row")
            }
            if candle.startTime < previous {
                throw ChartCLIPError(
                    "rows are not sorted: this start time is earlier than the row before "
                        + "(\(UTCTime.iso(milliseconds: previous)))",
                    at: location, hint: "sort the rows by time, oldest first")
            }
            if candle.startTime > previous + step {
                let missing = Int((candle.startTime - previous) / step) - 1
                gaps.append(
                    CandleGap(
                        afterIndex: index - 1, expectedStart: previous + step,
                        actualStart: candle.startTime, missingCount: missing))
            }
        }
        return gaps
    }
}
