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
    public var steps = 600
    public var batchSize = 64
    /// Candles per chart (default: 48 for 64-pixel models, 96 for larger ones).
    public var window: Int?
    /// Candles between training charts.
    public var stride = 4
    /// Synthetic markets (symbols) and their length.
    public var syntheticSymbols = 3
    public var syntheticBars = 3000
    /// Seed of data, model and order.
    public var seed = 7
    /// Fraction of each symbol's time line held out for validation and for the test/replay.
    public var valFraction = 0.15
    public var testFraction = 0.2
    /// Predict every this many candles when replaying the held-out period.
    public var replayStride = 2
    /// Show progress bars.
    public var showProgress = true

    /// The defaults: synthetic market, clip-tiny, a few minutes on 2 cores.
    public init() {}
}
