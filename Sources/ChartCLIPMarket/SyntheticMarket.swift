import ChartCLIPSupport
import Foundation

/// ChartCLIP's embedded default market: seeded, deterministic candles with setups planted on
/// purpose, each with its exact ground-truth label. The demo and CI run on it with no network
/// and no outside files.
///
/// The candles come from a background process (regime switching between trends and ranges,
/// GARCH volatility clustering, volume that reacts to moves; see SyntheticBuilder.swift)
/// interrupted every 30–55 ordinary bars by a scripted scenario (see SyntheticScenarios.swift)
/// that builds one setup: range accumulation, breakout, breakout with pullback, fakeout,
/// exhaustion or trend continuation, in both directions, cycling through all eleven kinds in
/// a shuffled order so they are balanced. A scenario is kept only if `SetupRules` reads
/// exactly its label at the bar where it completes, under the standard thresholds and under
/// thresholds tightened and loosened by `verificationMargin`, and `SetupRules.phase` reads its
/// phase; otherwise it is undone and redrawn. Labels depend on candles up to their bar only,
/// so later candles never change them.
public enum SyntheticMarket {
    /// What to generate.
    public struct Configuration: Sendable, Equatable {
        /// Symbol written into the series and the labels.
        public var symbol = "SYNTHUSDT"
        /// Candle interval (the rules are interval-free; 15m is the users' scan interval).
        public var interval = CandleInterval.m15
        /// Number of candles.
        public var bars = 5000
        /// Seed: the same seed gives the same candles and labels, byte for byte.
        public var seed: UInt64 = 7
        /// Start time of the first candle (UTC ms; floored to the interval grid).
        public var startTime: Int64 = 1_735_689_600_000  // 2025-01-01T00:00:00Z
        /// First price.
        public var startPrice = 100.0
        /// Typical volume of a calm bar.
        public var baseVolume = 10_000.0
        /// Long-run volatility of one bar's log return.
        public var volatility = 0.004
        /// Ordinary background bars between one setup's follow-through and the next scenario.
        public var ordinaryBars = 30...55

        /// The defaults: `SYNTHUSDT`, 15m, 5000 bars, seed 7, from 2025-01-01 at 100.
        public init() {}
    }

    /// A planted setup: its ground-truth label and the bar where it completes.
    public struct PlantedSetup: Sendable, Equatable, Codable {
        /// Symbol of the series.
        public var symbol: String
        /// Index of the candle where the setup completes (a chart ending on it shows it).
        public var barIndex: Int
        /// Start time of that candle, UTC ms.
        public var startTimeMs: Int64
        /// Close time of that candle (start + interval), UTC ms.
        public var closeTimeMs: Int64
        /// The setup.
        public var setupType: SetupType
        /// The direction of the move it implies.
        public var setupDirection: SetupDirection
        /// The market phase at that bar.
        public var phaseType: PhaseType

        /// The setup and its direction together.
        public var match: SetupMatch { SetupMatch(setupType, setupDirection) }

        enum CodingKeys: String, CodingKey {
            case symbol, barIndex = "bar_index", startTimeMs = "start_time_ms"
            case startTime = "start_time", closeTime = "close_time", closeTimeMs = "close_time_ms"
            case setupType = "setup_type", setupDirection = "setup_direction", phaseType = "phase_type"
        }

        /// Creates a label.
        public init(
            symbol: String, barIndex: Int, startTimeMs: Int64, closeTimeMs: Int64, setupType: SetupType,
            setupDirection: SetupDirection, phaseType: PhaseType
        ) {
            self.symbol = symbol
            self.barIndex = barIndex
            self.startTimeMs = startTimeMs
            self.closeTimeMs = closeTimeMs
            self.setupType = setupType
            self.setupDirection = setupDirection
            self.phaseType = phaseType
        }

        /// Reads a label row (the ISO times are informative; the millisecond fields rule).
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            symbol = try c.decode(String.self, forKey: .symbol)
            barIndex = try c.decode(Int.self, forKey: .barIndex)
            startTimeMs = try c.decode(Int64.self, forKey: .startTimeMs)
            closeTimeMs = try c.decode(Int64.self, forKey: .closeTimeMs)
            setupType = try c.decode(SetupType.self, forKey: .setupType)
            setupDirection = try c.decode(SetupDirection.self, forKey: .setupDirection)
            phaseType = try c.decode(PhaseType.self, forKey: .phaseType)
        }

        /// Writes a label row with both ISO and millisecond times.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(symbol, forKey: .symbol)
            try c.encode(barIndex, forKey: .barIndex)
            try c.encode(UTCTime.iso(milliseconds: startTimeMs), forKey: .startTime)
            try c.encode(startTimeMs, forKey: .startTimeMs)
            try c.encode(UTCTime.iso(milliseconds: closeTimeMs), forKey: .closeTime)
            try c.encode(closeTimeMs, forKey: .closeTimeMs)
            try c.encode(setupType, forKey: .setupType)
            try c.encode(setupDirection, forKey: .setupDirection)
            try c.encode(phaseType, forKey: .phaseType)
        }
    }

    /// A generated market.
    public struct Output: Sendable {
        /// The candles.
        public var series: CandleSeries
        /// The planted setups, in bar order.
        public var setups: [PlantedSetup]
        /// Scenario attempts that failed their check and were redrawn (a health figure: a
        /// large number means the scripts no longer fit the rules).
        public var rejectedAttempts: Int
    }

    /// The eleven kinds planted: every setup in both directions, and range accumulation,
    /// which implies no direction (the rule defining it has none).
    public static let plantedKinds: [SetupMatch] = [
        SetupMatch(.rangeAccumulation, .none),
        SetupMatch(.breakout, .up), SetupMatch(.breakout, .down),
        SetupMatch(.breakoutWithPullback, .up), SetupMatch(.breakoutWithPullback, .down),
        SetupMatch(.fakeout, .up), SetupMatch(.fakeout, .down),
        SetupMatch(.exhaustion, .up), SetupMatch(.exhaustion, .down),
        SetupMatch(.trendContinuation, .up), SetupMatch(.trendContinuation, .down),
    ]

    /// How much the rule thresholds are tightened and loosened when a planted setup is
    /// checked (0.15: ADX < 17 and < 23 for a range, RV ≥ 1.73 and ≥ 1.28 for a breakout, …).
    public static let verificationMargin = 0.15

    /// Generates the market described by `configuration`.
    public static func generate(_ configuration: Configuration = Configuration()) -> Output {
        let total = max(configuration.bars, 0)
        var builder = SyntheticBuilder(configuration: configuration)
        var setups: [PlantedSetup] = []
        var rejected = 0
        var queue: [SetupMatch] = []
        // Indicators need about 2 · 14 bars to settle; the first scenario waits for that.
        for _ in 0..<min(60, total) { builder.backgroundBar() }
        while builder.count < total {
            let ordinary = builder.rng.integer(configuration.ordinaryBars)
            for _ in 0..<ordinary { builder.backgroundBar() }
            if queue.isEmpty { queue = shuffled(plantedKinds, &builder.rng) }
            let kind = queue.removeLast()
            var planted: PlantedSetup?
            for _ in 0..<8 {
                var trial = builder
                // Scenarios move in ATRs; where the ATR is a large share of the price one could
                // cross zero, and such a scenario is rejected like one the rules do not read.
                if let label = trial.plant(kind), trial.pricesPositive(from: builder.count) {
                    builder = trial
                    planted = label
                    break
                }
                // Keep the advanced random stream so the next attempt draws differently.
                builder.rng = trial.rng
                rejected += 1
            }
            guard let planted else { continue }
            if planted.barIndex < total { setups.append(planted) }
            var after = builder
            after.followThrough(planted.setupDirection)
            if after.pricesPositive(from: builder.count) { builder = after } else { builder.rng = after.rng }
        }
        let candles = Array(builder.features.candles.prefix(total))
        let series = CandleSeries(symbol: configuration.symbol, interval: configuration.interval, candles: candles)
        return Output(series: series, setups: setups, rejectedAttempts: rejected)
    }

    /// The labels as JSON Lines, one planted setup per line, keys sorted.
    public static func labelsJSONL(_ setups: [PlantedSetup]) throws -> String {
        let encoder = JSONEncoder.chartCLIP()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var text = ""
        for setup in setups {
            text += String(decoding: try encoder.encode(setup), as: UTF8.self) + "\n"
        }
        return text
    }

    /// Reads labels written by `labelsJSONL`; errors name the file and line.
    public static func loadLabels(_ url: URL) throws -> [PlantedSetup] {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ChartCLIPError("cannot read the labels: \(error.localizedDescription)", at: url.path)
        }
        let decoder = JSONDecoder()
        var labels: [PlantedSetup] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            do {
                labels.append(try decoder.decode(PlantedSetup.self, from: Data(line.utf8)))
            } catch {
                throw ChartCLIPError(
                    "not a planted-setup label: \(error)", at: "\(url.path): line \(i + 1)",
                    hint: "regenerate it with chartclip synth --labels-out")
            }
        }
        return labels
    }

    /// Fisher–Yates with the seeded generator (the standard library's shuffle may change its
    /// algorithm between releases, which would change the market for a given seed).
    static func shuffled<T>(_ items: [T], _ rng: inout SeededGenerator) -> [T] {
        var items = items
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            items.swapAt(i, rng.integer(0...i))
        }
        return items
    }
}
