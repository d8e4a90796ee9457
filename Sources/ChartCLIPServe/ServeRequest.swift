import ChartCLIPDecision
import ChartCLIPMarket
import ChartCLIPSupport
import Foundation

/// A request the server refuses: the HTTP status, what is wrong and, where it applies, the
/// field it is wrong in (`candles[3][2]`), answered as
/// `{"error": {"message": …, "field": …, "hint": …}}`.
public struct ServeError: Error, Sendable, Equatable {
    /// The HTTP status code (4xx for the client's mistakes, 5xx for the server's).
    public var status: Int
    /// What is wrong, in one sentence.
    public var message: String
    /// The JSON field or query parameter at fault, when there is one.
    public var field: String?
    /// What the client can do about it.
    public var hint: String?

    /// An error answered with `status`.
    public init(_ status: Int, _ message: String, field: String? = nil, hint: String? = nil) {
        self.status = status
        self.message = message
        self.field = field
        self.hint = hint
    }

    /// The JSON body.
    public var body: Data {
        var error: [String: String] = ["message": message]
        error["field"] = field
        error["hint"] = hint
        let encoder = JSONEncoder.chartCLIP()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(["error": error])) ?? Data(#"{"error":{"message":"unencodable error"}}"#.utf8)
    }
}

/// The JSON body of `/v1/predict` and `/v1/decide`: a symbol, its interval and its candles.
///
/// ```json
/// {"symbol": "BTCUSDT", "interval": "15",
///  "candles": [[1750000000000, 105000.5, 105200, 104900, 105100, 12.5], …]}
/// ```
///
/// Each candle is `[start_ms, open, high, low, close, volume]` (optionally a seventh value,
/// turnover), numbers or numeric strings, in either time order (Bybit's `result.list` is newest
/// first and can be passed as it is), or an object with those names (`start_time` or
/// `timestamp`). `/v1/decide` also takes an optional `prediction` in the
/// `data/cv_predictions/` format.
public struct CandlesRequest: Sendable {
    /// The symbol the candles are of.
    public var series: CandleSeries
    /// The prediction given with a decide request, if any.
    public var prediction: CVPrediction?

    /// Parses and validates a body; `maxCandles` bounds the work one request can ask for.
    ///
    /// - Throws: `ServeError` (400 for malformed JSON, 422 for a well-formed body with wrong
    ///   values), naming the field.
    public static func parse(_ body: Data, maxCandles: Int) throws -> CandlesRequest {
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])
        } catch {
            throw ServeError(400, "the body is not JSON", hint: "send a JSON object with symbol, interval and candles, or a chart PNG")
        }
        guard let object = json as? [String: Any] else {
            throw ServeError(400, "the body is JSON but not an object", hint: "send {\"symbol\": …, \"interval\": …, \"candles\": [...]}")
        }
        guard let symbol = object["symbol"] as? String, !symbol.isEmpty, symbol.count <= 64,
            symbol.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        else {
            throw ServeError(422, "\"symbol\" must be a pair name of letters and digits such as BTCUSDT", field: "symbol")
        }
        let interval = try Self.interval(object["interval"])
        guard let rows = object["candles"] as? [Any] else {
            throw ServeError(
                422, object["candles"] == nil ? "\"candles\" is missing" : "\"candles\" must be an array", field: "candles",
                hint: "each candle is [start_ms, open, high, low, close, volume]")
        }
        guard rows.count <= maxCandles else {
            throw ServeError(
                413, "\(rows.count) candles; this server takes at most \(maxCandles) per request", field: "candles",
                hint: "send only the newest candles the chart and the decision need")
        }
        var candles = try rows.enumerated().map { try Self.candle($1, field: "candles[\($0)]") }
        candles.sort { $0.startTime < $1.startTime }
        let series = CandleSeries(symbol: symbol, interval: interval, candles: candles)
        do {
            _ = try series.validate(source: "candles")
        } catch let error as ChartCLIPError {
            throw ServeError(422, error.message, field: error.location, hint: error.hint)
        }
        var prediction: CVPrediction?
        if let given = object["prediction"], !(given is NSNull) {
            guard JSONSerialization.isValidJSONObject(given), let data = try? JSONSerialization.data(withJSONObject: given) else {
                throw ServeError(422, "\"prediction\" must be an object in the data/cv_predictions format", field: "prediction")
            }
            do {
                prediction = try CVPrediction.parse(data)
            } catch let error as ChartCLIPError {
                throw ServeError(422, error.message, field: "prediction", hint: error.hint)
            }
        }
        return CandlesRequest(series: series, prediction: prediction)
    }

    /// `"15"`, `"15m"`, `"1h"`, `"D"` or a number of minutes.
    static func interval(_ value: Any?) throws -> CandleInterval {
        let hint = "use minutes (15, 60, 240), 15m, 1h, 4h, 1d, or Bybit's D or W"
        switch value {
        case let text as String:
            do { return try CandleInterval(parsing: text) } catch { throw ServeError(422, "\"\(text)\" is not a candle interval", field: "interval", hint: hint) }
        case let number as NSNumber where !number.isJSONBool:
            let minutes = number.doubleValue
            guard minutes.rounded() == minutes, minutes >= 1, minutes <= 525_600 else {
                throw ServeError(422, "\(number) is not a candle interval in minutes", field: "interval", hint: hint)
            }
            return CandleInterval(minutes: Int(minutes))
        case nil:
            throw ServeError(422, "\"interval\" is missing", field: "interval", hint: hint)
        default:
            throw ServeError(422, "\"interval\" must be a string or a number of minutes", field: "interval", hint: hint)
        }
    }

    /// One candle from an array or an object.
    static func candle(_ value: Any, field: String) throws -> Candle {
        let names = ["start_time", "open", "high", "low", "close", "volume", "turnover"]
        var values: [Any?]
        if let array = value as? [Any] {
            guard array.count == 6 || array.count == 7 else {
                throw ServeError(
                    422, "a candle has \(array.count) values; expected 6 or 7", field: field,
                    hint: "[start_ms, open, high, low, close, volume(, turnover)]")
            }
            values = array
        } else if let object = value as? [String: Any] {
            values = names.map { object[$0] }
            if values[0] == nil { values[0] = object["timestamp"] }
        } else {
            throw ServeError(422, "a candle must be an array or an object", field: field)
        }
        func number(_ k: Int) throws -> Double? {
            guard k < values.count, let v = values[k] else { return nil }
            let here = value is [Any] ? "\(field)[\(k)]" : "\(field).\(names[k])"
            let parsed: Double?
            switch v {
            case let s as String: parsed = Double(s)
            case let n as NSNumber where !n.isJSONBool: parsed = n.doubleValue
            default: parsed = nil
            }
            guard let parsed, parsed.isFinite else {
                throw ServeError(422, "\(names[k]) must be a finite number", field: here)
            }
            return parsed
        }
        guard let start = try number(0), let open = try number(1), let high = try number(2), let low = try number(3),
            let close = try number(4), let volume = try number(5)
        else {
            throw ServeError(422, "a candle needs start_time, open, high, low, close and volume", field: field)
        }
        // Milliseconds since 1970 up to the year 2500: anything else is seconds or garbage.
        guard start.rounded() == start, start >= 0, start < 16_725_225_600_000 else {
            throw ServeError(422, "start_time \(start) is not a time in UTC milliseconds", field: field, hint: "send candle start times in milliseconds since 1970")
        }
        return Candle(
            startTime: Int64(start), open: open, high: high, low: low, close: close, volume: volume,
            turnover: try number(6) ?? 0)
    }
}
