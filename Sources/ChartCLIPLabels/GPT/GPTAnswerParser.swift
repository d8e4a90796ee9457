import ChartCLIPMarket
import Foundation

/// The three fields a GPT answer must give (and the direction it may give), validated
/// against the vocabulary.
public struct GPTAnswer: Equatable, Sendable {
    /// The setup, with the direction its words imply (`bull trap` → down).
    public var setup: LabelSynonyms.SetupReading
    /// The phase.
    public var phase: PhaseType
    /// 0.0–1.0.
    public var confidence: Double
    /// A `setup_direction` the answer gave although it was not asked for, if any.
    public var direction: SetupDirection?
}

/// Reads a model's answer text strictly.
///
/// The rule, in order:
/// 1. Code fences (```` ``` ```` lines) are dropped.
/// 2. **JSON**: every balanced `{…}` in the text that parses as a JSON object holding at least
///    one of the fields is a candidate. Exactly one candidate: its fields are the answer.
///    Two or more: the answer is ambiguous and rejected.
/// 3. **`key: value` lines** (also `key = value`, with optional bullets, quotes or bold around
///    the key): every line whose start is a field name is a field line; a line holding several
///    `key: value` pairs separated by `,` or `;` counts when every part is such a pair. Every
///    other line is prose and is ignored.
///
/// Keys: `setup_type` (or `setup`), `phase_type` (or `phase`), `confidence`, and optionally
/// `setup_direction` (or `direction`); case, spaces and dashes in keys do not matter. A field
/// given twice must say the same thing both times. A value is the *whole* rest of its line
/// (or JSON string) and must be a vocabulary word or synonym (`LabelSynonyms`): prose inside
/// a value (`breakout, probably`) is rejected, never trimmed to something that matches.
/// Confidence is a number in 0…1 or a percentage (`85%`); a bare `85` is rejected rather than
/// guessed to be a percentage. So prose *around* the fields is tolerated, prose *in* them is not.
public enum GPTAnswerParser {
    /// Why an answer was rejected.
    public struct Rejection: Error, Equatable, Sendable, CustomStringConvertible {
        /// What is wrong with the answer.
        public var reason: String
        /// `reason`.
        public var description: String { reason }
    }

    /// Parses `text` (the message content of a chat completion).
    public static func parse(_ text: String) throws(Rejection) -> GPTAnswer {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("```") }
        let body = lines.joined(separator: "\n")
        var fields = try jsonFields(body)
        if fields.isEmpty { fields = try lineFields(lines.map(String.init)) }
        return try answer(from: fields)
    }

    /// The field a key names, or `nil` for any other key.
    enum Field: String, CaseIterable {
        case setup = "setup_type", phase = "phase_type", confidence, direction = "setup_direction"

        init?(key: String) {
            var k = key.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: " \t\"'`*-•"))
            k = k.replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
            switch k {
            case "setup_type", "setup", "setuptype": self = .setup
            case "phase_type", "phase", "phasetype": self = .phase
            case "confidence": self = .confidence
            case "setup_direction", "direction": self = .direction
            default: return nil
            }
        }
    }

    // MARK: JSON

    private static func jsonFields(_ text: String) throws(Rejection) -> [Field: [String]] {
        var candidates: [[Field: [String]]] = []
        for object in balancedObjects(text) {
            guard let parsed = try? JSONDecoder().decode([String: JSONScalar].self, from: Data(object.utf8)) else {
                continue
            }
            var fields: [Field: [String]] = [:]
            for key in parsed.keys.sorted() {
                guard let field = Field(key: key), let value = parsed[key] else { continue }
                switch value {
                case .string(let s): fields[field, default: []].append(s)
                case .number(let n) where field == .confidence: fields[field, default: []].append(String(n))
                default:
                    let expected = field == .confidence ? "a number" : "a string"
                    throw Rejection(reason: "\(field.rawValue) is not \(expected)")
                }
            }
            if !fields.isEmpty { candidates.append(fields) }
        }
        guard candidates.count <= 1 else {
            throw Rejection(reason: "the answer holds \(candidates.count) JSON objects with label fields; it is ambiguous")
        }
        return candidates.first ?? [:]
    }

    /// A JSON value as far as the parser cares: a string, a number, or anything else.
    enum JSONScalar: Decodable {
        case string(String), number(Double), other

        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) {
                self = .string(s)
            } else if (try? c.decode(Bool.self)) != nil {
                self = .other
            } else if let n = try? c.decode(Double.self) {
                self = .number(n)
            } else {
                self = .other
            }
        }
    }

    /// Every top-level balanced `{…}` substring, skipping braces inside JSON strings.
    static func balancedObjects(_ text: String) -> [String] {
        var objects: [String] = []
        var depth = 0
        var start: String.Index?
        var inString = false
        var escaped = false
        for i in text.indices {
            let c = text[i]
            if inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
                continue
            }
            if c == "\"" && depth > 0 {
                inString = true
            } else if c == "{" {
                if depth == 0 { start = i }
                depth += 1
            } else if c == "}" && depth > 0 {
                depth -= 1
                if depth == 0, let s = start { objects.append(String(text[s...i])) }
            }
        }
        return objects
    }

    // MARK: key: value lines

    private static func lineFields(_ lines: [String]) throws(Rejection) -> [Field: [String]] {
        var fields: [Field: [String]] = [:]
        for line in lines {
            let parts = line.split(whereSeparator: { $0 == "," || $0 == ";" }).map(String.init)
            let pairs = parts.compactMap(keyValue)
            let chosen = parts.count > 1 && pairs.count == parts.count ? pairs : keyValue(line).map { [$0] } ?? []
            for (field, value) in chosen { fields[field, default: []].append(value) }
        }
        return fields
    }

    /// `(field, value)` when `line` starts with a field name followed by `:` or `=`.
    private static func keyValue(_ line: String) -> (Field, String)? {
        var s = Substring(line.trimmingCharacters(in: .whitespaces))
        while let c = s.first, c == "-" || c == "*" || c == "•" || c == ">" || c == " " { s.removeFirst() }
        guard let separator = s.firstIndex(where: { $0 == ":" || $0 == "=" }) else { return nil }
        guard let field = Field(key: String(s[..<separator])) else { return nil }
        var value = s[s.index(after: separator)...].trimmingCharacters(in: .whitespaces)
        while let c = value.last, c == "," || c == ";" { value.removeLast() }
        return (field, value)
    }

    // MARK: Validation

    private static func answer(from fields: [Field: [String]]) throws(Rejection) -> GPTAnswer {
        let missing = [Field.setup, .phase, .confidence].filter { fields[$0] == nil }
        guard missing.isEmpty else {
            let names = missing.map(\.rawValue).joined(separator: ", ")
            throw Rejection(reason: fields.isEmpty ? "the answer has no label fields" : "the answer lacks \(names)")
        }
        let setup: LabelSynonyms.SetupReading = try single(.setup, fields) { LabelSynonyms.setup($0) }
        let phase: PhaseType = try single(.phase, fields) { LabelSynonyms.phase($0) }
        let confidence: Double = try single(.confidence, fields, parseConfidence)
        var direction: SetupDirection?
        if fields[.direction] != nil {
            direction = try single(.direction, fields) { LabelSynonyms.direction($0) }
        }
        if let implied = setup.impliedDirection, let direction, implied != direction {
            throw Rejection(
                reason: "setup_type implies direction \(implied.rawValue) but setup_direction says \(direction.rawValue)")
        }
        return GPTAnswer(setup: setup, phase: phase, confidence: confidence, direction: direction)
    }

    /// The one value of `field` (all repetitions must agree), mapped by `parse`.
    private static func single<T: Equatable>(
        _ field: Field, _ fields: [Field: [String]], _ parse: (String) -> T?
    ) throws(Rejection) -> T {
        var result: T?
        for text in fields[field] ?? [] {
            guard let value = parse(text) else {
                throw Rejection(reason: "\(field.rawValue) \"\(text.prefix(80))\" is not in the vocabulary")
            }
            if let result, result != value {
                throw Rejection(reason: "\(field.rawValue) is given twice with different values")
            }
            result = value
        }
        guard let result else { throw Rejection(reason: "the answer lacks \(field.rawValue)") }
        return result
    }

    /// `0.85`, `"0.85"` or `85%`; `nil` for anything else or outside 0…1.
    static func parseConfidence(_ text: String) -> Double? {
        var s = text.trimmingCharacters(in: CharacterSet(charactersIn: " \t\"'`*"))
        var scale = 1.0
        if s.hasSuffix("%") {
            s.removeLast()
            s = s.trimmingCharacters(in: .whitespaces)
            scale = 0.01
        }
        guard let value = Double(s), value.isFinite else { return nil }
        let confidence = value * scale
        return (0...1).contains(confidence) ? confidence : nil
    }
}
