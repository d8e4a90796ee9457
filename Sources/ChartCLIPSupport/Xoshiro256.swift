/// xoshiro256** (Blackman and Vigna, 2018) seeded through SplitMix64, as its authors
/// recommend: the one random stream behind every seeded generator in ChartCLIP (the tensor
/// core's `RandomGenerator`, the synthetic market's `SeededGenerator`). The same seed gives
/// the same stream on every platform and toolchain.
public struct Xoshiro256: Sendable, Equatable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator whose whole stream is fixed by `seed`.
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix()
        s1 = splitMix()
        s2 = splitMix()
        s3 = splitMix()
    }

    /// A generator resuming from saved state words (4 of them).
    public init?(words: [UInt64]) {
        guard words.count == 4 else { return nil }
        (s0, s1, s2, s3) = (words[0], words[1], words[2], words[3])
    }

    /// The state, for checkpoints.
    public var words: [UInt64] { [s0, s1, s2, s3] }

    /// The next 64 random bits.
    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }
}
