import Foundation

/// Keeps commands from writing over files they were not asked to replace: an input given on
/// the same command line, or a file that already exists (a trained checkpoint, an earlier
/// export). `--force` says the user means it.
public enum OutputGuard {
    /// Throws, naming both paths, when `output` is one of `inputs`, or exists and `force` is
    /// false. `what` names the output in the message ("predictor", "checkpoint").
    public static func check(_ output: URL, inputs: [URL] = [], force: Bool, what: String = "output") throws {
        for input in inputs where sameFile(output, input) {
            guard force else {
                throw ChartCLIPError(
                    "the \(what) \(output.path) is the input \(input.path); writing it would replace what is being read",
                    hint: "choose another --out, or add --force to replace the input")
            }
        }
        var isDirectory: ObjCBool = false
        guard !force, FileManager.default.fileExists(atPath: output.path, isDirectory: &isDirectory) else { return }
        if isDirectory.boolValue {
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: output.path)) ?? []
            guard contents.isEmpty else {
                throw ChartCLIPError(
                    "the \(what) folder \(output.path) already holds \(contents.count) file\(contents.count == 1 ? "" : "s") (\(contents.sorted().prefix(3).joined(separator: ", "))\(contents.count > 3 ? ", …" : ""))",
                    hint: "choose a new or empty folder, or add --force to replace its files")
            }
        } else {
            throw ChartCLIPError(
                "the \(what) \(output.path) already exists",
                hint: "choose another --out, or add --force to replace it")
        }
    }

    /// Whether two paths name the same file (the same inode when both exist, else the same
    /// standardised path).
    public static func sameFile(_ a: URL, _ b: URL) -> Bool {
        var sa = stat(), sb = stat()
        if stat(a.path, &sa) == 0 && stat(b.path, &sb) == 0 { return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino }
        return a.standardizedFileURL.resolvingSymlinksInPath().path == b.standardizedFileURL.resolvingSymlinksInPath().path
    }
}
