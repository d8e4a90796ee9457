import Foundation

/// Pieces of JSON written by hand, where the order of keys matters (safetensors headers,
/// a `vocab.json` listed by id) and `JSONSerialization` would not keep it.
public enum JSONText {
    /// `s` as a JSON string literal, quotes included; characters beyond ASCII stay as they are.
    public static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension JSONText {
    /// A JSON value that keeps integers and floating-point numbers apart: `1.0` is written
    /// `1.0`, not `1` as `JSONSerialization` writes it, for readers that check types
    /// (transformers refuses `"layer_norm_eps": 1` where a float belongs).
    public indirect enum Value: Sendable, Equatable {
        case int(Int)
        case double(Double)
        case string(String)
        case bool(Bool)
        case array([Value])
        case object([String: Value])

        /// Pretty-printed with sorted keys and two-space indents, ending in a newline.
        public var text: String { write(indent: "") + "\n" }

        private func write(indent: String) -> String {
            let inner = indent + "  "
            switch self {
            case .int(let v): return String(v)
            case .double(let v): return v.isFinite ? "\(v)" : "null"
            case .string(let v): return JSONText.quoted(v)
            case .bool(let v): return v ? "true" : "false"
            case .array(let items):
                if items.isEmpty { return "[]" }
                return "[\n" + items.map { inner + $0.write(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
            case .object(let fields):
                if fields.isEmpty { return "{}" }
                let lines = fields.keys.sorted().map { "\(inner)\(JSONText.quoted($0)): \(fields[$0]!.write(indent: inner))" }
                return "{\n" + lines.joined(separator: ",\n") + "\n\(indent)}"
            }
        }
    }
}

extension JSONText.Value {
    /// A value from `JSONSerialization`'s objects; numbers without a fraction become `.int`.
    public init?(jsonObject: Any) {
        switch jsonObject {
        case let v as String: self = .string(v)
        case let v as NSNumber:
            if v.isJSONBool { self = .bool(v.boolValue) }
            else if let i = Int(exactly: v.doubleValue), v.doubleValue.rounded() == v.doubleValue { self = .int(i) }
            else { self = .double(v.doubleValue) }
        case let v as [Any]:
            var items: [JSONText.Value] = []
            for item in v {
                guard let value = JSONText.Value(jsonObject: item) else { return nil }
                items.append(value)
            }
            self = .array(items)
        case let v as [String: Any]:
            var fields: [String: JSONText.Value] = [:]
            for (key, item) in v {
                guard let value = JSONText.Value(jsonObject: item) else { return nil }
                fields[key] = value
            }
            self = .object(fields)
        default: return nil
        }
    }
}

extension NSNumber {
    /// `true` for JSON's `true` and `false`, which `JSONSerialization` also hands out as numbers.
    public var isJSONBool: Bool { String(cString: objCType) == "c" }
}

extension JSONEncoder {
    /// An encoder for ChartCLIP's JSON outputs: a number that is not finite (a diverged loss,
    /// an empty average) is written as the string `"NaN"`, `"Infinity"` or `"-Infinity"`
    /// instead of failing the whole output.
    public static func chartCLIP() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }
}
