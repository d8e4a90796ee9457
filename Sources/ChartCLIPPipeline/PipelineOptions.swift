import ChartCLIPCharts
import ChartCLIPTraining
import Foundation

/// What `chartclip pipeline` runs on and how big.
public struct PipelineOptions: Sendable {
    /// Candle CSVs to run on; empty means the embedded synthetic market.
    public var candleFiles: [URL] = []
    /// Everything the pipeline writes goes under this folder.
    public var output = URL(fileURLWithPath: "pipeline")
    /// Model config: `clip-tiny` (minutes) or `clip-small` (research).
    public var model = "clip-tiny"
    /// Training steps and batch size.
    public var steps = 4000
    public var batchSize = 64
    /// The training loss: `cells` (each chart against every (setup, phase) cell's caption:
    /// the fast recipe, see notebooks-md/2026-12-07-fast-recipe.md) or a contrastive one.
    public var loss = ContrastiveLossKind.cells
    /// Candles per chart.
    public var window: Int?
    /// What the charts draw over the candles: by default everything the setup rules read.
    public var overlays = PipelineOptions.ruleOverlays
    /// Candles between training charts.
    public var stride = 4
    /// Synthetic markets (symbols) and their length.
    public var syntheticSymbols = 8
    public var syntheticBars = 15000
    /// Seed of data, model and order.
    public var seed = 7
    /// Fraction of each symbol's time line held out for validation and for the test/replay.
    public var valFraction = 0.15
    public var testFraction = 0.2
    /// Steps of pre-training on the synthetic market (its `syntheticSymbols` markets of
    /// `syntheticBars` candles, drawn as the candles' charts are) before training on the
    /// candle files, which then start from its best checkpoint at half the learning rate; 0:
    /// none.
    public var pretrainSteps = 0
    /// Symbols held out entirely (never trained on), scored as the `holdout` split.
    public var holdoutSymbols: [String] = []
    /// Predict every this many candles when replaying the held-out period.
    public var replayStride = 2
    /// Show progress bars.
    public var showProgress = true

    /// The defaults: synthetic market, clip-tiny, a few minutes on 2 cores.
    public init() {}

    /// EMA20 and EMA50, the 20-candle price channel, an ADX14 panel and the volume line at 1.5
    /// times the 20-candle median: each computed as the local labeler computes it.
    public static let ruleOverlays = ChartOverlays(exponentialAverages: [20, 50], channel: 20, adx: 14, volumeLine: 1.5)
}
