/// CLIP's reversible map between UTF-8 bytes and printable Unicode characters.
///
/// Byte-level BPE works on strings, so every byte gets a visible stand-in: the printable
/// Latin-1 bytes (`!`…`~`, `¡`…`¬`, `®`…`ÿ`) map to themselves and the other 68 bytes
/// (controls, space, soft hyphen…) map to U+0100 onwards, in byte order. From
/// `bytes_to_unicode()` in openai/CLIP's `simple_tokenizer.py` (the same table as GPT-2's).
public enum ByteEncoder {
    /// The stand-in character of every byte, indexed by byte value.
    public static let characters: [Character] = {
        var table = [Character](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if isPrintable(byte) {
                table[byte] = Character(Unicode.Scalar(UInt8(byte)))
            } else {
                table[byte] = Character(Unicode.Scalar(next)!)
                next += 1
            }
        }
        return table
    }()

    /// The bytes in CLIP's vocabulary order: the printable bytes first, then the others.
    /// The first 256 token ids of the CLIP vocabulary are these bytes' characters, the next
    /// 256 the same characters followed by `</w>`.
    public static let vocabularyOrder: [UInt8] = {
        let printable = (0..<256).filter(isPrintable).map(UInt8.init)
        let others = (0..<256).filter { !isPrintable($0) }.map(UInt8.init)
        return printable + others
    }()

    /// The byte that a stand-in character encodes, or `nil` if it is not in the table.
    public static func byte(for character: Character) -> UInt8? {
        decoder[character]
    }

    private static let decoder: [Character: UInt8] = {
        var map: [Character: UInt8] = [:]
        for (byte, character) in characters.enumerated() { map[character] = UInt8(byte) }
        return map
    }()

    private static func isPrintable(_ byte: Int) -> Bool {
        (33...126).contains(byte) || (161...172).contains(byte) || (174...255).contains(byte)
    }
}
