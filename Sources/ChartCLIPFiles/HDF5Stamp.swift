import CZlib
import ChartCLIPSupport
import Foundation

/// The whole-file checksum ChartCLIP keeps in the user block of the HDF5 files it writes.
///
/// libhdf5 (1.10 here) checksums its metadata and ChartCLIP's datasets carry Fletcher-32,
/// but some damage (bytes inserted or deleted, so that every address after them is off)
/// makes libhdf5 itself crash while walking the file. So a file ChartCLIP writes starts
/// with a 512-byte user block, which HDF5 skips, holding the CRC-32 and length of everything
/// after it; the file is checked before libhdf5 sees it, and damage of any kind is an error
/// naming the file. Files without the block (h5py's, older ChartCLIP's) are read as before.
///
/// Layout of the block: `CHARTCLIP-HDF5-CRC` and a 0 byte, a version byte (1), the length of
/// the rest of the file (UInt64, little-endian), its CRC-32 (UInt32, little-endian), zeros.
enum HDF5Stamp {
    static let blockSize = 512
    static let magic = Array("CHARTCLIP-HDF5-CRC\0".utf8)
    static let version: UInt8 = 1
    /// Bytes of the block that hold something: magic, version, length, CRC.
    static let headerLength = magic.count + 1 + 8 + 4

    /// Computes the checksum of `url`'s HDF5 data and writes it into the user block.
    static func stamp(_ url: URL) throws {
        // Only a file whose HDF5 data starts after a user block has room for the stamp.
        guard try signatureAt(url, offset: UInt64(blockSize)) else { return }
        let (length, crc) = try checksum(url)
        var block = magic + [version]
        withUnsafeBytes(of: length.littleEndian) { block += $0 }
        withUnsafeBytes(of: crc.littleEndian) { block += $0 }
        let fd = open(url.path, O_WRONLY)
        guard fd >= 0 else { throw ChartCLIPError("cannot reopen the file to stamp its checksum: \(String(cString: strerror(errno)))", at: url.path) }
        defer { close(fd) }
        let written = block.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        guard written == block.count, fsync(fd) == 0 else {
            throw ChartCLIPError("cannot write the file's checksum: \(String(cString: strerror(errno)))", at: url.path, hint: "check free disk space")
        }
    }

    /// Clears the stamp (a file about to be changed in place is no longer what it says).
    static func clear(_ url: URL) throws {
        guard try readBlock(url).starts(with: magic) else { return }
        let fd = open(url.path, O_WRONLY)
        guard fd >= 0 else { throw ChartCLIPError("cannot open the file for writing: \(String(cString: strerror(errno)))", at: url.path) }
        defer { close(fd) }
        let zeros = [UInt8](repeating: 0, count: headerLength)
        _ = zeros.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    /// Checks the stamp; files without a user block pass. Throws, naming the file, when the
    /// stamp is present and the file does not match it, or when the HDF5 data starts after a
    /// user block whose stamp is unreadable.
    static func verify(_ url: URL) throws {
        let block = try readBlock(url)
        let hint = "the file is damaged (changed, truncated or copied incompletely); write it again or use a backup"
        guard block.starts(with: magic) else {
            // Damage to the stamp itself: the HDF5 data starts after a ChartCLIP-sized user block
            // that is not blank.
            let hdf5AtStart = block.starts(with: HDF5File.signature)
            let blank = block.prefix(headerLength).allSatisfy { $0 == 0 }
            if try !hdf5AtStart && !blank && block.count == blockSize && signatureAt(url, offset: UInt64(blockSize)) {
                throw ChartCLIPError("the file's checksum header is damaged", at: url.path, hint: hint)
            }
            return
        }
        guard block.count >= headerLength, block[magic.count] == version else {
            throw ChartCLIPError("the file's checksum header has version \(block.count > magic.count ? block[magic.count] : 0), this ChartCLIP reads version \(version)", at: url.path, hint: "update ChartCLIP, or write the file again")
        }
        let expectedLength = block[(magic.count + 1)..<(magic.count + 9)].withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        let expectedCRC = block[(magic.count + 9)..<headerLength].withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
        let (length, crc) = try checksum(url)
        guard length == expectedLength else {
            throw ChartCLIPError("the file holds \(length + UInt64(blockSize)) bytes, it was written with \(expectedLength + UInt64(blockSize))", at: url.path, hint: hint)
        }
        guard crc == expectedCRC else {
            throw ChartCLIPError(String(format: "the file's checksum is %08x, it was written with %08x", crc, expectedCRC), at: url.path, hint: hint)
        }
    }

    private static func readBlock(_ url: URL) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw ChartCLIPError("cannot read the file", at: url.path, hint: "check the path and permissions")
        }
        defer { try? handle.close() }
        return Array((try? handle.read(upToCount: blockSize)) ?? Data())
    }

    private static func signatureAt(_ url: URL, offset: UInt64) throws -> Bool {
        guard let handle = FileHandle(forReadingAtPath: url.path) else { return false }
        defer { try? handle.close() }
        try? handle.seek(toOffset: offset)
        return Array((try? handle.read(upToCount: 8)) ?? Data()) == HDF5File.signature
    }

    /// Length and CRC-32 of the bytes after the user block.
    private static func checksum(_ url: URL) throws -> (UInt64, UInt32) {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw ChartCLIPError("cannot read the file: \(String(cString: strerror(errno)))", at: url.path) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4 << 20)
        var offset = off_t(blockSize), length: UInt64 = 0
        var crc = CZlib.crc32(0, nil, 0)
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ChartCLIPError("cannot read the file: \(String(cString: strerror(errno)))", at: url.path)
            }
            if n == 0 { break }
            crc = buffer.withUnsafeBufferPointer { CZlib.crc32(crc, $0.baseAddress, uInt(n)) }
            offset += off_t(n)
            length += UInt64(n)
        }
        return (length, UInt32(truncatingIfNeeded: crc))
    }
}
