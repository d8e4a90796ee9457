import ChartCLIPMarket
import Foundation

/// How often a barrier was hit from every candle of a series, in one direction and for one
/// horizon: the base rate a setup's hit rate must beat.
///
/// On the recorded data a +2% target within 2h is hit from ~1.5% of BTC candles but ~8.5% of
/// SOL candles; a hit rate means nothing without this number beside it. Every candle (from
/// the second on) is an entry, measured with exactly the rules of a prediction
/// (`TripleBarrier.evaluate(_:atr:entry:bars:direction:barrier:)`); entries whose horizon
/// runs past the data or across a gap are left out. Prefix sums make the rate of any period
/// a constant-time lookup.
public struct BaseRateTable: Sendable {
    /// Start time of every candle (the entry candle of each potential trade).
    private let starts: [Int64]
    /// `hits[i]`: targets reached from entries `0..<i`; `counts[i]`: entries measured.
    private let hits: [Int]
    private let counts: [Int]

    /// Measures every candle of `series` as an entry.
    ///
    /// - Parameters:
    ///   - atr: one ATR per candle (`Indicators.atr(series.candles)`), for ATR-scaled barriers.
    ///   - bars: candles in the horizon.
    public init(series: CandleSeries, atr: [Double], bars: Int, direction: SetupDirection, barrier: BarrierSpec) {
        starts = series.candles.map(\.startTime)
        var hits = [0], counts = [0]
        hits.reserveCapacity(starts.count + 1)
        counts.reserveCapacity(starts.count + 1)
        for entry in series.candles.indices {
            let result = TripleBarrier.evaluate(
                series, atr: atr, entry: entry, bars: bars, direction: direction, barrier: barrier)
            hits.append(hits[hits.count - 1] + (result?.success == true ? 1 : 0))
            counts.append(counts[counts.count - 1] + (result == nil ? 0 : 1))
        }
        self.hits = hits
        self.counts = counts
    }

    /// Targets reached and entries measured among entries whose candle starts in
    /// `from...to` (UTC ms).
    public func rate(from: Int64, to: Int64) -> (hits: Int, count: Int) {
        let lo = firstIndex(atOrAfter: from)
        let hi = firstIndex(atOrAfter: to == .max ? to : to + 1)
        guard hi > lo else { return (0, 0) }
        return (hits[hi] - hits[lo], counts[hi] - counts[lo])
    }

    /// Start times of the first and last candles, `nil` for an empty series.
    public var span: ClosedRange<Int64>? {
        guard let first = starts.first, let last = starts.last else { return nil }
        return first...last
    }

    private func firstIndex(atOrAfter time: Int64) -> Int {
        var lo = 0, hi = starts.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if starts[mid] < time { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
