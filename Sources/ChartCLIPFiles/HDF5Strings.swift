import ChartCLIPSupport
import Foundation
import HDF5Shim

/// How strings are stored in a dataset.
///
/// ChartCLIP writes fixed-length strings by default: they are covered by the file's
/// checksums, so a damaged file gives an error. Variable-length strings live in HDF5's
/// global heap, which has no checksum, and libhdf5 (1.10) can crash or hang reading a
/// damaged one. h5py reads fixed-length strings as `bytes`
/// (`f["paths"].asstr()[...]` gives `str`).
public enum HDF5StringLayout: Sendable {
    /// Every string padded with NULs to the longest one's UTF-8 length (numpy's `S` dtype).
    case fixedLength
    /// Each string its own length (h5py's `str` dtype); not checksummed.
    case variableLength
}

/// Encoding and decoding of HDF5 string data, shared by datasets and attributes.
///
/// Strings are written as UTF-8. Reading accepts what h5py and other tools write:
/// variable-length or fixed-length, UTF-8 or ASCII, NUL-terminated, NUL- or space-padded.
/// A string cannot contain a NUL character (C strings end there).
enum HDF5Strings {
    /// A UTF-8 string type: variable-length, or fixed at `size` bytes.
    static func makeType(layout: HDF5StringLayout, size: Int, location: String) throws -> HDF5Handle {
        let type = try HDF5Library.check(H5Tcopy(chartclip_h5t_c_s1()), "cannot create a string type", at: location)
        let length = layout == .variableLength ? chartclip_h5t_variable() : max(size, 1)
        try HDF5Library.check(H5Tset_size(type.id, length), "cannot create a string type", at: location)
        try HDF5Library.check(H5Tset_cset(type.id, H5T_CSET_UTF8), "cannot create a string type", at: location)
        let padding = layout == .variableLength ? H5T_STR_NULLTERM : H5T_STR_NULLPAD
        try HDF5Library.check(H5Tset_strpad(type.id, padding), "cannot create a string type", at: location)
        return type
    }

    /// Calls `write` with a buffer holding `strings` in the layout of `type` (made by
    /// `makeType`): C string pointers for variable length, padded bytes for fixed length.
    static func withBuffer(
        _ strings: [String], layout: HDF5StringLayout, size: Int,
        _ write: (UnsafeRawPointer?) -> Int32
    ) -> Int32 {
        switch layout {
        case .variableLength:
            let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
            defer { pointers.forEach { free($0) } }
            return pointers.withUnsafeBytes { write($0.baseAddress) }
        case .fixedLength:
            var bytes = [UInt8](repeating: 0, count: max(strings.count * max(size, 1), 1))
            for (index, string) in strings.enumerated() {
                let utf8 = Array(string.utf8.prefix(size))
                bytes.replaceSubrange((index * size)..<(index * size + utf8.count), with: utf8)
            }
            return bytes.withUnsafeBytes { write($0.baseAddress) }
        }
    }

    /// The longest UTF-8 length among `strings`, the size of a fixed-length type for them.
    static func fixedSize(_ strings: [String]) -> Int {
        max(strings.map(\.utf8.count).max() ?? 1, 1)
    }

    /// Reads `count` strings stored with `fileType`; `read` fills a buffer given a memory
    /// type (H5Dread or H5Aread), `space` is needed to free variable-length data.
    static func read(
        count: Int, fileType: hid_t, space: hid_t, location: String,
        _ read: (hid_t, UnsafeMutableRawPointer?) -> Int32
    ) throws -> [String] {
        guard count > 0 else { return [] }
        let memoryType = try HDF5Library.check(H5Tcopy(fileType), "cannot read the string type", at: location)
        if H5Tis_variable_str(fileType) > 0 {
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            let status = pointers.withUnsafeMutableBytes { read(memoryType.id, $0.baseAddress) }
            guard status >= 0 else {
                throw HDF5Library.failure("cannot read the strings (truncated or damaged file?)", at: location)
            }
            let strings = pointers.map { pointer in pointer.map { String(cString: $0) } ?? "" }
            _ = pointers.withUnsafeMutableBytes { chartclip_h5_reclaim(memoryType.id, space, $0.baseAddress) }
            return strings
        }
        let size = Int(H5Tget_size(fileType))
        guard size > 0 else { return Array(repeating: "", count: count) }
        var bytes = [UInt8](repeating: 0, count: count * size)
        let status = bytes.withUnsafeMutableBytes { read(memoryType.id, $0.baseAddress) }
        guard status >= 0 else {
            throw HDF5Library.failure("cannot read the strings (truncated or damaged file?)", at: location)
        }
        let spacePadded = H5Tget_strpad(fileType) == H5T_STR_SPACEPAD
        return (0..<count).map { index in
            var slice = bytes[(index * size)..<((index + 1) * size)].prefix { $0 != 0 }
            if spacePadded {
                while slice.last == 0x20 { slice = slice.dropLast() }
            }
            return String(decoding: slice, as: UTF8.self)
        }
    }
}

extension HDF5File {
    /// Writes a 1-D dataset of UTF-8 strings (per-row file paths or labels next to
    /// embeddings). h5py reads it as `f[path].asstr()[...]`.
    public func write(_ strings: [String], to path: String, layout: HDF5StringLayout = .fixedLength) throws {
        let normalized = try normalize(path)
        try HDF5Library.locked {
            let size = HDF5Strings.fixedSize(strings)
            let type = try HDF5Strings.makeType(layout: layout, size: size, location: location(normalized))
            let dataset = try createDataset(normalized, fileType: type.id, shape: [strings.count])
            guard !strings.isEmpty else { return }
            let status = HDF5Strings.withBuffer(strings, layout: layout, size: size) { buffer in
                H5Dwrite(dataset.id, type.id, chartclip_h5s_all(), chartclip_h5s_all(), HDF5Library.defaultList, buffer)
            }
            try HDF5Library.check(status, "cannot write the strings", at: location(normalized))
        }
    }

    /// Reads a dataset of strings (any shape, flattened in row-major order), whether
    /// variable- or fixed-length, UTF-8 or ASCII.
    public func readStrings(_ path: String) throws -> [String] {
        let normalized = try normalize(path)
        return try HDF5Library.locked {
            let dataset = try openDataset(normalized)
            let info = try datasetInfo(dataset, path: normalized)
            try checkAllocation(info.shape, bytesPerValue: 8, path: normalized)
            guard info.valueType == .string else {
                throw ChartCLIPError(
                    "the dataset holds \(info.valueType) values, not strings", at: location(normalized),
                    hint: "read it with read(_:as:)")
            }
            let type = try HDF5Library.check(H5Dget_type(dataset.id), "cannot read the type", at: location(normalized))
            let space = try HDF5Library.check(H5Dget_space(dataset.id), "cannot read the shape", at: location(normalized))
            return try HDF5Strings.read(
                count: info.count, fileType: type.id, space: space.id, location: location(normalized)
            ) { memoryType, buffer in
                H5Dread(dataset.id, memoryType, chartclip_h5s_all(), chartclip_h5s_all(), HDF5Library.defaultList, buffer)
            }
        }
    }
}
