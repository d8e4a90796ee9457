import ChartCLIPMarket
import ChartCLIPSupport
import ChartCLIPTestSupport
import Foundation
import Testing

/// Resampling 15m candles into UTC-aligned 1h, 4h and 1d candles.
@Suite struct ResamplingTests {
    static let june1 = UTCTime.parseISO("2025-06-01T00:00:00Z")!
    static let m15 = CandleInterval.m15.milliseconds

    /// 15m candles from `first` (an index of 15m steps after June 1st), numbered so every
    /// field tells which candle it came from.
    static func quarterHours(from first: Int, count: Int) -> CandleSeries {
        let candles = (first..<(first + count)).map { i in
            let p = 100 + Double(i)
            return Candle(
                startTime: june1 + Int64(i) * m15, open: p, high: p + 10 + Double(i % 3), low: p - 10 - Double(i % 2),
                close: p + 0.5, volume: Double(i), turnover: 2 * Double(i))
        }
        return CandleSeries(symbol: "TESTUSDT", interval: .m15, candles: candles)
    }

    @Test func hourBucketsStartOnTheHourAndFlagPartialOnes() throws {
        // 00:15 … 02:00: the 00:00 bucket lacks 00:00, the 01:00 bucket is full, 02:00 has one.
        let series = Self.quarterHours(from: 1, count: 8)
        let buckets = try series.resampleBuckets(to: .h1)
        #expect(buckets.map(\.candle.startTime) == [Self.june1, Self.june1 + 3_600_000, Self.june1 + 7_200_000])
        #expect(buckets.map(\.sourceCount) == [3, 4, 1])
        #expect(buckets.map(\.isComplete) == [false, true, false])
        // The full bucket: open of 01:00, close of 01:45, extremes and sums of its four.
        let full = buckets[1].candle
        let parts = series.candles[3..<7]
        #expect(full.open == parts.first!.open && full.close == parts.last!.close)
        #expect(full.high == parts.map(\.high).max()! && full.low == parts.map(\.low).min()!)
        #expect(full.volume == 4 + 5 + 6 + 7 && full.turnover == 2 * (4 + 5 + 6 + 7))
        // `resampled` keeps only complete buckets.
        let hourly = try series.resampled(to: .h1)
        #expect(hourly.interval == .h1)
        #expect(hourly.candles == [full])
    }

    @Test func dayBucketsStartAtMidnightUTC() throws {
        // 23:00 on May 31st to 01:00 on June 2nd: one full day (June 1st) in the middle.
        let series = Self.quarterHours(from: -4, count: 4 + 96 + 4)
        let daily = try series.resampled(to: .d1)
        #expect(daily.candles.map(\.startTime) == [Self.june1])
        #expect(daily.candles[0].open == 100 && daily.candles[0].close == 100 + 95 + 0.5)
        let fourHourly = try series.resampled(to: .h4)
        #expect(fourHourly.candles.count == 6)
        #expect(fourHourly.candles.allSatisfy { $0.startTime % 14_400_000 == 0 })
    }

    @Test func aGapMakesItsBucketPartial() throws {
        var series = Self.quarterHours(from: 0, count: 8)
        series.candles.remove(at: 5)
        let buckets = try series.resampleBuckets(to: .h1)
        #expect(buckets.map(\.isComplete) == [true, false])
        #expect(try series.resampled(to: .h1).candles.count == 1)
    }

    @Test func refusesTargetsThatAreNotMultiples() {
        let series = Self.quarterHours(from: 0, count: 8)
        #expect(throws: ChartCLIPError.self) { try series.resampled(to: CandleInterval(minutes: 50)) }
        #expect(throws: ChartCLIPError.self) { try series.resampled(to: CandleInterval(minutes: 5)) }
    }

    /// The recorded 15m files resampled to 4h equal Bybit's own 240m candles on every full
    /// bucket: prices exactly, volume and turnover to rounding of the sums.
    @Test(.enabled(if: Fixtures.recordedBybit != nil, "../shared/data/bybit is not next to the repository")) func recorded15mResampledTo4hEqualsRecorded240m() throws {
        let symbols = try #require(try RecordedData.loaded(for: "recorded15mResampledTo4hEqualsRecorded240m"))
        #expect(!symbols.isEmpty)
        for symbol in symbols {
            let name = symbol.name
            let recorded = try #require(symbol.fourHours, "\(name) has no 240m file")
            #expect(recorded.series.interval == .h4)
            let exchange = Dictionary(uniqueKeysWithValues: recorded.series.candles.map { ($0.startTime, $0) })
            let resampled = try symbol.quarterHours.series.resampled(to: .h4)
            var compared = 0
            for candle in resampled.candles {
                guard let truth = exchange[candle.startTime] else { continue }
                compared += 1
                let at = "\(name) \(UTCTime.iso(milliseconds: candle.startTime))"
                #expect(candle.open == truth.open && candle.close == truth.close, "\(at)")
                #expect(candle.high == truth.high && candle.low == truth.low, "\(at)")
                #expect(abs(candle.volume - truth.volume) <= 1e-9 * max(1, truth.volume), "\(at)")
                #expect(abs(candle.turnover - truth.turnover) <= 1e-9 * max(1, truth.turnover), "\(at)")
            }
            // 8999 closed quarter hours hold 561 full 4h buckets, all inside the 240m range.
            #expect(compared == 561, "\(name): compared \(compared) buckets")
        }
    }
}
