import ChartCLIPCharts
import ChartCLIPLabels

/// How a run's charts are drawn: what a predictor exported from the run must draw again.
public struct ChartSettings: Equatable, Sendable {
    /// Candles per chart.
    public var window: Int
    /// What is drawn over the candles.
    public var overlays: ChartOverlays

    /// Settings from their parts.
    public init(window: Int, overlays: ChartOverlays = .none) {
        self.window = window
        self.overlays = overlays
    }

    /// Sets `scan`'s window and overlays to these.
    func apply(to scan: inout ScanOptions) {
        scan.window = window
        scan.overlays = overlays
    }
}
