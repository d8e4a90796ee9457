import ChartCLIPMarket

/// The market phase with hysteresis, fed one bar at a time with the phase rules' raw reading.
///
/// Regime phases (`trend_up`, `trend_down`, `range`) rest on ADX and EMA thresholds that a
/// market hovering near them crosses back and forth; switching between them therefore needs
/// the new reading on `confirmationBars` bars in a row (bars with no reading neither confirm
/// nor reset). Event phases (`breakout-continuation`, `exhaustion-pullback`) start on the bar
/// their event happens (the event is the news) and end once their rule has stopped holding for
/// `confirmationBars` bars in a row, so a close dipping under a broken level for one bar does
/// not end a breakout's phase; a breakout that *failed* (the rules read a fakeout on that bar)
/// is over at once. When an event ends with no regime reading, the regime from before the
/// event comes back.
public struct PhaseTracker: Sendable, Equatable {
    /// Consecutive bars a new regime reading needs before it replaces the current one.
    public let confirmationBars: Int
    /// The phase after the bars seen so far, `nil` before any reading.
    public private(set) var current: PhaseType?
    private var regime: PhaseType?
    private var candidate: PhaseType?
    private var candidateBars = 0
    private var barsSinceEventHeld = 0

    /// A tracker needing `confirmationBars` (at least 1) bars to switch regimes.
    public init(confirmationBars: Int) {
        self.confirmationBars = max(confirmationBars, 1)
    }

    /// Whether an event phase is current and its rule does not hold on the coming bar: then
    /// the caller should say whether the event failed outright (`update(_:eventFailed:)`).
    public func needsFailureCheck(raw: PhaseType?) -> Bool {
        (current?.isEvent ?? false) && !(raw?.isEvent ?? false)
    }

    /// Feeds the raw phase of the next bar (`nil` when no phase rule holds) and returns the
    /// phase after it. `eventFailed` says the rules read a fakeout on this bar: the current
    /// event phase, if any, ends at once.
    @discardableResult
    public mutating func update(_ raw: PhaseType?, eventFailed: Bool = false) -> PhaseType? {
        if let raw, raw.isEvent {
            current = raw
            barsSinceEventHeld = 0
            resetCandidate()
        } else if let phase = current, phase.isEvent {
            barsSinceEventHeld += 1
            if eventFailed || barsSinceEventHeld >= confirmationBars {
                current = raw ?? regime
                barsSinceEventHeld = 0
            }
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
