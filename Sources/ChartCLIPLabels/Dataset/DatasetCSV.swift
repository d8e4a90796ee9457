import ChartCLIPSupport

/// The dataset CSV's columns and quoting (RFC 4180: a field holding a comma, quote or line
/// break is quoted, quotes doubled). Rows never hold line breaks, so one line is one row.
public enum DatasetCSV {
    /// The header, in the users' order.
    public static let columns = [
        "filepath", "caption", "setup_type", "setup_direction", "phase_type", "confidence", "symbol", "timestamp",
        "split",
    ]

    /// `field`, quoted when it must be.
    public static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One CSV line of `fields`.
    public static func line(_ fields: [String]) -> String {
        fields.map(escape).joined(separator: ",")
    }

    /// The fields of one line; throws on an unterminated quote.
    public static func fields(_ line: Substring, location: String) throws -> [String] {
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var index = line.startIndex
        while index < line.endIndex {
            let c = line[index]
            index = line.index(after: index)
            if inQuotes {
                if c == "\"" {
                    if index < line.endIndex && line[index] == "\"" {
                        field.append("\"")
                        index = line.index(after: index)
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(c)
                }
            } else if c == "," {
                fields.append(field)
                field = ""
            } else if c == "\"" && field.isEmpty {
                inQuotes = true
            } else {
                field.append(c)
            }
        }
        guard !inQuotes else {
            throw ChartCLIPError("unterminated quoted field", at: location, hint: "the CSV is damaged; re-run prepare-dataset")
        }
        fields.append(field)
        return fields
    }
}
