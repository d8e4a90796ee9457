import ChartCLIPMarket
import ChartCLIPSupport
import Foundation

/// One prediction of the chart model for one symbol at one time: the record in
/// `data/cv_predictions/SYMBOL_YYYYMMDD_HHMM.json` (and its copy in
/// `data/vision_ai/predictions/`).
///
/// ```json
/// {"symbol": "JSTUSDT", "timestamp": "2025-06-23T10:45:00Z", "interval": "15m",
///  "setup": "trap", "setup_direction": "down", "phase": "range", "confidence": 0.82,
///  "setup_probabilities": {"trap": 0.82, …}, "phase_probabilities": {"range": 0.7, …},
///  "model": "clip-small v3", "chart": "charts/JSTUSDT_20250623_1045.png"}
/// ```
///
/// `setup` and `confidence` are what the users' existing code reads, and `setup` uses their
/// words (`breakout`, `trap`, `breakout_with_pullback`, `exhaustion`, `range_accumulation`,
/// `trend_continuation`, `none`). Decoding is lenient (`parse(_:fileName:)`): the users' own
/// files may hold only `setup` and `confidence`.
public struct CVPrediction: Equatable, Sendable {
    /// The trading pair, e.g. `JSTUSDT`.
    public var symbol: String
    /// UTC milliseconds of the close of the chart's newest candle: the moment the prediction
    /// describes, and the first moment it could have been made.
    public var timestamp: Int64
    /// The candle interval of the chart, when the file says.
    public var interval: CandleInterval?
    /// The setup in the users' words, as written in the file (`trap`, `breakout`, …).
    public var setup: String
    /// The direction of the move the setup implies, when the file says.
    public var setupDirection: SetupDirection?
    /// The market phase (`trend_up`, `range`, `breakout-continuation`, …), when given.
    public var phase: String?
    /// The model's confidence in `setup`, 0–1; 0 when the file has none (as the users' code
    /// reads it).
    public var confidence: Double
    /// Probability of every setup, keyed by the users' words.
    public var setupProbabilities: [String: Double]?
    /// Probability of every phase.
    public var phaseProbabilities: [String: Double]?
    /// The model's name and version.
    public var model: String?
    /// The chart the prediction was made from.
    public var chart: String?

    /// Creates a prediction record.
    public init(
        symbol: String, timestamp: Int64, interval: CandleInterval? = nil, setup: String,
        setupDirection: SetupDirection? = nil, phase: String? = nil, confidence: Double,
        setupProbabilities: [String: Double]? = nil, phaseProbabilities: [String: Double]? = nil,
        model: String? = nil, chart: String? = nil
    ) {
        self.symbol = symbol
        self.timestamp = timestamp
        self.interval = interval
        self.setup = setup
        self.setupDirection = setupDirection
        self.phase = phase
        self.confidence = confidence
        self.setupProbabilities = setupProbabilities
        self.phaseProbabilities = phaseProbabilities
        self.model = model
        self.chart = chart
    }

    /// The setup in ChartCLIP's vocabulary (`trap` and `fakeout` are both `.fakeout`), or
    /// `nil` for a word ChartCLIP does not know.
    public var setupType: SetupType? { SetupWords.setupType(setup) }

    /// The setup in the users' words whatever the file's spelling (`fakeout` → `trap`).
    public var setupWord: String { SetupWords.canonicalWord(setup) }

    /// The direction the feedback loop measures: `setupDirection` when the file gives it,
    /// otherwise the direction the setup usually implies for the users' long-side scanner
    /// (breakouts and continuations up, traps and exhaustions down, ranges none).
    public var impliedDirection: SetupDirection {
        setupDirection ?? SetupWords.assumedDirection(setupType)
    }

    /// `true` when `impliedDirection` was assumed rather than read from the file.
    public var directionIsAssumed: Bool { setupDirection == nil }

    /// `JSTUSDT_20250623_1045.json`: the file name of this prediction.
    public var fileName: String { CVPredictionFiles.fileName(symbol: symbol, timestamp: timestamp) }
}

extension CVPrediction: Codable {
    enum CodingKeys: String, CodingKey {
        case symbol, timestamp, interval, setup, phase, confidence, model, chart
        case setupType = "setup_type"
        case setupDirection = "setup_direction"
        case setupProbabilities = "setup_probabilities"
        case phaseProbabilities = "phase_probabilities"
    }

    /// Decodes a complete record; `symbol` and `timestamp` are required here. Files on disk
    /// go through `parse(_:fileName:)`, which can take both from the file name.
    public init(from decoder: Decoder) throws {
        let fields = try Fields(from: decoder)
        guard let symbol = fields.symbol else {
            throw ChartCLIPError("the prediction has no \"symbol\"")
        }
        guard let timestamp = fields.timestamp else {
            throw ChartCLIPError("the prediction has no \"timestamp\" (UTC ISO 8601 or milliseconds)")
        }
        self = try fields.prediction(symbol: symbol, timestamp: timestamp)
    }

    /// Encodes every field the file format names; absent optional fields are left out.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(symbol, forKey: .symbol)
        try c.encode(UTCTime.iso(milliseconds: timestamp), forKey: .timestamp)
        try c.encodeIfPresent(interval?.description, forKey: .interval)
        try c.encode(setup, forKey: .setup)
        try c.encodeIfPresent(setupDirection, forKey: .setupDirection)
        try c.encodeIfPresent(phase, forKey: .phase)
        try c.encode(confidence, forKey: .confidence)
        try c.encodeIfPresent(setupProbabilities, forKey: .setupProbabilities)
        try c.encodeIfPresent(phaseProbabilities, forKey: .phaseProbabilities)
        try c.encodeIfPresent(model, forKey: .model)
        try c.encodeIfPresent(chart, forKey: .chart)
    }

    /// Reads a prediction file leniently.
    ///
    /// Required: `setup` (or the labeler's `setup_type`). `confidence` defaults to 0, as the
    /// users' code reads it, and may be a number or a numeric string in 0–1. `symbol` and
    /// `timestamp` come from the file name (`SYMBOL_YYYYMMDD_HHMM.json`) when the file lacks
    /// them. Optional fields of the wrong type are dropped rather than failing the file.
    ///
    /// - Parameter fileName: the file's name, for the fallbacks; `nil` when there is none.
    /// - Throws: `ChartCLIPError` naming what is missing or wrong.
    public static func parse(_ data: Data, fileName: String? = nil) throws -> CVPrediction {
        let fields: Fields
        do {
            fields = try JSONDecoder().decode(Fields.self, from: data)
        } catch let error as ChartCLIPError {
            throw error
        } catch {
            throw ChartCLIPError(
                "not a JSON object", hint: "a prediction file holds at least {\"setup\": …, \"confidence\": …}")
        }
        let fromName = fileName.flatMap(CVPredictionFiles.parseFileName)
        guard let symbol = fields.symbol ?? fromName?.symbol else {
            throw ChartCLIPError(
                "the prediction has no \"symbol\" and the file name does not give one",
                hint: "name the file SYMBOL_YYYYMMDD_HHMM.json or add \"symbol\"")
        }
        guard let timestamp = fields.timestamp ?? fromName?.timestamp else {
            throw ChartCLIPError(
                "the prediction has no \"timestamp\" and the file name does not give one",
                hint: "name the file SYMBOL_YYYYMMDD_HHMM.json or add \"timestamp\" (UTC ISO 8601)")
        }
        return try fields.prediction(symbol: symbol, timestamp: timestamp)
    }

    /// Every field of a file, each optional, read as leniently as its meaning allows.
    private struct Fields: Decodable {
        var symbol: String?
        var timestamp: Int64?
        var interval: CandleInterval?
        var setup: String?
        var setupDirection: SetupDirection?
        var phase: String?
        var confidence: Double?
        var setupProbabilities: [String: Double]?
        var phaseProbabilities: [String: Double]?
        var model: String?
        var chart: String?

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CVPrediction.CodingKeys.self)
            symbol = c.lenient(String.self, forKey: .symbol)
            timestamp = try Self.time(c)
            interval = c.lenient(String.self, forKey: .interval).flatMap { try? CandleInterval(parsing: $0) }
                ?? c.lenient(Int.self, forKey: .interval).flatMap { $0 > 0 ? CandleInterval(minutes: $0) : nil }
            setup = c.lenient(String.self, forKey: .setup) ?? c.lenient(String.self, forKey: .setupType)
            setupDirection = c.lenient(String.self, forKey: .setupDirection).flatMap(SetupWords.direction)
            phase = c.lenient(String.self, forKey: .phase)
            if c.contains(.confidence), !((try? c.decodeNil(forKey: .confidence)) ?? false) {
                guard let value = c.lenientNumber(forKey: .confidence) else {
                    throw ChartCLIPError("\"confidence\" is not a number", hint: "write a number from 0 to 1")
                }
                confidence = value
            }
            setupProbabilities = c.lenient([String: Double].self, forKey: .setupProbabilities)
            phaseProbabilities = c.lenient([String: Double].self, forKey: .phaseProbabilities)
            model = c.lenient(String.self, forKey: .model)
            chart = c.lenient(String.self, forKey: .chart)
        }

        /// A time written as UTC ISO 8601 or as milliseconds since the epoch. A present but
        /// unreadable time is an error: silently falling back to the file name could move a
        /// prediction in time.
        private static func time(_ c: KeyedDecodingContainer<CVPrediction.CodingKeys>) throws -> Int64? {
            guard c.contains(.timestamp), !((try? c.decodeNil(forKey: .timestamp)) ?? false) else { return nil }
            if let text = c.lenient(String.self, forKey: .timestamp), let ms = UTCTime.parseISO(text) { return ms }
            if let ms = c.lenient(Int64.self, forKey: .timestamp), ms >= 100_000_000_000 { return ms }
            throw ChartCLIPError(
                "\"timestamp\" is not a UTC time", hint: "write ISO 8601 such as 2025-06-23T10:45:00Z")
        }

        func prediction(symbol: String, timestamp: Int64) throws -> CVPrediction {
            guard let setup, !setup.isEmpty else {
                throw ChartCLIPError(
                    "the prediction has no \"setup\"", hint: "the users' files hold at least \"setup\" and \"confidence\"")
            }
            let confidence = self.confidence ?? 0
            guard confidence.isFinite, (0...1).contains(confidence) else {
                throw ChartCLIPError("\"confidence\" is \(confidence), outside 0–1", hint: "write a probability from 0 to 1")
            }
            return CVPrediction(
                symbol: symbol.uppercased(), timestamp: timestamp, interval: interval, setup: setup,
                setupDirection: setupDirection, phase: phase, confidence: confidence,
                setupProbabilities: setupProbabilities, phaseProbabilities: phaseProbabilities, model: model,
                chart: chart)
        }
    }
}
