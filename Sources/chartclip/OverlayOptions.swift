import ArgumentParser
import ChartCLIPCharts

/// `--ema`, `--channel`, `--adx`, `--adx-level`, `--volume-line`, `--volume-highlight` and `--broken-levels`: what the setup rules read, drawn over the candles, each
/// from the chart's own candles as the local labeler computes it (render, scan, export).
struct OverlayOptions: ParsableArguments {
    @Option(
        name: .customLong("ema"),
        help: "EMA span to draw (the local labeler reads 20 and 50); repeat for several (--ema 20 --ema 50).")
    var exponentialAverages: [Int] = []

    @Option(help: "Price channel to draw: the highest high and lowest low of this many candles before each one, as step lines (the local labeler reads 20).")
    var channel: Int?

    @Option(help: "ADX period to draw in a panel between price and volume, on a fixed 0-50 scale (the local labeler reads 14).")
    var adx: Int?

    @Option(help: "Draw a line in the volume panel at this multiple of the median volume of the 20 candles before each one (the breakout rules of the local labeler read 1.5).")
    var volumeLine: Double?

    @Option(
        name: .customLong("adx-level"),
        help: "ADX level to mark with a guide across the ADX panel (needs --adx; the local labeler reads 20 and 25); repeat for several.")
    var adxLevels: [Double] = []

    @Flag(help: "Draw the candles whose volume reaches the volume line, and their volume bars, in bright colours (needs --volume-line).")
    var volumeHighlight = false

    @Flag(help: "Draw every breakout's broken level carried forward over the 12 candles after it, where the setup rules look for its retest or failure.")
    var brokenLevels = false

    /// The overlays the flags ask for (none without flags).
    var overlays: ChartOverlays {
        ChartOverlays(exponentialAverages: exponentialAverages, channel: channel, adx: adx, volumeLine: volumeLine, adxLevels: adxLevels,
            volumeHighlight: volumeHighlight, brokenLevels: brokenLevels)
    }

    /// The overlays when any flag was given, else `nil` (export then takes the run's).
    var given: ChartOverlays? { overlays == .none ? nil : overlays }
}
