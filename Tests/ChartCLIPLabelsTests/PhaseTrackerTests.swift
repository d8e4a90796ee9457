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

    @Test func eventsStartAtOnceAndEndAtOnceBackToTheRegime() {
        let out = run([.range, .range, .breakoutContinuation, .breakoutContinuation, nil, .trendUp])
        // The event ends on the first bar its rule no longer holds; with no regime reading the
        // range from before it comes back, and a new regime then still needs confirming.
        #expect(out == [.range, .range, .breakoutContinuation, .breakoutContinuation, .range, .range])
        let after = run([.trendUp, .exhaustionPullback, .range])
        #expect(after == [.trendUp, .exhaustionPullback, .range])
    }

    @Test func theFirstReadingIsTakenAsItIs() {
        #expect(run([nil, .trendDown]) == [nil, .trendDown])
    }
}
