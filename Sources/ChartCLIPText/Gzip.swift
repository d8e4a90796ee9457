import CZlib
import ChartCLIPSupport
import Foundation

/// Decompression of gzip (and zlib) data through the system zlib.
///
/// Foundation on Linux has no decompression API, so this wraps zlib's `inflate` directly.
/// Concatenated gzip members are decoded one after the other, as `gzip -d` does.
public enum Gzip {
    /// `true` when `data` starts with the gzip magic bytes `1f 8b`.
    public static func isGzip(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1f && data[data.startIndex + 1] == 0x8b
    }

    /// zlib's CRC-32 of `data` (the checksum of gzip trailers; Python's `zlib.crc32`).
    public static func crc32(_ data: Data) -> UInt32 {
        data.withUnsafeBytes { raw in
            var crc: UInt = CZlib.crc32(0, nil, 0)
            var offset = 0
            while offset < raw.count {  // crc32 takes a 32-bit length
                let n = min(raw.count - offset, 1 << 30)
                crc = CZlib.crc32(crc, raw.baseAddress!.advanced(by: offset).assumingMemoryBound(to: Bytef.self), uInt(n))
                offset += n
            }
            return UInt32(truncatingIfNeeded: crc)
        }
    }

    /// Decompresses a whole gzip or zlib stream held in memory.
    ///
    /// - Parameter source: where the data came from, named in error messages.
    /// - Throws: `ChartCLIPError` when the data is truncated or not a valid stream.
    public static func decompress(_ data: Data, source: String = "gzip data") throws -> Data {
        var stream = z_stream()
        // windowBits 15 + 32: accept both gzip and zlib headers, detected automatically.
        let status = inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            throw ChartCLIPError("zlib could not start decompressing (status \(status))", at: source)
        }
        defer { inflateEnd(&stream) }

        var output = Data()
        let chunkSize = 1 << 18
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        let input = [UInt8](data)
        var finished = false
        try input.withUnsafeBufferPointer { inBuffer in
            stream.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress)
            stream.avail_in = uInt(inBuffer.count)
            while true {
                let result: Int32 = chunk.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = uInt(chunkSize)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunkSize - Int(stream.avail_out)
                output.append(contentsOf: chunk[0..<produced])
                switch result {
                case Z_STREAM_END:
                    // Another gzip member may follow (files made with `cat a.gz b.gz`).
                    if stream.avail_in > 0 {
                        inflateReset(&stream)
                        continue
                    }
                    finished = true
                    return
                case Z_OK:
                    continue
                case Z_BUF_ERROR where stream.avail_in == 0:
                    return
                default:
                    let reason = stream.msg.map { String(cString: $0) } ?? "status \(result)"
                    throw ChartCLIPError(
                        "the gzip data is corrupt: \(reason)", at: source,
                        hint: "download or copy the file again")
                }
            }
        }
        guard finished else {
            throw ChartCLIPError(
                "the gzip data ends too early (truncated file?)", at: source,
                hint: "download or copy the file again")
        }
        return output
    }
}
