/// What can go wrong talking to Bybit, each case with the detail a user needs.
public enum BybitError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Bybit answered with `retCode ≠ 0` (10001 parameter error, 10006 too many visits,
    /// 10016 server error, 10018 IP rate limit, …).
    case api(code: Int, message: String)
    /// HTTP 403: Bybit has banned this IP for sending too many requests.
    case ipBanned
    /// HTTP 429: too many requests; `retryAfter` is the server's `Retry-After` in seconds.
    case rateLimited(retryAfter: Double?)
    /// HTTP 5xx.
    case serverError(status: Int)
    /// Any other unexpected HTTP status, with the start of the body.
    case httpStatus(status: Int, body: String)
    /// The body is not a kline answer (not JSON, missing fields, a row that is not 7 numbers).
    case malformedResponse(String)
    /// The request did not complete (connection refused or reset, timeout).
    case transport(String)
    /// A retryable failure persisted through every attempt; `last` is the final one.
    indirect case retriesExhausted(attempts: Int, last: BybitError)

    /// retCodes that mean "slow down or try again": too many visits, server error, IP rate limit.
    public static let retryableCodes: Set<Int> = [10006, 10016, 10018]

    /// `true` for failures that a later attempt may not see: the retryable retCodes, HTTP 429
    /// and 5xx, and transport errors. A 403 ban is never retried: retrying extends it.
    public var isRetryable: Bool {
        switch self {
        case .api(let code, _): Self.retryableCodes.contains(code)
        case .rateLimited, .serverError, .transport: true
        case .ipBanned, .httpStatus, .malformedResponse, .retriesExhausted: false
        }
    }

    /// What happened and what to do about it.
    public var description: String {
        switch self {
        case .api(let code, let message):
            let advice: String =
                switch code {
                case 10001: "check the symbol, category, interval and time range"
                case 10006, 10018: "too many requests: wait a minute and lower the request rate"
                case 10016: "Bybit had a server error: try again later"
                default: "see Bybit's v5 error code list"
                }
            return "Bybit error \(code): \(message)\n  hint: \(advice)"
        case .ipBanned:
            return "Bybit answered HTTP 403: this IP is banned for making too many requests\n"
                + "  hint: stop now and wait at least 10 minutes before any new request; then fetch "
                + "with fewer parallel jobs"
        case .rateLimited(let retryAfter):
            let wait = retryAfter.map { " (Retry-After: \($0) s)" } ?? ""
            return "Bybit answered HTTP 429, too many requests\(wait)\n  hint: wait and lower the request rate"
        case .serverError(let status):
            return "Bybit answered HTTP \(status), a server error\n  hint: try again later"
        case .httpStatus(let status, let body):
            return "Bybit answered HTTP \(status): \(body)\n  hint: check --base-url and the parameters"
        case .malformedResponse(let detail):
            return "Bybit's answer is not a kline response: \(detail)\n"
                + "  hint: check that --base-url points at the Bybit v5 API"
        case .transport(let detail):
            return "the request to Bybit failed: \(detail)\n  hint: check the network and --base-url"
        case .retriesExhausted(let attempts, let last):
            return "gave up after \(attempts) attempts; the last failure was: \(last)"
        }
    }
}
