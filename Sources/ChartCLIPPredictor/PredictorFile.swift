import ChartCLIPCharts
import ChartCLIPFiles
import ChartCLIPLabels
import ChartCLIPMarket
import ChartCLIPModels
import ChartCLIPNN
import ChartCLIPSupport
import ChartCLIPTensor
import ChartCLIPTraining
import Foundation

/// What describes an exported predictor besides its weights.
public struct PredictorInfo: Codable, Equatable, Sendable {
    /// Model name, e.g. `clip-small-synthetic`.
    public var name: String
    /// Version, increased by `update_cv_model_weights`.
    public var version: Int
    /// First and last chart time of the training data (UTC ISO), when known.
    public var trainingPeriodStart: String?
    public var trainingPeriodEnd: String?
    /// Candles per chart and their interval, for predictions from candles.
    public var chartWindow: Int
    public var intervalMinutes: Int
    /// Spans of the exponential moving averages drawn on its charts (as in training);
    /// absent when none are. This and the next six are `overlays`, flat in the file.
    public var chartEMA: [Int]?
    /// Length of the price channel drawn on its charts; absent when none is.
    public var chartChannel: Int?
    /// Period of the ADX drawn in its panel; absent when none is.
    public var chartADX: Int?
    /// Multiple of the median volume drawn as the volume line; absent when none is.
    public var chartVolumeLine: Double?
    /// ADX levels drawn as guides in its ADX panel; absent when none are.
    public var chartADXLevels: [Double]?
    /// `true` when its charts highlight the candles reaching the volume line; absent when not.
    public var chartVolumeHighlight: Bool?
    /// `true` when its charts carry broken breakout levels forward; absent when not.
    public var chartBrokenLevels: Bool?

    /// What its charts draw over the candles, as its training charts did.
    public var overlays: ChartOverlays {
        ChartOverlays(
            exponentialAverages: chartEMA ?? [], channel: chartChannel, adx: chartADX, volumeLine: chartVolumeLine,
            adxLevels: chartADXLevels ?? [], volumeHighlight: chartVolumeHighlight ?? false,
            brokenLevels: chartBrokenLevels ?? false)
    }
    /// The checkpoint it was exported from.
    public var sourceCheckpoint: String

    enum CodingKeys: String, CodingKey {
        case name, version, trainingPeriodStart = "training_period_start", trainingPeriodEnd = "training_period_end"
        case chartWindow = "chart_window", intervalMinutes = "interval_minutes", sourceCheckpoint = "source_checkpoint"
        case chartEMA = "chart_ema", chartChannel = "chart_channel", chartADX = "chart_adx"
        case chartVolumeLine = "chart_volume_line", chartADXLevels = "chart_adx_levels"
        case chartVolumeHighlight = "chart_volume_highlight", chartBrokenLevels = "chart_broken_levels"
    }

    /// Creates the description.
    public init(name: String, version: Int = 1, trainingPeriodStart: String? = nil, trainingPeriodEnd: String? = nil, chartWindow: Int = 96, intervalMinutes: Int = 15, overlays: ChartOverlays = .none, sourceCheckpoint: String) {
        self.name = name
        self.version = version
        self.trainingPeriodStart = trainingPeriodStart
        self.trainingPeriodEnd = trainingPeriodEnd
        self.chartWindow = chartWindow
        self.intervalMinutes = intervalMinutes
        chartEMA = overlays.exponentialAverages.isEmpty ? nil : overlays.exponentialAverages
        chartChannel = overlays.channel
        chartADX = overlays.adx
        chartVolumeLine = overlays.volumeLine
        chartADXLevels = overlays.adxLevels.isEmpty ? nil : overlays.adxLevels
        chartVolumeHighlight = overlays.volumeHighlight ? true : nil
        chartBrokenLevels = overlays.brokenLevels ? true : nil
        self.sourceCheckpoint = sourceCheckpoint
    }

    /// `name v<version>`, as prediction files name the model.
    public var label: String { "\(name) v\(version)" }
}

/// The thin predictor file (HDF5): the image tower, the class embeddings, the vocabulary,
/// preprocessing settings and the calibration; no text tower, no tokenizer.
///
/// Layout: root attributes `format` = `chartclip-predictor`, `format_version` = 1, `info`
/// (JSON `PredictorInfo`), `model_config` (JSON; the image tower is what is used),
/// `logit_scale`, `image_size`, `image_mean`, `image_std`; `/parameters/visual.*`;
/// `/classes/setup_embeddings` `[Cs, E]`, `/classes/setup_names`,
/// `/classes/phase_embeddings` `[Cp, E]`, `/classes/phase_names`; `/calibration/setup`
/// (JSON attribute `ConfidenceCalibration`). A predictor exported with cell pooling has
/// `R` prototype rows instead of one per class: `/classes/setup_embeddings` is `[R, E]` and
/// `/classes/setup_row_classes` (int64 `[R]`, each row's class) and
/// `/classes/setup_row_log_weights` (float `[R]`) say how rows add up to classes (likewise
/// for phases).
public struct PredictorFile {
    /// The format name.
    public static let formatName = "chartclip-predictor"
    /// The layout version.
    public static let formatVersion: Int64 = 1

    public var info: PredictorInfo
    public var config: CLIPConfig
    public var visualParameters: [String: [Float]]
    public var logitScale: Float
    public var setupNames: [String]
    public var setupEmbeddings: [Float]
    public var phaseNames: [String]
    public var phaseEmbeddings: [Float]
    public var calibration: ConfidenceCalibration
    /// Rows of the setup and phase prototypes when they are not one per class (cell pooling).
    public var setupRows: PrototypeRows?
    public var phaseRows: PrototypeRows?

    /// How the prototypes were pooled: cells when the rows are not one per class.
    public var pooling: CaptionCellEmbeddings.Pooling { setupRows == nil ? .ensemble : .cells }

    /// Which class each prototype row belongs to, and its log weight within the class.
    public struct PrototypeRows: Equatable, Sendable {
        public var classes: [Int]
        public var logWeights: [Float]

        public init(classes: [Int], logWeights: [Float]) {
            self.classes = classes
            self.logWeights = logWeights
        }
    }

    /// Creates the contents of a predictor file.
    public init(
        info: PredictorInfo, config: CLIPConfig, visualParameters: [String: [Float]], logitScale: Float,
        setupNames: [String], setupEmbeddings: [Float], phaseNames: [String], phaseEmbeddings: [Float],
        calibration: ConfidenceCalibration, setupRows: PrototypeRows? = nil, phaseRows: PrototypeRows? = nil
    ) {
        self.info = info
        self.config = config
        self.visualParameters = visualParameters
        self.logitScale = logitScale
        self.setupNames = setupNames
        self.setupEmbeddings = setupEmbeddings
        self.phaseNames = phaseNames
        self.phaseEmbeddings = phaseEmbeddings
        self.calibration = calibration
        self.setupRows = setupRows
        self.phaseRows = phaseRows
    }

    /// Refuses what no prediction can be made from: weights, prototypes, temperature or
    /// calibration that are not finite, a chart window or interval out of range.
    public func validate(source: String) throws {
        let hint = "export the predictor again from a checkpoint that loads (`chartclip eval` checks one)"
        for (path, values) in visualParameters.sorted(by: { $0.key < $1.key }) {
            try FiniteCheck.require(values, "parameter \(path)", at: source, hint: hint)
        }
        try FiniteCheck.require(setupEmbeddings, "the setup embeddings", at: source, hint: hint)
        try FiniteCheck.require(phaseEmbeddings, "the phase embeddings", at: source, hint: hint)
        try FiniteCheck.require([logitScale], "logit_scale", at: source, hint: hint)
        for rows in [setupRows, phaseRows].compactMap({ $0 }) {
            try FiniteCheck.require(rows.logWeights, "the prototype rows' log weights", at: source, hint: hint)
        }
        try FiniteCheck.require((calibration.slopes + calibration.intercepts).map(Float.init), "the calibration", at: source, hint: "fit it again with `chartclip export`")
        guard (8...100_000).contains(info.chartWindow) else {
            throw ChartCLIPError("info.chart_window is \(info.chartWindow); a chart has 8 to 100,000 candles", at: source, hint: hint)
        }
        guard (1...527_040).contains(info.intervalMinutes) else {
            throw ChartCLIPError("info.interval_minutes is \(info.intervalMinutes); an interval is 1 minute to a year", at: source, hint: hint)
        }
        if let problem = info.overlays.problem {
            throw ChartCLIPError("info.\(problem.field): \(problem.message)", at: source, hint: hint)
        }
    }

    /// Writes the file atomically.
    public func save(to url: URL) throws {
        try validate(source: url.path)
        try write(to: url)
    }

    /// Writes without validating (tests make damaged files with it).
    func write(to url: URL) throws {
        let shapes = Dictionary(uniqueKeysWithValues: CLIPModel.parameterShapes(config))
        let e = config.embedDim
        let encoder = JSONEncoder.chartCLIP()
        encoder.outputFormatting = [.sortedKeys]
        try HDF5File.write(to: url) { file in
            try file.setFormat(Self.formatName, version: Self.formatVersion)
            try file.setAttribute("info", .string(String(decoding: try encoder.encode(info), as: UTF8.self)))
            try file.setAttribute("model_config", .string(config.jsonString()))
            try file.setAttribute("logit_scale", .double(Double(logitScale)))
            try file.setAttribute("image_size", .int(Int64(config.visionConfig.imageSize)))
            try file.setAttribute("image_mean", .doubles([0.48145466, 0.4578275, 0.40821073]))
            try file.setAttribute("image_std", .doubles([0.26862954, 0.26130258, 0.27577711]))
            for (path, values) in visualParameters.sorted(by: { $0.key < $1.key }) {
                try file.write(values, shape: shapes[path] ?? [values.count], to: "/parameters/\(path)")
            }
            for (kind, names, embeddings, rows) in [
                ("setup", setupNames, setupEmbeddings, setupRows), ("phase", phaseNames, phaseEmbeddings, phaseRows),
            ] {
                try file.write(embeddings, shape: [rows?.classes.count ?? names.count, e], to: "/classes/\(kind)_embeddings")
                try file.write(names, to: "/classes/\(kind)_names")
                if let rows {
                    try file.write(rows.classes.map(Int64.init), shape: [rows.classes.count], to: "/classes/\(kind)_row_classes")
                    try file.write(rows.logWeights, shape: [rows.logWeights.count], to: "/classes/\(kind)_row_log_weights")
                }
            }
            try file.write([Float](repeating: 0, count: 1), shape: [1], to: "/calibration/marker")
            try file.setAttribute("setup", .string(String(decoding: try encoder.encode(calibration), as: UTF8.self)), on: "/calibration")
        }
    }

    /// Reads a predictor file strictly.
    public static func load(from url: URL) throws -> PredictorFile {
        let file = try HDF5File(reading: url)
        try file.requireFormat(
            formatName, version: formatVersion, kind: "ChartCLIP predictor",
            hint: "export one with: chartclip export --checkpoint FILE.h5 --out predictor.h5")
        let decoder = JSONDecoder()
        guard let infoText = try file.attribute("info")?.stringValue, let configText = try file.attribute("model_config")?.stringValue,
            let calibrationText = try file.attribute("setup", of: "/calibration")?.stringValue
        else { throw ChartCLIPError("the predictor lacks its info, model_config or calibration attribute", at: url.path) }
        let info = try decoder.decode(PredictorInfo.self, from: Data(infoText.utf8))
        let config = try CLIPConfig.decode(json: Data(configText.utf8), source: "\(url.path) (model_config)")
        let visualShapes = Dictionary(uniqueKeysWithValues: CLIPModel.parameterShapes(config).filter { $0.0.hasPrefix("visual.") })
        let parameters = try file.readFloatArrays(expected: visualShapes, in: "/parameters")
        let setupNames = try file.readStrings("/classes/setup_names")
        let phaseNames = try file.readStrings("/classes/phase_names")
        let e = config.embedDim
        let setupRows = try readRows(file, "setup", classCount: setupNames.count, source: url)
        let phaseRows = try readRows(file, "phase", classCount: phaseNames.count, source: url)
        let setupEmbeddings = try file.read(
            "/classes/setup_embeddings", as: Float.self, shape: [setupRows?.classes.count ?? setupNames.count, e])
        let phaseEmbeddings = try file.read(
            "/classes/phase_embeddings", as: Float.self, shape: [phaseRows?.classes.count ?? phaseNames.count, e])
        let calibration = try decoder.decode(ConfidenceCalibration.self, from: Data(calibrationText.utf8))
        guard calibration.slopes.count == setupNames.count else {
            throw ChartCLIPError("the calibration has \(calibration.slopes.count) classes, the predictor \(setupNames.count)", at: url.path)
        }
        let predictor = PredictorFile(
            info: info, config: config, visualParameters: parameters,
            logitScale: Float(try file.attribute("logit_scale")?.doubleValue ?? 4.6052),
            setupNames: setupNames, setupEmbeddings: setupEmbeddings, phaseNames: phaseNames,
            phaseEmbeddings: phaseEmbeddings, calibration: calibration, setupRows: setupRows, phaseRows: phaseRows)
        try predictor.validate(source: url.path)
        return predictor
    }

    /// The prototype rows of `kind` (`setup`, `phase`) when the file has them, checked against
    /// the class count.
    static func readRows(_ file: HDF5File, _ kind: String, classCount: Int, source: URL) throws -> PrototypeRows? {
        let classesPath = "/classes/\(kind)_row_classes", weightsPath = "/classes/\(kind)_row_log_weights"
        guard file.contains(classesPath) else { return nil }
        let classes = try file.read(classesPath, as: Int64.self).values.map { Int($0) }
        let weights = try file.read(weightsPath, as: Float.self, shape: [classes.count])
        guard let bad = classes.first(where: { !(0..<classCount).contains($0) }) else {
            return PrototypeRows(classes: classes, logWeights: weights)
        }
        throw ChartCLIPError(
            "\(classesPath) names class \(bad), but there are \(classCount) \(kind) classes", at: source.path,
            hint: "re-export the predictor")
    }
}
