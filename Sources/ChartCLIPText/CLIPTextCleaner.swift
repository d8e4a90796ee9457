import Foundation

/// CLIP's text cleaning and pre-split, the step before byte-pair encoding.
///
/// Cleaning follows Hugging Face's `CLIPTokenizer` normaliser (NFC, every run of whitespace
/// becomes one space, lower-case), which is what openai/CLIP's `ftfy` + `whitespace_clean` +
/// `lower()` amount to on ordinary text. Splitting is CLIP's pattern, applied to Unicode
/// scalars exactly as the Python `regex` module applies it to code points:
///
///     <|startoftext|>|<|endoftext|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
///
/// so letters group into words, every digit stands alone, and runs of punctuation stay
/// together. Whitespace only separates pieces and is dropped.
public enum CLIPTextCleaner {
    /// NFC-normalises, collapses whitespace runs into one space, trims, and lower-cases.
    public static func clean(_ text: String) -> String {
        let composed = text.precomposedStringWithCanonicalMapping
        var scalars = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in composed.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !scalars.isEmpty
                continue
            }
            if pendingSpace {
                scalars.append(" ")
                pendingSpace = false
            }
            scalars.append(scalar)
        }
        return String(scalars).lowercased()
    }

    /// Splits cleaned text into the pieces that are byte-pair encoded one by one.
    ///
    /// `"it's 2.5%"` → `["it", "'s", "2", ".", "5", "%"]`.
    public static func split(_ cleaned: String) -> [String] {
        let scalars = Array(cleaned.unicodeScalars)
        var pieces: [String] = []
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar.properties.isWhitespace {
                index += 1
                continue
            }
            let end: Int
            if let special = matchSpecial(scalars, at: index) {
                end = special
            } else if scalar == "'", let contraction = matchContraction(scalars, at: index) {
                end = contraction
            } else if isLetter(scalar) {
                end = run(scalars, from: index, while: isLetter)
            } else if isNumber(scalar) {
                end = index + 1
            } else {
                end = run(scalars, from: index) { !isLetter($0) && !isNumber($0) && !$0.properties.isWhitespace }
            }
            var piece = String.UnicodeScalarView()
            piece.append(contentsOf: scalars[index..<end])
            pieces.append(String(piece))
            index = end
        }
        return pieces
    }

    /// `\p{L}`: the five letter categories.
    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return true
        default:
            return false
        }
    }

    /// `\p{N}`: decimal digits, letter numbers (Ⅻ) and other numbers (², ½).
    static func isNumber(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    private static let specials: [[Unicode.Scalar]] = [
        Array("<|startoftext|>".unicodeScalars), Array("<|endoftext|>".unicodeScalars),
    ]
    // In the pattern's order: `'s` is tried before `'re`, and so on.
    private static let contractions: [[Unicode.Scalar]] = ["s", "t", "re", "ve", "m", "ll", "d"].map {
        Array($0.unicodeScalars)
    }

    private static func matchSpecial(_ scalars: [Unicode.Scalar], at index: Int) -> Int? {
        guard scalars[index] == "<" else { return nil }
        for special in specials where hasPrefix(scalars, special, at: index) {
            return index + special.count
        }
        return nil
    }

    private static func matchContraction(_ scalars: [Unicode.Scalar], at index: Int) -> Int? {
        for suffix in contractions where hasPrefix(scalars, suffix, at: index + 1, caseInsensitive: true) {
            return index + 1 + suffix.count
        }
        return nil
    }

    private static func hasPrefix(
        _ scalars: [Unicode.Scalar], _ prefix: [Unicode.Scalar], at index: Int,
        caseInsensitive: Bool = false
    ) -> Bool {
        guard index + prefix.count <= scalars.count else { return false }
        for (offset, expected) in prefix.enumerated() {
            var found = scalars[index + offset]
            if caseInsensitive, found.value >= 65, found.value <= 90 {
                found = Unicode.Scalar(found.value + 32)!
            }
            if found != expected { return false }
        }
        return true
    }

    private static func run(
        _ scalars: [Unicode.Scalar], from start: Int, while predicate: (Unicode.Scalar) -> Bool
    ) -> Int {
        var end = start
        while end < scalars.count && predicate(scalars[end]) { end += 1 }
        return end
    }
}
