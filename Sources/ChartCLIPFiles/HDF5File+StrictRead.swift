import ChartCLIPSupport

extension HDF5File {
    /// Reads a complete, named set of float arrays (a checkpoint's parameters) strictly.
    ///
    /// Every key in `expected` must be a dataset directly inside `group` with exactly the
    /// given shape, and the group must hold no other datasets (subgroups, such as optimizer
    /// state, are ignored). All problems (missing keys, unexpected keys, shape mismatches,
    /// wrong value types) are listed in one error, so a mismatched checkpoint is diagnosed
    /// in one run.
    ///
    /// - Parameters:
    ///   - expected: parameter path → shape, e.g. `"visual.proj": [768, 512]`.
    ///   - group: the group holding the datasets; the root by default.
    ///   - ignoring: dataset names in `group` that may be present without being expected.
    /// - Returns: parameter path → values in row-major order.
    public func readFloatArrays(
        expected: [String: [Int]], in group: String = "/", ignoring: Set<String> = []
    ) throws -> [String: [Float]] {
        let normalized = try normalize(group)
        let prefix = normalized == "/" ? "" : normalized + "/"
        let stored = try datasets(under: normalized).filter { info in
            info.path.hasPrefix(prefix) && !info.path.dropFirst(prefix.count).contains("/")
        }
        var found: [String: HDF5DatasetInfo] = [:]
        for info in stored { found[String(info.path.dropFirst(prefix.count))] = info }

        var problems: [String] = []
        let missing = expected.keys.filter { found[$0] == nil }.sorted()
        let unexpected = found.keys.filter { expected[$0] == nil && !ignoring.contains($0) }.sorted()
        if !missing.isEmpty { problems.append("missing keys: " + missing.joined(separator: ", ")) }
        if !unexpected.isEmpty { problems.append("unexpected keys: " + unexpected.joined(separator: ", ")) }
        for (key, shape) in expected.sorted(by: { $0.key < $1.key }) {
            guard let info = found[key] else { continue }
            if info.shape != shape {
                problems.append("\(key): expected shape \(shape), found \(info.shape)")
            } else if case .float = info.valueType {
                continue
            } else {
                problems.append("\(key): expected float values, found \(info.valueType)")
            }
        }
        guard problems.isEmpty else {
            throw ChartCLIPError(
                "the file does not match the expected parameters:\n  " + problems.joined(separator: "\n  "),
                at: location(normalized),
                hint: "check that the checkpoint was written for the same model configuration")
        }
        var values: [String: [Float]] = [:]
        for key in expected.keys {
            values[key] = try read(prefix + key, as: Float.self).values
        }
        return values
    }
}

extension HDF5File {
    /// Stamps the root with ChartCLIP's `format` and `format_version` attributes.
    public func setFormat(_ name: String, version: Int64) throws {
        try setAttribute("format", .string(name))
        try setAttribute("format_version", .int(version))
    }

    /// Checks the root's `format` and `format_version` attributes, so that a checkpoint, a
    /// predictor or an embedding file is never read as another: the error names the file, what
    /// it was expected to be (`kind`, e.g. "ChartCLIP checkpoint") and how to get one (`hint`).
    public func requireFormat(_ name: String, version: Int64, kind: String, hint: String) throws {
        guard try attribute("format")?.stringValue == name else {
            throw ChartCLIPError("not a \(kind) (its format attribute is not '\(name)')", at: url.path, hint: hint)
        }
        let found = try attribute("format_version")?.intValue ?? 0
        guard found == version else {
            throw ChartCLIPError(
                "\(kind) format version \(found) is not supported (this build reads \(version))", at: url.path,
                hint: "re-create the file with this build of chartclip")
        }
    }
}
