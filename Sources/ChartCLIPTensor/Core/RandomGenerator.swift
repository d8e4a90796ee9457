import ChartCLIPSupport
import Foundation

/// A seeded, deterministic random number generator on the shared `Xoshiro256` stream
/// (xoshiro256**, seeded by SplitMix64).
///
/// The same seed gives the same stream on every machine; `state` can be saved into a
/// checkpoint and restored for an exact resume.
public final class RandomGenerator: RandomNumberGenerator {
    /// The four 64-bit words of xoshiro256** state plus a cached second normal deviate.
    public struct State: Codable, Equatable, Sendable {
        /// xoshiro256** state words.
        public var words: [UInt64]
        /// The spare Box-Muller deviate, if one is pending.
        public var spareNormal: Float?

        /// A state from saved words (as read from a checkpoint).
        public init(words: [UInt64], spareNormal: Float?) {
            self.words = words
            self.spareNormal = spareNormal
        }
    }

    private var core: Xoshiro256
    private var spare: Float?

    /// A generator whose whole stream is fixed by `seed`.
    public init(seed: UInt64) {
        core = Xoshiro256(seed: seed)
    }

    /// The current state, for checkpoints.
    public var state: State {
        get { State(words: core.words, spareNormal: spare) }
        set {
            core = Xoshiro256(words: newValue.words) ?? Xoshiro256(seed: 0)
            spare = newValue.spareNormal
        }
    }

    /// The next 64 random bits.
    @inline(__always)
    public func next() -> UInt64 { core.next() }

    /// Uniform in `[0, 1)` with 24 random bits.
    @inline(__always)
    public func uniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Uniform in `[low, high)`.
    public func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * uniform()
    }

    /// A standard normal deviate (Box-Muller, in double precision).
    public func normal() -> Float {
        if let s = spare {
            spare = nil
            return s
        }
        var u1 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        if u1 < 1e-300 { u1 = 1e-300 }
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        let r = (-2 * Foundation.log(u1)).squareRoot()
        spare = Float(r * Foundation.sin(2 * Double.pi * u2))
        return Float(r * Foundation.cos(2 * Double.pi * u2))
    }

    /// A normal deviate with the given mean and standard deviation, redrawn until it falls
    /// within `[low, high]` (the definition of PyTorch's `trunc_normal_`).
    public func truncatedNormal(mean: Float = 0, std: Float = 1, low: Float = -2, high: Float = 2) -> Float {
        while true {
            let x = mean + std * normal()
            if x >= low && x <= high { return x }
        }
    }

    /// A uniformly random integer in `0..<upperBound` (unbiased, Lemire's method).
    public func integer(below upperBound: Int) -> Int {
        precondition(upperBound > 0, "integer(below:) needs a positive bound")
        var generator = self
        return Int(generator.next(upperBound: UInt64(upperBound)))
    }

    /// A random permutation of `0..<count` (Fisher-Yates).
    public func permutation(_ count: Int) -> [Int] {
        var result = Array(0..<count)
        if count < 2 { return result }
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = integer(below: i + 1)
            result.swapAt(i, j)
        }
        return result
    }
}
