import ChartCLIPSupport
import Foundation

/// The synthetic market's seeded random numbers in `Double`, on the shared `Xoshiro256`
/// stream.
///
/// ChartCLIP's synthetic market must give the same candles for the same seed on every
/// platform and toolchain, so it never uses the system generator; the normal deviates come
/// from Box–Muller on this stream, not from a library whose algorithm could change.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable {
    private var core: Xoshiro256
    private var spareNormal: Double?

    /// Creates a generator; equal seeds give equal streams.
    public init(seed: UInt64) {
        core = Xoshiro256(seed: seed)
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 { core.next() }

    /// A uniform double in [0, 1) from the top 53 bits.
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform double in `range`.
    public mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * uniform()
    }

    /// A uniform integer in `range`.
    public mutating func integer(_ range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound + 1)
        return range.lowerBound + Int(next() % span)
    }

    /// `true` with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { uniform() < p }

    /// A standard normal deviate (Box–Muller; the second value of each pair is kept).
    public mutating func normal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        let u1 = max(uniform(), 0x1.0p-60)
        let u2 = uniform()
        let r = (-2 * log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        spareNormal = r * sin(angle)
        return r * cos(angle)
    }
}
