import ChartCLIPLabels
import ChartCLIPMarket
import Testing

/// The phase hysteresis, fed raw readings by hand.
@Suite struct PhaseTrackerTests {
    func run(_ raw: [PhaseType?], confirmation: Int = 2) -> [PhaseType?] {
        var tracker = PhaseTracker(confirmationBars: confirmation)
        return raw.map { tracker.update($0) }
    }

    @Test func oneBarOfAnotherRegimeDoesNotFlipThePhase() {
        let out = run([.trendUp, .trendUp, .range, .trendUp, .range, .range, .range])
        #expect(out == [.trendUp, .trendUp, .trendUp, .trendUp, .trendUp, .range, .range])
    }

    @Test func barsWithNoReadingKeepThePhaseAndDoNotResetACandidate() {
        let out = run([.range, nil, .trendDown, nil, .trendDown, nil])
        #expect(out == [.range, .range, .range, .range, .trendDown, .trendDown])
    }

    @Test func eventsStartAtOnceAndEndAfterConfirmationBackToTheRegime() {
        let out = run([.range, .range, .breakoutContinuation, .breakoutContinuation, nil, nil, .trendUp])
        // The event's rule stops holding for two bars (no regime reading): the range from
        // before the breakout comes back; a new regime then still needs confirming.
        #expect(out == [.range, .range, .breakoutContinuation, .breakoutContinuation, .breakoutContinuation, .range, .range])
        // One bar under the level does not end a breakout's phase.
        let dip = run([.range, .breakoutContinuation, .range, .breakoutContinuation, .range, .range])
        #expect(dip == [.range, .breakoutContinuation, .breakoutContinuation, .breakoutContinuation, .breakoutContinuation, .range])
    }

    @Test func aFailedEventEndsAtOnce() {
        var tracker = PhaseTracker(confirmationBars: 2)
        tracker.update(.range)
        tracker.update(.breakoutContinuation)
        #expect(tracker.needsFailureCheck(raw: .range) && !tracker.needsFailureCheck(raw: .breakoutContinuation))
        #expect(tracker.update(.range, eventFailed: true) == .range)
    }

    @Test func theFirstReadingIsTakenAsItIs() {
        #expect(run([nil, .trendDown]) == [nil, .trendDown])
    }
}
