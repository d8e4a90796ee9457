import Foundation

/// Seeded damage for the fuzz suite: truncations, bit flips, overwritten and repeated runs of
/// bytes, lying numbers in text. The same seed gives the same cases, so a failure found in CI
/// is found again on any machine.
public struct Fuzz {
    /// What a reader did with one damaged input.
    public enum Verdict {
        case valid, refused
    }

    /// The number of cases per reader: `$CHARTCLIP_FUZZ_CASES`, else `defaultCases` (small for
    /// `swift test`; a longer run is `CHARTCLIP_FUZZ_CASES=5000 swift test --filter FuzzTests`).
    public static func cases(default defaultCases: Int) -> Int {
        ProcessInfo.processInfo.environment["CHARTCLIP_FUZZ_CASES"].flatMap(Int.init) ?? defaultCases
    }

    private var state: UInt64

    /// A generator seeded with `seed`.
    public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    /// SplitMix64.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<n` (n > 0).
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }

    /// Numbers a careless or hostile writer puts where a number belongs.
    public static let lyingNumbers = [
        "0", "-1", "-5", "2147483648", "8589934592", "1e309", "-1e309", "NaN", "nan", ".nan", ".inf", "-.inf",
        "1e-320", "99999999999999999999999", "0x10", "", " ", "\"7\"", "null", "true", "[]", "{}", "1.5", "-0",
    ]

    /// One damaged copy of `data`: binary damage, or (for `text`) also a number replaced by a lie.
    public mutating func mutate(_ data: Data, text: Bool = false) -> Data {
        var bytes = [UInt8](data)
        let kinds = text ? 8 : 6
        switch below(kinds) {
        case 0:  // truncate
            bytes = Array(bytes.prefix(below(bytes.count + 1)))
        case 1:  // flip 1–8 bits
            for _ in 0...below(8) where !bytes.isEmpty { bytes[below(bytes.count)] ^= UInt8(1 << below(8)) }
        case 2:  // overwrite a run with 0x00, 0xFF or noise
            guard !bytes.isEmpty else { break }
            let start = below(bytes.count), length = min(bytes.count - start, 1 + below(16))
            let fill = below(3)
            for i in start..<start + length { bytes[i] = fill == 0 ? 0 : fill == 1 ? 0xFF : UInt8(truncatingIfNeeded: next()) }
        case 3:  // repeat a run
            guard !bytes.isEmpty else { break }
            let start = below(bytes.count), length = min(bytes.count - start, 1 + below(64))
            bytes.insert(contentsOf: bytes[start..<start + length], at: start)
        case 4:  // delete a run
            guard !bytes.isEmpty else { break }
            let start = below(bytes.count), length = min(bytes.count - start, 1 + below(64))
            bytes.removeSubrange(start..<start + length)
        case 5:  // insert noise
            let noise = (0..<(1 + below(16))).map { _ in UInt8(truncatingIfNeeded: next()) }
            bytes.insert(contentsOf: noise, at: below(bytes.count + 1))
        default:  // text: a number (or a word) replaced by a lie
            var s = String(decoding: bytes, as: UTF8.self)
            let ranges = Self.tokenRanges(s, numbers: below(4) != 0)
            if !ranges.isEmpty {
                let lie = Self.lyingNumbers[below(Self.lyingNumbers.count)]
                s.replaceSubrange(ranges[below(ranges.count)], with: lie)
            }
            bytes = Array(s.utf8)
        }
        return Data(bytes)
    }

    /// The ranges of numbers (or of alphanumeric words) in `s`.
    static func tokenRanges(_ s: String, numbers: Bool) -> [Range<String.Index>] {
        var ranges: [Range<String.Index>] = []
        var start: String.Index?
        func belongs(_ c: Character) -> Bool {
            numbers ? (c.isNumber || c == "." || c == "-" || c == "e") : (c.isLetter || c.isNumber || c == "_")
        }
        var i = s.startIndex
        while i < s.endIndex {
            if belongs(s[i]) {
                if start == nil { start = i }
            } else if let st = start {
                if !numbers || s[st..<i].contains(where: \.isNumber) { ranges.append(st..<i) }
                start = nil
            }
            i = s.index(after: i)
        }
        if let st = start, !numbers || s[st...].contains(where: \.isNumber) { ranges.append(st..<s.endIndex) }
        return ranges
    }
}

/// Tallies of one reader's fuzz run, printed by the suite.
public struct FuzzTally: CustomStringConvertible {
    public let reader: String
    public var valid = 0, refused = 0
    public var unclear: [String] = []

    public init(reader: String) { self.reader = reader }

    public var description: String {
        "fuzz \(reader): \(valid + refused) cases, \(refused) refused with an error, \(valid) read as valid, \(unclear.count) unclear errors"
    }
}
