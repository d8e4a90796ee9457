import Foundation

/// Writing files so that nothing is ever half-written or lost.
///
/// `write` goes to a temporary file in the same directory, which is flushed and then
/// renamed over the destination: readers see the old file or the new one, never a mix.
/// `append` opens in append mode and never truncates.
public enum AtomicFile {
    /// Writes `data` to `url` atomically (temp file in the same folder, fsync, rename).
    /// Creates the parent directory if needed.
    public static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        try createDirectory(directory)
        let temporary = directory.appendingPathComponent(
            ".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw ChartCLIPError(
                "cannot create a temporary file: \(String(cString: strerror(errno)))",
                at: temporary.path, hint: "check that the folder exists and is writable")
        }
        var failure: ChartCLIPError?
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = ChartCLIPError(
                        "write failed: \(String(cString: strerror(errno)))", at: url.path,
                        hint: "check free disk space")
                    return
                }
                offset += n
            }
        }
        if failure == nil && fsync(fd) != 0 {
            failure = ChartCLIPError("fsync failed: \(String(cString: strerror(errno)))", at: url.path)
        }
        close(fd)
        if let failure {
            unlink(temporary.path)
            throw failure
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw ChartCLIPError("cannot move the finished file into place: \(reason)", at: url.path)
        }
    }

    /// Writes a UTF-8 string atomically.
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    /// Runs `produce` with a temporary path in the destination's folder, then renames the
    /// file it wrote over `url`. For libraries (libpng, libhdf5) that write by path.
    /// The temporary file is removed if `produce` throws.
    public static func write(to url: URL, using produce: (URL) throws -> Void) throws {
        let directory = url.deletingLastPathComponent()
        try createDirectory(directory)
        let temporary = directory.appendingPathComponent(
            ".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try produce(temporary)
        } catch {
            unlink(temporary.path)
            throw error
        }
        let fd = open(temporary.path, O_RDONLY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw ChartCLIPError("cannot move the finished file into place: \(reason)", at: url.path)
        }
    }

    /// Removes the temporary files that a killed writer left in `directory`
    /// (`.NAME.tmp-PID-RANDOM`, whose process is gone); returns how many. Temporaries of a
    /// process still running are kept: it may be writing them now.
    @discardableResult
    public static func removeStaleTemporaries(in directory: URL) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return 0 }
        var removed = 0
        for name in names where name.hasPrefix(".") {
            guard let marker = name.range(of: ".tmp-", options: .backwards) else { continue }
            let parts = name[marker.upperBound...].split(separator: "-")
            guard parts.count == 2, let pid = Int32(parts[0]), pid > 0, UInt32(parts[1]) != nil else { continue }
            // kill(pid, 0) fails with ESRCH when no such process exists.
            guard kill(pid, 0) != 0 && errno == ESRCH else { continue }
            if unlink(directory.appendingPathComponent(name).path) == 0 { removed += 1 }
        }
        return removed
    }

    /// Appends `line` plus a newline to `url` (created if missing), never truncating.
    /// One `write` call per line, so concurrent appenders do not interleave within a line.
    public static func appendLine(_ line: String, to url: URL) throws {
        try createDirectory(url.deletingLastPathComponent())
        let fd = open(url.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else {
            throw ChartCLIPError(
                "cannot open for appending: \(String(cString: strerror(errno)))", at: url.path)
        }
        defer { close(fd) }
        let bytes = Array((line + "\n").utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) }
        guard written == bytes.count else {
            throw ChartCLIPError(
                "append failed: \(String(cString: strerror(errno)))", at: url.path,
                hint: "check free disk space")
        }
        fsync(fd)
    }

    /// Creates a directory and its parents if they do not exist.
    public static func createDirectory(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw ChartCLIPError(
                "cannot create the folder: \(error.localizedDescription)", at: url.path,
                hint: "check the path and its permissions")
        }
    }
}
