/// Hashes that are the same on every run and platform (Swift's `Hasher` is seeded per process),
/// for choices and names that must not change between runs.
public enum StableHash {
    /// 64-bit FNV-1a of the UTF-8 bytes of `text`.
    public static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    /// `key` as one folder name: unchanged when it fits in `limit` bytes, otherwise its first
    /// bytes up to a character boundary, then `_` and the key's 16-hex-digit FNV-1a, so long
    /// keys (e.g. 26 symbols spelled out) stay distinct and within a file system's 255-byte
    /// name limit.
    public static func folderName(_ key: String, limit: Int = 200) -> String {
        guard key.utf8.count > limit else { return key }
        var head = ""
        for character in key {
            guard head.utf8.count + character.utf8.count <= limit - 17 else { break }
            head.append(character)
        }
        let hex = String(fnv1a(key), radix: 16)
        return head + "_" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
