/// An error a user can act on: what went wrong, where (file, row, field or key), what was
/// expected, and what to do next.
///
/// Every module throws this (or its own error type conforming to `CustomStringConvertible`);
/// the command line prints `description` and exits with a non-zero status.
public struct ChartCLIPError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Where the problem is: a file path, optionally with a row, field or key.
    public var location: String?
    /// What went wrong, in one sentence.
    public var message: String
    /// What the user can do about it, or `nil` when the message says it all.
    public var hint: String?

    /// Creates an error with a message, where it happened and a hint.
    public init(_ message: String, at location: String? = nil, hint: String? = nil) {
        self.message = message
        self.location = location
        self.hint = hint
    }

    /// `location: message (hint)`, the way the command line prints it.
    public var description: String {
        var text = location.map { "\($0): \(message)" } ?? message
        if let hint { text += "\n  hint: \(hint)" }
        return text
    }
}
