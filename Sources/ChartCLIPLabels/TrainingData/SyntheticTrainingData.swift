import ChartCLIPMarket
import ChartCLIPSupport
import Foundation

/// Training data straight from ChartCLIP's embedded synthetic market, with no outside files:
/// what the pipeline and CI train on.
///
/// Windows end on every planted setup (so each class appears, about one chart in eleven per
/// kind) and, optionally, every `stride` candles in between (the ordinary market: mostly
/// `none`, ranges and trends). Labels come from the local labeler, as they would on real data,
/// or from the planted ground truth where a chart ends on a planted setup; either way the
/// ground truth is recorded in the meta file of every chart that ends on one, so agreement
/// can be measured later.
public enum SyntheticTrainingData {
    /// Which charts to make.
    public enum Windows: Sendable, Equatable {
        /// Only charts ending on planted setups.
        case planted
        /// Charts every `stride` candles (anchored at the newest candle).
        case stride(Int)
        /// Both, without duplicates.
        case plantedAndStride(Int)
    }

    /// Where labels come from.
    public enum LabelSource: String, Sendable, Equatable {
        /// The local labeler everywhere (as on real data).
        case local
        /// The planted label on charts ending on a planted setup (confidence 1), the local
        /// labeler elsewhere.
        case groundTruth = "ground_truth"
    }

    /// What to generate.
    public struct Options: Sendable, Equatable {
        /// The market (symbol, bars, seed, …).
        public var market = SyntheticMarket.Configuration()
        /// Window length, chart size, concurrency, progress.
        public var scan = ScanOptions()
        /// Which windows.
        public var windows = Windows.plantedAndStride(8)
        /// Where labels come from.
        public var labels = LabelSource.local

        /// The defaults: the default market (5000 candles, seed 7), planted windows plus every
        /// 8th candle, local labels.
        public init() {}
    }

    /// What was generated.
    public struct Output: Sendable {
        /// The market's candles and planted setups.
        public var market: SyntheticMarket.Output
        /// What the scan wrote.
        public var summary: ScanSummary
    }

    /// Generates the market of `options` and writes its training data into `folder`.
    /// Deterministic: the same options give the same files; a re-run skips what exists.
    public static func generate(into folder: URL, options: Options = Options()) async throws -> Output {
        let market = SyntheticMarket.generate(options.market)
        var scan = options.scan
        if scan.source.isEmpty { scan.source = "synthetic seed \(options.market.seed)" }
        let window = scan.window
        let truth = groundTruth(market)
        let local = LocalLabeler()
        let labeler: any ChartLabeler =
            options.labels == .groundTruth ? PlantedLabeler(truth: truth, series: market.series, fallback: local) : local
        let scanner = try TrainingDataScanner(options: scan, labeler: labeler)
        let count = market.series.candles.count
        var ends = Set<Int>()
        switch options.windows {
        case .planted:
            ends.formUnion(market.setups.map(\.barIndex))
        case .stride(let s), .plantedAndStride(let s):
            guard s >= 1 else { throw ChartCLIPError("the window stride must be at least 1, got \(s)") }
            var end = count - 1
            while end >= window - 1 {
                ends.insert(end)
                end -= s
            }
            if case .plantedAndStride = options.windows { ends.formUnion(market.setups.map(\.barIndex)) }
        }
        let ranges = ends.filter { $0 >= window - 1 && $0 < count }.sorted().map { ($0 - window + 1)..<($0 + 1) }
        let summary = try await scanner.scan(market.series, into: folder, windows: ranges, groundTruth: truth)
        return Output(market: market, summary: summary)
    }

    /// The planted labels keyed by the bar they complete on, with confidence 1.
    public static func groundTruth(_ market: SyntheticMarket.Output) -> [Int: ChartLabel] {
        var truth: [Int: ChartLabel] = [:]
        for s in market.setups {
            truth[s.barIndex] = ChartLabel(
                setupType: s.setupType, setupDirection: s.setupDirection, phaseType: s.phaseType, confidence: 1)
        }
        return truth
    }
}

/// Labels charts ending on a planted setup with its ground truth, others with a fallback.
struct PlantedLabeler: ChartLabeler {
    let byCloseTime: [Int64: ChartLabel]
    let fallback: LocalLabeler

    init(truth: [Int: ChartLabel], series: CandleSeries, fallback: LocalLabeler) {
        self.fallback = fallback
        var byCloseTime: [Int64: ChartLabel] = [:]
        for (bar, label) in truth where bar < series.candles.count { byCloseTime[series.closeTime(at: bar)] = label }
        self.byCloseTime = byCloseTime
    }

    /// Planted labels where there are some, the local labeler elsewhere.
    var name: String { "ground_truth+local" }

    func label(_ request: LabelRequest) async throws -> ChartLabel {
        if let label = byCloseTime[request.context.closeTimeMs] { return label }
        return try await fallback.label(request)
    }
}
