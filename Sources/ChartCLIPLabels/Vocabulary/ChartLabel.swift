import ChartCLIPMarket
import ChartCLIPSupport
import Foundation

/// What a labeler says about a chart: the setup on it, the direction of the move that setup
/// implies, the market phase, and how sure the labeler is.
///
/// JSON keys are the users' spellings: `setup_type`, `setup_direction`, `phase_type`,
/// `confidence`. Decoding is strict: the vocabulary words only (`trap` is accepted for
/// `fakeout`), a confidence in 0…1, and a direction that fits the setup.
public struct ChartLabel: Equatable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The setup at the chart's last candle.
    public var setupType: SetupType
    /// The move the setup implies (`none` for `range_accumulation` and `none`).
    public var setupDirection: SetupDirection
    /// The market phase at the chart's last candle.
    public var phaseType: PhaseType
    /// 0.0–1.0.
    public var confidence: Double

    /// Creates a label; call `validate()` (or `init(validating:…)`) for labels from outside.
    public init(setupType: SetupType, setupDirection: SetupDirection, phaseType: PhaseType, confidence: Double) {
        self.setupType = setupType
        self.setupDirection = setupDirection
        self.phaseType = phaseType
        self.confidence = confidence
    }

    /// The setup and its direction together.
    public var match: SetupMatch { SetupMatch(setupType, setupDirection) }

    /// The setup in the users' words (`trap` for a fakeout), as prediction files carry it.
    public var userSetupWord: String { setupType.userWord }

    /// `fakeout/down range 0.82`.
    public var description: String {
        "\(match) \(phaseType.rawValue) \(String(format: "%.2f", confidence))"
    }

    /// Throws unless the confidence is a number in 0…1 and the direction fits the setup:
    /// `range_accumulation` and `none` imply no direction, every other setup implies `up`
    /// or `down`.
    public func validate(at location: String? = nil) throws {
        guard confidence.isFinite, (0...1).contains(confidence) else {
            throw ChartCLIPError(
                "confidence \(confidence) is outside 0.0–1.0", at: location,
                hint: "write the confidence as a number between 0 and 1")
        }
        let needsNone = setupType == .none || setupType == .rangeAccumulation
        if needsNone && setupDirection != .none {
            throw ChartCLIPError(
                "setup \(setupType.rawValue) implies no direction, but setup_direction is \(setupDirection.rawValue)",
                at: location, hint: "use setup_direction \"none\" for range_accumulation and none")
        }
        if !needsNone && setupDirection == .none {
            throw ChartCLIPError(
                "setup \(setupType.rawValue) needs setup_direction up or down, got none", at: location,
                hint: "a bull trap or a top exhaustion implies down; a breakout up implies up")
        }
    }

    enum CodingKeys: String, CodingKey {
        case setupType = "setup_type", setupDirection = "setup_direction", phaseType = "phase_type"
        case confidence
    }

    /// Reads a label strictly: vocabulary words only (`trap` accepted for `fakeout`), then
    /// `validate()`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func word<T>(_ key: CodingKeys, _ parse: (String) -> T?) throws -> T {
            let text = try c.decode(String.self, forKey: key)
            guard let value = parse(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: c, debugDescription: "\"\(text)\" is not a \(key.rawValue) of the vocabulary")
            }
            return value
        }
        setupType = try word(.setupType) { SetupType(vocabularyWord: $0) }
        setupDirection = try word(.setupDirection) { SetupDirection(rawValue: $0) }
        phaseType = try word(.phaseType) { PhaseType(rawValue: $0) }
        confidence = try c.decode(Double.self, forKey: .confidence)
        do {
            try validate()
        } catch let error as ChartCLIPError {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: error.message))
        }
    }

    /// Writes the label with the vocabulary's spellings (`fakeout`, not `trap`).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(setupType.rawValue, forKey: .setupType)
        try c.encode(setupDirection.rawValue, forKey: .setupDirection)
        try c.encode(phaseType.rawValue, forKey: .phaseType)
        try c.encode(confidence, forKey: .confidence)
    }
}

extension SetupType {
    /// The setup named by an exact vocabulary word: the raw values, plus `trap` for
    /// `fakeout` (the users' word). Free text goes through `LabelSynonyms` instead.
    public init?(vocabularyWord word: String) {
        if word == "trap" {
            self = .fakeout
        } else {
            self.init(rawValue: word)
        }
    }

    /// The setups a chart can be labelled with, in a fixed order (class indices for models).
    public static let labelClasses: [SetupType] = allCases
}

extension PhaseType {
    /// The phases, in a fixed order (class indices for models).
    public static let labelClasses: [PhaseType] = allCases

    /// Phases triggered by one event (a breakout, an exhaustion) rather than a regime of
    /// many bars; the labeler's hysteresis treats them differently.
    public var isEvent: Bool { self == .breakoutContinuation || self == .exhaustionPullback }
}
