import ChartCLIPMarket
import ChartCLIPSupport

/// The default labeler: deterministic, no network, issue 5's rules (`SetupRules`) with a
/// confidence (`SetupEvidence`) and phase hysteresis (`PhaseTracker`).
///
/// It reads exactly the candles it is given and labels the last one: given a chart's window,
/// the label is a function of what the chart shows, so it can never look ahead, and two
/// charts whose windows do not overlap share no information (which is what lets dataset
/// preparation split by time without leaks). The indicators warm up inside the window
/// (ADX needs ~28 bars, EMA50's seed weighs 2% after 96), so windows of 60–100 candles suit
/// it; the hysteresis starts after `warmUpBars` so that unsettled indicators do not decide.
public struct LocalLabeler: ChartLabeler {
    /// The setup and phase rules (issue 5's thresholds by default).
    public var rules: SetupRules
    /// Bars a new regime phase must hold before the label switches to it.
    public var phaseConfirmationBars: Int
    /// Bars at the start of a window whose phase readings are ignored (indicators settling).
    public var warmUpBars: Int
    /// How many bars before the last the hysteresis starts from: enough to confirm a regime
    /// and to see every event still inside the rules' 10-bar lookback, few enough to keep a
    /// label cheap (each bar's raw phase scans that lookback).
    public var phaseHistoryBars: Int

    /// A labeler with the given thresholds and hysteresis.
    public init(
        thresholds: SetupThresholds = SetupThresholds(), phaseConfirmationBars: Int = 2, warmUpBars: Int = 30,
        phaseHistoryBars: Int = 24
    ) {
        rules = SetupRules(thresholds: thresholds)
        self.phaseConfirmationBars = phaseConfirmationBars
        self.warmUpBars = warmUpBars
        self.phaseHistoryBars = phaseHistoryBars
    }

    /// `local`.
    public var name: String { "local" }

    /// Everything the labeler read at a chart's last candle.
    public struct Reading: Sendable, Equatable {
        /// The label.
        public var label: ChartLabel
        /// The conditions behind the confidence.
        public var evidence: SetupEvidence
        /// The phase rules' reading at the last bar alone, before hysteresis (`nil`: none held).
        public var rawPhase: PhaseType?
    }

    /// Reads the last candle of `features`.
    ///
    /// - Throws: when there are fewer than two candles.
    public func read(_ f: MarketFeatures) throws -> Reading {
        guard f.count >= 2 else {
            throw ChartCLIPError(
                "the local labeler needs at least 2 candles, got \(f.count)",
                hint: "label charts of 60 candles or more so the indicators can settle")
        }
        let t = f.count - 1
        let match = rules.setup(in: f, at: t)
        let evidence = SetupEvidence(for: match, in: f, at: t, rules: rules)
        var tracker = PhaseTracker(confirmationBars: phaseConfirmationBars)
        var raw: PhaseType?
        let first = max(min(max(warmUpBars, 1), t), t - max(phaseHistoryBars, 0))
        for bar in first...t {
            raw = rules.phase(in: f, at: bar)
            let failed = tracker.needsFailureCheck(raw: raw)
                && [true, false].contains { rules.isFakeout(Oriented(f, up: $0), at: bar) }
            tracker.update(raw, eventFailed: failed)
        }
        let phase = tracker.current ?? fallbackPhase(f, at: t)
        let label = ChartLabel(
            setupType: match.type, setupDirection: match.direction, phaseType: phase, confidence: evidence.confidence)
        return Reading(label: label, evidence: evidence, rawPhase: raw)
    }

    /// The label of the last of `candles` (oldest first), from those candles only.
    public func label(candles: some Sequence<Candle>) throws -> ChartLabel {
        try read(MarketFeatures(candles: Array(candles))).label
    }

    /// The label of the chart of `window` in `series`, from the window's candles only.
    public func label(_ series: CandleSeries, window: Range<Int>) throws -> ChartLabel {
        guard window.lowerBound >= 0, window.upperBound <= series.candles.count else {
            throw ChartCLIPError(
                "window \(window) is outside the \(series.candles.count) candles of \(series.symbol)")
        }
        return try label(candles: series.candles[window])
    }

    /// `ChartLabeler`: labels the request's candles (the image is not needed).
    public func label(_ request: LabelRequest) async throws -> ChartLabel {
        try label(candles: request.candles)
    }

    /// The phase when no rule held on any bar after the warm-up: `range` while ADX is below
    /// the trend minimum, else the trend the EMAs are ordered for.
    func fallbackPhase(_ f: MarketFeatures, at t: Int) -> PhaseType {
        guard f.adx(at: t) >= rules.thresholds.trendMinADX else { return .range }
        return f.emaFast[t] >= f.emaSlow[t] ? .trendUp : .trendDown
    }
}
