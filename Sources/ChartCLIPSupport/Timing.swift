import Foundation

/// Wall-clock timing for benchmarks: warm-up runs, then the median of measured runs.
public enum Timing {
    /// Seconds since an arbitrary start (monotonic).
    public static func now() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }

    /// Runs `body` `warmup` times unmeasured, then `runs` times; returns each run's seconds.
    public static func measure(warmup: Int, runs: Int, _ body: () -> Void) -> [Double] {
        for _ in 0..<warmup { body() }
        return (0..<runs).map { _ in
            let start = now()
            body()
            return now() - start
        }
    }

    /// The median of `values`.
    public static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// `true` in optimised builds; benchmarks warn otherwise.
    public static var isReleaseBuild: Bool {
        #if DEBUG
            return false
        #else
            return true
        #endif
    }
}
