import ChartCLIPMarket

/// The market phase with hysteresis, fed one bar at a time with the phase rules' raw reading.
///
/// Regime phases (`trend_up`, `trend_down`, `range`) rest on ADX and EMA thresholds that a
/// market hovering near them crosses back and forth; switching between them therefore needs
/// the new reading on `confirmationBars` bars in a row (bars with no reading neither confirm
/// nor reset). Event phases (`breakout-continuation`, `exhaustion-pullback`) already carry
/// their own memory (the event stays in the rules' lookback for ten bars), so they start on
/// the bar their event happens and end on the bar their rule stops holding: a breakout that
/// failed is over at once. When an event ends with no regime reading, the regime from before
/// the event comes back.
public struct PhaseTracker: Sendable, Equatable {
    /// Consecutive bars a new regime reading needs before it replaces the current one.
    public let confirmationBars: Int
    /// The phase after the bars seen so far, `nil` before any reading.
    public private(set) var current: PhaseType?
    private var regime: PhaseType?
    private var candidate: PhaseType?
    private var candidateBars = 0

    /// A tracker needing `confirmationBars` (at least 1) bars to switch regimes.
    public init(confirmationBars: Int) {
        self.confirmationBars = max(confirmationBars, 1)
    }

    /// Feeds the raw phase of the next bar (`nil` when no phase rule holds) and returns the
    /// phase after it.
    @discardableResult
    public mutating func update(_ raw: PhaseType?) -> PhaseType? {
        if let raw, raw.isEvent {
            current = raw
            resetCandidate()
        } else if let phase = current, phase.isEvent {
            current = raw ?? regime
            resetCandidate()
        } else if let raw {
            if current == nil || raw == current {
                current = raw
                resetCandidate()
            } else {
                candidateBars = raw == candidate ? candidateBars + 1 : 1
                candidate = raw
                if candidateBars >= confirmationBars {
                    current = raw
                    resetCandidate()
                }
            }
        }
        if let phase = current, !phase.isEvent { regime = phase }
        return current
    }

    private mutating func resetCandidate() {
        candidate = nil
        candidateBars = 0
    }
}
