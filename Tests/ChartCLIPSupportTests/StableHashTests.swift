import ChartCLIPSupport
import Testing

/// Stable hashes and the cache folder names built from them.
@Suite struct StableHashTests {
    @Test func fnv1aMatchesTheReferenceValues() {
        // The FNV-1a 64 test vectors of the algorithm's authors (Fowler, Noll, Vo).
        #expect(StableHash.fnv1a("") == 0xCBF2_9CE4_8422_2325)
        #expect(StableHash.fnv1a("a") == 0xAF63_DC4C_8601_EC8C)
        #expect(StableHash.fnv1a("foobar") == 0x8594_4171_F739_67E8)
    }

    @Test func longKeysBecomeShortDistinctFolderNames() {
        #expect(StableHash.folderName("SYNTHAUSDT_b3000") == "SYNTHAUSDT_b3000")
        let letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ".map { "SYNTH\($0)USDT" }
        let long = letters.joined(separator: "-") + "_b20000_s11_w32_st4_px128"
        let other = letters.joined(separator: "-") + "_b20000_s11_w32_st4_px64"
        let name = StableHash.folderName(long)
        #expect(long.utf8.count > 255 && name.utf8.count <= 200)
        #expect(name.hasPrefix("SYNTHAUSDT-SYNTHBUSDT") && name != StableHash.folderName(other))
        #expect(name == StableHash.folderName(long))
        // Multi-byte characters are not cut in half.
        let wide = String(repeating: "é", count: 150)
        #expect(StableHash.folderName(wide).utf8.count <= 200 && StableHash.folderName(wide).hasPrefix("éé"))
    }
}
