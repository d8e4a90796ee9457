import ChartCLIPSupport
import Foundation
import HDF5Shim

/// An HDF5 file: datasets of numbers or strings with shapes, in groups, with attributes.
///
/// Paths use `/` for groups and keep dots inside names, so a parameter path is its key:
/// `visual.blocks.3.attn.qkv.weight` is one dataset at the root (in h5py,
/// `f["visual.blocks.3.attn.qkv.weight"]`), and `optimizer/adam_m/visual.proj` is the
/// dataset `visual.proj` in the group `optimizer/adam_m`, created on first write.
///
/// ```swift
/// try HDF5File.write(to: url) { file in        // atomic: temp file, then rename
///     try file.write(weights, shape: [768, 768], to: "visual.proj")
///     try file.setAttribute("step", .int(1200))
/// }
/// let file = try HDF5File(reading: url)
/// let proj = try file.read("visual.proj", as: Float.self, shape: [768, 768])
/// ```
///
/// Files are written in the HDF5 1.8 format (checksummed object headers; readable by every
/// HDF5 since 1.8 and by h5py), non-empty numeric and fixed-length string datasets in
/// chunks with a Fletcher-32 checksum, strings as fixed-length UTF-8 (`HDF5StringLayout`):
/// damage anywhere in a ChartCLIP file is reported as an error when read. (libhdf5 1.10
/// itself can still crash on some damage to variable-length strings in files from other
/// writers; see `HDF5StringLayout`.)
///
/// Every call takes a process-wide lock (see `HDF5Library`), so one file may be used from
/// several threads, one call at a time.
public final class HDF5File: @unchecked Sendable {
    /// How to open an existing file.
    public enum Mode: Sendable {
        /// Read only; many readers may open the same file.
        case readOnly
        /// Read and write in place (not atomic; prefer `HDF5File.write(to:_:)`).
        case readWrite
    }

    /// The file on disk.
    public let url: URL
    /// Whether the file was opened for writing.
    public let isWritable: Bool
    let handle: HDF5Handle

    /// Opens an existing file for reading.
    ///
    /// - Throws: `ChartCLIPError` if the file is missing, is not HDF5, or is truncated or
    ///   damaged; the message carries HDF5's reason.
    public convenience init(reading url: URL) throws {
        try self.init(opening: url, mode: .readOnly)
    }

    /// Opens an existing file.
    public init(opening url: URL, mode: Mode) throws {
        try Self.checkLooksLikeHDF5(url)
        try HDF5Stamp.verify(url)
        if mode == .readWrite { try HDF5Stamp.clear(url) }  // changed in place, it is no longer what the stamp says
        let flags = mode == .readOnly ? chartclip_h5f_acc_rdonly() : chartclip_h5f_acc_rdwr()
        handle = try HDF5Library.locked {
            let id = H5Fopen(url.path, flags, HDF5Library.defaultList)
            guard id >= 0 else {
                throw HDF5Library.failure(
                    "cannot open the HDF5 file (truncated or damaged?)", at: url.path,
                    hint: "write the file again; if it was being copied, wait until the copy ends")
            }
            return HDF5Handle(id)
        }
        self.url = url
        self.isWritable = mode == .readWrite
    }

    /// Creates a new, empty file at `url`, replacing any file there. Not atomic: for files
    /// that others read, use `HDF5File.write(to:_:)`.
    public init(creating url: URL) throws {
        handle = try HDF5Library.locked {
            let access = chartclip_h5p_file_access_checksummed()
            guard access >= 0 else { throw HDF5Library.failure("cannot set up the HDF5 file format", at: url.path) }
            let accessList = HDF5Handle(access)
            let create = chartclip_h5p_file_create_userblock(hsize_t(HDF5Stamp.blockSize))
            guard create >= 0 else { throw HDF5Library.failure("cannot set up the HDF5 user block", at: url.path) }
            let createList = HDF5Handle(create)
            let id = H5Fcreate(url.path, chartclip_h5f_acc_trunc(), createList.id, accessList.id)
            guard id >= 0 else {
                throw HDF5Library.failure(
                    "cannot create the HDF5 file", at: url.path,
                    hint: "check that the folder exists and is writable")
            }
            return HDF5Handle(id)
        }
        self.url = url
        self.isWritable = true
    }

    /// Writes a complete file atomically: `body` fills a new file at a temporary path in
    /// the same folder, which is closed, flushed and renamed over `url`. Readers see the
    /// old file or the new one, never a half-written one; if `body` throws, `url` is
    /// untouched.
    public static func write(to url: URL, _ body: (HDF5File) throws -> Void) throws {
        try AtomicFile.write(to: url) { temporary in
            let file = try HDF5File(creating: temporary)
            do {
                try body(file)
            } catch {
                file.handle.close()
                throw error
            }
            try file.close()
            try HDF5Stamp.stamp(temporary)
        }
    }

    /// Closes the file now, flushing what was written. The object is unusable afterwards.
    /// (Files also close when released; call this to see errors from the final flush.)
    public func close() throws {
        let status = handle.close()
        if status < 0 {
            throw HDF5Library.locked { HDF5Library.failure("cannot close (flush) the HDF5 file", at: url.path) }
        }
        if isWritable { try HDF5Stamp.stamp(url) }
    }

    /// Whether a dataset or group exists at `path`.
    public func contains(_ path: String) -> Bool {
        guard let normalized = try? normalize(path) else { return false }
        if normalized == "/" { return true }
        return HDF5Library.locked {
            // Check each level: H5Lexists fails (rather than answering no) when a parent is missing.
            var prefix = ""
            for component in normalized.split(separator: "/") {
                prefix += (prefix.isEmpty ? "" : "/") + component
                if H5Lexists(handle.id, prefix, HDF5Library.defaultList) <= 0 {
                    _ = HDF5Library.takeErrors()
                    return false
                }
            }
            return true
        }
    }

    /// Deletes the dataset or group at `path` (its space is not reclaimed in the file).
    public func remove(_ path: String) throws {
        let normalized = try normalize(path)
        try HDF5Library.locked {
            try requireWritable(path)
            try HDF5Library.check(
                H5Ldelete(handle.id, normalized, HDF5Library.defaultList), "cannot delete \(path)",
                at: location(path))
        }
    }

    /// `file.h5` or `file.h5:key`, for error messages.
    func location(_ path: String?) -> String {
        guard let path, !path.isEmpty, path != "/" else { return url.path }
        return "\(url.path):\(path)"
    }

    /// Validates a path and strips a leading slash: `"/a/b"` → `"a/b"`; `""` or `"/"` → `"/"`.
    func normalize(_ path: String) throws -> String {
        var trimmed = Substring(path)
        while trimmed.hasPrefix("/") { trimmed = trimmed.dropFirst() }
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        if trimmed.isEmpty { return "/" }
        for component in trimmed.split(separator: "/", omittingEmptySubsequences: false) {
            guard !component.isEmpty, component != ".", component != ".." else {
                throw ChartCLIPError(
                    "invalid HDF5 path \"\(path)\"", at: url.path,
                    hint: "use names separated by single slashes, e.g. optimizer/adam_m/visual.proj")
            }
        }
        return String(trimmed)
    }

    func requireWritable(_ path: String) throws {
        guard isWritable else {
            throw ChartCLIPError(
                "the file is open read-only", at: location(path),
                hint: "open it with mode .readWrite or write a new file with HDF5File.write(to:)")
        }
    }

    /// Opens a group, dataset or the root for attributes and listing.
    func openObject(_ path: String) throws -> HDF5Handle {
        let normalized = try normalize(path)
        guard contains(normalized) else {
            throw ChartCLIPError("no group or dataset \"\(normalized)\" in the file", at: url.path)
        }
        return try HDF5Library.check(
            H5Oopen(handle.id, normalized == "/" ? "/" : normalized, HDF5Library.defaultList),
            "cannot open \(normalized)", at: location(normalized))
    }

    /// The 8-byte HDF5 signature, found at offset 0, 512, 1024, 2048… (after a user block).
    static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]

    /// Fails early, with a plain message, on missing files and files that are not HDF5.
    private static func checkLooksLikeHDF5(_ url: URL) throws {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            let exists = FileManager.default.fileExists(atPath: url.path)
            throw ChartCLIPError(
                exists ? "cannot read the file (permissions?)" : "no such file", at: url.path,
                hint: exists ? nil : "check the path")
        }
        defer { try? handle.close() }
        var offset: UInt64 = 0
        while true {
            try? handle.seek(toOffset: offset)
            guard let bytes = try? handle.read(upToCount: 8), bytes.count == 8 else { break }
            if Array(bytes) == signature { return }
            offset = offset == 0 ? 512 : offset * 2
            if offset > 1 << 30 { break }
        }
        throw ChartCLIPError(
            "not an HDF5 file (no HDF5 signature; empty, truncated at the start, or another format)",
            at: url.path, hint: "check the path; checkpoints are written by `chartclip train` or h5py")
    }
}
