/// A sliding-window rate limiter: at most `maxRequests` grants in any window of `window`.
///
/// Bybit allows 600 requests per 5 seconds per IP and answers a burst above that with 429s and
/// then a 403 ban; staying below the limit on the client side is cheaper than backing off.
/// A sliding window (rather than a token bucket) matches how such a limit is counted.
public actor RateLimiter {
    /// Grants allowed per window.
    public let maxRequests: Int
    /// The window length.
    public let window: Duration
    private let clock = ContinuousClock()
    private var grants: [ContinuousClock.Instant] = []

    /// Creates a limiter allowing `maxRequests` per `window`.
    public init(maxRequests: Int, per window: Duration) {
        self.maxRequests = max(maxRequests, 1)
        self.window = window
    }

    /// Waits until a request may be sent, then records it.
    /// - Throws: `CancellationError` if the task is cancelled while waiting.
    public func acquire() async throws {
        while true {
            let now = clock.now
            grants.removeAll { $0 + window <= now }
            if grants.count < maxRequests {
                grants.append(now)
                return
            }
            // The oldest grant leaves the window first; other waiters re-check after waking.
            try await Task.sleep(until: grants[0] + window, clock: clock)
        }
    }
}
