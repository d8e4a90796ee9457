import Foundation

/// Locations of the committed test fixtures and of the recorded market data.
public enum Fixtures {
    /// `Tests/Fixtures/` in this checkout (found from this file's path, so tests work from a
    /// fresh clone with no resources to copy).
    public static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// A file under `Tests/Fixtures/`.
    public static func url(_ relativePath: String) -> URL {
        directory.appendingPathComponent(relativePath)
    }

    /// The repository root.
    public static let repositoryRoot: URL = directory.deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `../shared/data/bybit/` next to the repository, where the recorded Bybit candles live
    /// (never copied into the repository). `nil` when it is not there; tests that need it
    /// then say so and skip.
    public static var recordedBybit: URL? {
        let url = repositoryRoot.deletingLastPathComponent()
            .appendingPathComponent("shared/data/bybit")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// A fresh empty temporary directory, unique per call.
    public static func temporaryDirectory(_ label: String = "test") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("chartclip-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
