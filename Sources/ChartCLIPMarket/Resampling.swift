import ChartCLIPSupport

/// One candle of a coarser interval built from finer candles, with how complete it is.
public struct ResampledBucket: Equatable, Sendable {
    /// The aggregated candle: first open, highest high, lowest low, last close, summed volume
    /// and turnover. Its start time is the bucket's UTC-aligned start.
    public var candle: Candle
    /// How many source candles fell into the bucket.
    public var sourceCount: Int
    /// How many a full bucket holds (target interval / source interval).
    public var expectedCount: Int

    /// `true` when no source candle of the bucket is missing.
    public var isComplete: Bool { sourceCount == expectedCount }
}

extension CandleSeries {
    /// Aggregates the series into `target` candles whose buckets are aligned to UTC
    /// (a bucket starts where `startTime` is a multiple of the target length since the epoch:
    /// 1h buckets at :00, 4h buckets at 00:00, 04:00, …, daily buckets at midnight UTC, which
    /// is how Bybit aligns its own candles).
    ///
    /// Every bucket that holds at least one candle is returned, flagged complete or not, so a
    /// caller can see exactly what is partial (the first and last buckets of a file, or
    /// buckets with gaps). The series must be sorted (see `validate`).
    ///
    /// - Throws: when `target` is not a whole multiple of the series' interval.
    public func resampleBuckets(to target: CandleInterval) throws -> [ResampledBucket] {
        let source = interval.milliseconds
        let length = target.milliseconds
        guard source > 0, length >= source, length % source == 0 else {
            throw ChartCLIPError(
                "cannot resample \(interval) candles to \(target)", at: symbol,
                hint: "the target interval must be a whole multiple of \(interval)")
        }
        let expected = Int(length / source)
        var buckets: [ResampledBucket] = []
        for c in candles {
            // Floor division, so times before 1970 still land in the right bucket.
            let offset = ((c.startTime % length) + length) % length
            let start = c.startTime - offset
            if let last = buckets.last, last.candle.startTime == start {
                var b = last
                b.candle.high = max(b.candle.high, c.high)
                b.candle.low = min(b.candle.low, c.low)
                b.candle.close = c.close
                b.candle.volume += c.volume
                b.candle.turnover += c.turnover
                b.sourceCount += 1
                buckets[buckets.count - 1] = b
            } else {
                let first = Candle(
                    startTime: start, open: c.open, high: c.high, low: c.low, close: c.close,
                    volume: c.volume, turnover: c.turnover)
                buckets.append(ResampledBucket(candle: first, sourceCount: 1, expectedCount: expected))
            }
        }
        return buckets
    }

    /// The series at a coarser interval, keeping **complete buckets only**.
    ///
    /// A partial bucket (the file starts or ends mid-bucket, or a gap falls inside it) would
    /// be a candle the exchange never printed: its open, high or low could be wrong. Such
    /// buckets are dropped, so a partial last hour never reaches a chart or an indicator;
    /// `resampleBuckets(to:)` shows them when you need them.
    public func resampled(to target: CandleInterval) throws -> CandleSeries {
        let full = try resampleBuckets(to: target).filter(\.isComplete).map(\.candle)
        return CandleSeries(symbol: symbol, interval: target, candles: full)
    }
}
