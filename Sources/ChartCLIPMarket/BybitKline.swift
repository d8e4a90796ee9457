import ChartCLIPSupport
import Foundation

/// The parameters of one Bybit v5 `GET /v5/market/kline` call.
public struct BybitKlineRequest: Equatable, Sendable {
    /// `spot`, `linear` (USDT perpetuals, the default) or `inverse`.
    public var category: String
    /// The symbol, e.g. `BTCUSDT`.
    public var symbol: String
    /// Bybit's interval spelling: `1 3 5 15 30 60 120 240 360 720 D W M`.
    public var interval: String
    /// Earliest candle start time to return (UTC ms, inclusive).
    public var start: Int64?
    /// Latest candle start time to return (UTC ms, inclusive).
    public var end: Int64?
    /// Rows per call, 1–1000 (Bybit's default is 200).
    public var limit: Int

    /// The categories Bybit's kline endpoint accepts.
    public static let categories = ["spot", "linear", "inverse"]

    /// Creates a request.
    public init(
        category: String = "linear", symbol: String, interval: String, start: Int64? = nil, end: Int64? = nil,
        limit: Int = 1000
    ) {
        self.category = category
        self.symbol = symbol
        self.interval = interval
        self.start = start
        self.end = end
        self.limit = limit
    }

    /// Bybit's spelling of `interval` (`15`, `60`, `D`, `W`), or an error naming the ones
    /// Bybit offers.
    public static func intervalParameter(_ interval: CandleInterval) throws -> String {
        let minutes = interval.minutes
        if [1, 3, 5, 15, 30, 60, 120, 240, 360, 720].contains(minutes) { return String(minutes) }
        if minutes == 1440 { return "D" }
        if minutes == 10_080 { return "W" }
        throw ChartCLIPError(
            "Bybit has no \(interval) candles", at: "interval",
            hint: "use one of 1 3 5 15 30 60 120 240 360 720 minutes, D (1440) or W (10080)")
    }

    /// Checks the parameters before any request is sent.
    public func validate() throws {
        guard Self.categories.contains(category) else {
            throw ChartCLIPError(
                "unknown category \"\(category)\"", at: "category", hint: "use spot, linear or inverse")
        }
        guard !symbol.isEmpty, symbol.allSatisfy({ $0.isLetter || $0.isNumber }) else {
            throw ChartCLIPError("\"\(symbol)\" is not a symbol", at: "symbol", hint: "use a pair such as BTCUSDT")
        }
        guard (1...1000).contains(limit) else {
            throw ChartCLIPError("limit \(limit) is outside 1–1000", at: "limit")
        }
        if let start, let end, start > end {
            throw ChartCLIPError("the start time is after the end time", at: "start/end")
        }
    }

    /// The full URL under `baseURL` (e.g. `https://api.bybit.com`).
    public func url(baseURL: String) -> String {
        var items = [
            "category=\(category)", "symbol=\(symbol)", "interval=\(interval)", "limit=\(limit)",
        ]
        if let start { items.append("start=\(start)") }
        if let end { items.append("end=\(end)") }
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        return base + "/v5/market/kline?" + items.joined(separator: "&")
    }
}

/// One decoded kline answer.
public struct BybitKlinePage: Equatable, Sendable {
    /// The rows as Bybit sent them: newest first, the newest possibly still forming.
    public var candles: [Candle]
    /// Bybit's clock when it answered (the `time` field, UTC ms), if present.
    public var serverTime: Int64?

    /// Creates a page.
    public init(candles: [Candle], serverTime: Int64?) {
        self.candles = candles
        self.serverTime = serverTime
    }

    /// Decodes a kline body: `{"retCode":0,"retMsg":"OK","result":{"list":[["start","open",
    /// "high","low","close","volume","turnover"], …]},"time":…}`.
    ///
    /// - Throws: `BybitError.api` when `retCode ≠ 0`; `BybitError.malformedResponse` naming
    ///   the row and field when the body is not such an answer.
    public static func decode(_ body: Data) throws -> BybitKlinePage {
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: body)
        } catch {
            throw BybitError.malformedResponse("\(describe(error)); body starts \(snippet(body))")
        }
        guard envelope.retCode == 0 else {
            throw BybitError.api(code: envelope.retCode, message: envelope.retMsg ?? "")
        }
        guard let list = envelope.result?.list else {
            throw BybitError.malformedResponse("retCode 0 but no result.list; body starts \(snippet(body))")
        }
        var candles: [Candle] = []
        candles.reserveCapacity(list.count)
        let names = ["startTime", "open", "high", "low", "close", "volume", "turnover"]
        for (i, row) in list.enumerated() {
            guard row.count >= 6 else {
                throw BybitError.malformedResponse("row \(i) has \(row.count) fields, expected 7")
            }
            var values: [Double] = []
            for (j, text) in row.prefix(7).enumerated() where j > 0 {
                guard let v = Double(text), v.isFinite else {
                    throw BybitError.malformedResponse("row \(i) field \(names[j]) is \"\(text)\", not a number")
                }
                values.append(v)
            }
            guard let start = Int64(row[0]) else {
                throw BybitError.malformedResponse("row \(i) field startTime is \"\(row[0])\", not milliseconds")
            }
            candles.append(
                Candle(
                    startTime: start, open: values[0], high: values[1], low: values[2], close: values[3],
                    volume: values[4], turnover: values.count > 5 ? values[5] : 0))
        }
        return BybitKlinePage(candles: candles, serverTime: envelope.time)
    }

    private struct Envelope: Decodable {
        var retCode: Int
        var retMsg: String?
        var result: Result?
        var time: Int64?
    }

    private struct Result: Decodable {
        var list: [[String]]?

        // Error answers carry `"result":{}`; a list present but of the wrong shape is an error.
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            list = try c.decodeIfPresent([[String]].self, forKey: .list)
        }

        enum CodingKeys: String, CodingKey { case list }
    }

    private static func snippet(_ body: Data) -> String {
        let text = String(decoding: body.prefix(120), as: UTF8.self)
        return "\"\(text)\(body.count > 120 ? "…" : "")\""
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context):
            return "not valid JSON (\(context.debugDescription))"
        case DecodingError.keyNotFound(let key, _):
            return "missing field \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            return "unexpected type at \(path.joined(separator: ".")) (\(context.debugDescription))"
        default:
            return "\(error)"
        }
    }
}
