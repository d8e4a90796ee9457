import Foundation

/// Named float arrays written by a golden-value script (`Tests/Fixtures/golden/*.py`):
/// `{name: {"shape": [...], "data": [...]}}` plus any other JSON values.
public struct GoldenFile {
    /// The decoded JSON object.
    public let object: [String: Any]
    /// The file it came from.
    public let url: URL

    /// Loads `Tests/Fixtures/<relativePath>`.
    public init(_ relativePath: String) throws {
        url = Fixtures.url(relativePath)
        let data = try Data(contentsOf: url)
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: url.path])
        }
        self.object = object
    }

    /// The array named `name` and its shape.
    public func array(_ name: String) -> (shape: [Int], data: [Float]) {
        guard let entry = object[name] as? [String: Any], let shape = entry["shape"] as? [Int],
            let data = entry["data"] as? [Double]
        else { fatalError("golden file \(url.lastPathComponent) has no array named \(name)") }
        return (shape, data.map(Float.init))
    }

    /// A non-array JSON value.
    public subscript(key: String) -> Any? { object[key] }
}

/// `true` when every element agrees within `relative` (or `absolute` near zero); otherwise
/// a message naming the worst element.
public func allClose(
    _ actual: [Float], _ expected: [Float], relative: Float = 1e-4, absolute: Float = 1e-5
) -> (ok: Bool, message: String) {
    guard actual.count == expected.count else {
        return (false, "count \(actual.count) vs expected \(expected.count)")
    }
    var worst = 0
    var worstExcess: Float = -.infinity
    for i in 0..<actual.count {
        let excess = abs(actual[i] - expected[i]) - (absolute + relative * abs(expected[i]))
        if excess > worstExcess || actual[i].isNaN {
            worstExcess = actual[i].isNaN ? .infinity : excess
            worst = i
        }
    }
    let ok = worstExcess <= 0
    return (ok, ok ? "" : "element \(worst): \(actual[worst]) vs expected \(expected[worst])")
}
