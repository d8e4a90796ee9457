import ChartCLIPSupport
import Foundation

/// TFRecord framing: each record is its length (UInt64, little-endian), the masked CRC-32C of
/// those 8 bytes, the data, and the masked CRC-32C of the data.
public enum TFRecord {
    /// The framed bytes of one record.
    public static func frame(_ data: Data) -> Data {
        var out = Data(capacity: data.count + 16)
        let length = withUnsafeBytes(of: UInt64(data.count).littleEndian) { Data($0) }
        out.append(length)
        appendLittleEndian(CRC32C.masked(length), to: &out)
        out.append(data)
        appendLittleEndian(CRC32C.masked(data), to: &out)
        return out
    }

    static func appendLittleEndian(_ value: UInt32, to out: inout Data) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    /// The records of a file's bytes, every checksum checked.
    ///
    /// - Parameter source: names the file in errors.
    /// - Throws: `ChartCLIPError` naming the byte offset of a truncated or corrupt record.
    public static func records(_ bytes: Data, source: String) throws -> [Data] {
        let b = [UInt8](bytes)
        var records: [Data] = []
        var i = 0
        func u32(_ at: Int) -> UInt32 { (0..<4).reduce(UInt32(0)) { $0 | UInt32(b[at + $1]) << (8 * UInt32($1)) } }
        while i < b.count {
            guard b.count - i >= 12 else {
                throw ChartCLIPError("truncated record header at byte \(i)", at: source, hint: "the writer was interrupted; the records before it are intact")
            }
            let length = (0..<8).reduce(UInt64(0)) { $0 | UInt64(b[i + $1]) << (8 * UInt64($1)) }
            guard CRC32C.masked(b[i..<(i + 8)]) == u32(i + 8) else {
                throw ChartCLIPError("the length of the record at byte \(i) fails its checksum", at: source, hint: "the file is corrupt")
            }
            guard length <= UInt64(b.count - i - 16) else {
                throw ChartCLIPError("the record at byte \(i) says \(length) bytes, past the end of the file", at: source, hint: "the writer was interrupted")
            }
            let start = i + 12, end = start + Int(length)
            guard CRC32C.masked(b[start..<end]) == u32(end) else {
                throw ChartCLIPError("the record at byte \(i) fails its checksum", at: source, hint: "the file is corrupt")
            }
            records.append(Data(b[start..<end]))
            i = end + 4
        }
        return records
    }
}
