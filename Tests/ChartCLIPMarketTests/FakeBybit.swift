import ChartCLIPMarket
import ChartCLIPTestSupport
import Foundation

/// A stand-in for Bybit's kline endpoint, behaving as MISSION.md describes: it answers
/// `start ≤ startTime ≤ end`, the newest `limit` rows, newest first, every field a string,
/// with `time` set to the server clock (so the newest candle may still be forming).
struct FakeBybit {
    /// The candles the "exchange" holds, oldest first.
    var candles: [Candle]
    /// The server clock in UTC ms.
    var serverTime: Int64

    /// 2025-06-01T00:00:00Z.
    static let june1: Int64 = 1_748_736_000_000
    static let m15 = CandleInterval.m15.milliseconds

    /// `count` 15m candles from `start` with distinct, valid prices.
    static func candles(count: Int, from start: Int64 = june1) -> [Candle] {
        (0..<count).map { i in
            let open = 100 + Double(i % 50) * 0.5
            let close = open + (i % 3 == 0 ? -0.25 : 0.75)
            return Candle(
                startTime: start + Int64(i) * m15, open: open, high: max(open, close) + 0.5,
                low: min(open, close) - 0.5, close: close, volume: 1000 + Double(i), turnover: 100_000 + Double(i))
        }
    }

    /// The JSON body for one request's query.
    func answer(_ query: [String: String]) -> String {
        let start = query["start"].flatMap { Int64($0) } ?? .min
        let end = query["end"].flatMap { Int64($0) } ?? .max
        let limit = query["limit"].flatMap { Int($0) } ?? 200
        let rows = candles.filter { $0.startTime >= start && $0.startTime <= end }.suffix(limit).reversed()
        return Self.page(Array(rows), symbol: query["symbol"] ?? "", time: serverTime)
    }

    /// A handler for `TestHTTPServer`.
    var handler: TestHTTPServer.Handler {
        let exchange = self
        return { request in
            guard request.path == "/v5/market/kline" else { return .text("not found", status: 404) }
            return .json(exchange.answer(request.query))
        }
    }

    /// A Bybit kline body with `rows` in the order given and every field a string.
    static func page(_ rows: [Candle], symbol: String = "BTCUSDT", time: Int64 = june1) -> String {
        let list = rows.map { c in
            [String(c.startTime), "\(c.open)", "\(c.high)", "\(c.low)", "\(c.close)", "\(c.volume)", "\(c.turnover)"]
                .map { "\"\($0)\"" }.joined(separator: ",")
        }
        return #"{"retCode":0,"retMsg":"OK","result":{"category":"linear","symbol":"\#(symbol)","list":["#
            + list.map { "[\($0)]" }.joined(separator: ",") + #"]},"retExtInfo":{},"time":\#(time)}"#
    }

    /// A Bybit error body.
    static func error(code: Int, message: String) -> String {
        #"{"retCode":\#(code),"retMsg":"\#(message)","result":{},"retExtInfo":{},"time":\#(june1)}"#
    }
}
