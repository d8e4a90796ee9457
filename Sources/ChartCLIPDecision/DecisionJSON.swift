import ChartCLIPSupport
import Foundation

/// The JSON spelling shared by prediction files, decisions, feedback logs and summaries:
/// sorted keys (so a file diffs cleanly and a re-run writes the same bytes) and unescaped
/// slashes (so paths stay readable).
enum DecisionJSON {
    /// Pretty-printed JSON, for files people read and for command output.
    static func pretty<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder.chartCLIP()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// One-line JSON, for `.jsonl` logs (one record per line).
    static func line<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder.chartCLIP()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

extension KeyedDecodingContainer {
    /// The value at `key`, or `nil` when it is absent, `null` or of another type. For the
    /// optional fields of files written by other programs: a field we cannot use is dropped,
    /// it does not make the whole record unreadable.
    func lenient<T: Decodable>(_ type: T.Type, forKey key: Key) -> T? {
        (try? decodeIfPresent(type, forKey: key)) ?? nil
    }

    /// A number written as a JSON number or as a numeric string (`0.85` or `"0.85"`).
    func lenientNumber(forKey key: Key) -> Double? {
        if let value = lenient(Double.self, forKey: key) { return value }
        if let text = lenient(String.self, forKey: key) {
            return Double(text.trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}

/// The coding key of a JSON object whose keys are not known in advance.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
