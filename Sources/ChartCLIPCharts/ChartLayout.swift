import ChartCLIPImage
import ChartCLIPMarket

/// Where everything of one chart goes: the price and volume panels, each candle's columns,
/// and the maps from price and volume to rows.
///
/// Pixel coordinates: column `x` from the left, row `y` from the top. Candle `i` (0-based in
/// the window) is centred at `plotLeft + (i + 0.5) · plotWidth / count`; its body spans
/// `bodyWidth` columns from `bodyLeft(i)` and its one-pixel wick sits in `wickColumn(i)`.
/// Prices map linearly so that `priceHigh` lands on the panel's top row and `priceLow` on
/// its bottom row; a volume bar is `volume / volumeMax · volumeHeight` rows tall, rounded.
public struct ChartLayout: Equatable, Sendable {
    /// First column of the plotting area (both panels).
    public var plotLeft: Int
    /// Width of the plotting area in columns.
    public var plotWidth: Int
    /// Top row of the price panel.
    public var priceTop: Int
    /// Height of the price panel in rows.
    public var priceHeight: Int
    /// Top row of the ADX panel (between price and volume; see `ChartOverlays.adx`).
    public var adxTop: Int
    /// Height of the ADX panel in rows, 0 without one.
    public var adxHeight: Int
    /// Top row of the volume panel.
    public var volumeTop: Int
    /// Height of the volume panel in rows.
    public var volumeHeight: Int
    /// Number of candles in the window.
    public var count: Int
    /// Price at the bottom row of the price panel.
    public var priceLow: Double
    /// Price at the top row of the price panel.
    public var priceHigh: Double
    /// Volume of a bar that fills the whole volume panel (the window's largest volume).
    public var volumeMax: Double
    /// Width of every candle body and volume bar in columns.
    public var bodyWidth: Int

    /// The layout of `candles` (one window) drawn with `options`.
    ///
    /// Training charts use the whole image: price panel on top, a small gap, volume panel at
    /// the bottom, price range exactly the window's lowest low to highest high. An ADX panel,
    /// when asked for, takes 15% of the height between the two, with its own gap. Human charts
    /// leave room for the title, the price axis on the right and time labels below, and pad
    /// the price range by 5% on each side as matplotlib does.
    public init(options: ChartOptions, candles: ArraySlice<Candle>) {
        count = max(candles.count, 1)
        var low = Double.infinity, high = -Double.infinity, volume = 0.0
        for candle in candles {
            low = min(low, candle.low)
            high = max(high, candle.high)
            volume = max(volume, candle.volume)
        }
        if !(low <= high) {
            low = 0
            high = 1
        }
        volumeMax = volume
        let frame = ChartLayout.frame(options: options)
        plotLeft = frame.left
        plotWidth = frame.width
        let volumeRows = max(1, Int((Double(frame.height) * options.volumeFraction).rounded()))
        let gap = options.mode == .train
            ? max(1, Int((Double(options.height) * 0.02).rounded()))
            : max(6, options.height / 80)
        let adxRows = options.overlays.adx == nil ? 0 : max(1, Int((Double(frame.height) * 0.15).rounded()))
        priceTop = frame.top
        priceHeight = max(1, frame.height - volumeRows - gap - (adxRows > 0 ? adxRows + gap : 0))
        volumeTop = frame.top + frame.height - volumeRows
        volumeHeight = volumeRows
        adxTop = volumeTop - gap - adxRows
        adxHeight = adxRows
        if options.mode == .human {
            let pad = high > low ? (high - low) * 0.05 : max(abs(high) * 0.01, 1e-9)
            low -= pad
            high += pad
        }
        priceLow = low
        priceHigh = high
        let slot = Double(plotWidth) / Double(count)
        bodyWidth = min(max(1, Int((slot * options.bodyFraction).rounded())), max(1, Int(slot)))
    }

    /// The plotting rectangle of a chart of `options`' size and mode.
    static func frame(options: ChartOptions) -> (left: Int, top: Int, width: Int, height: Int) {
        switch options.mode {
        case .train:
            return (0, 0, options.width, options.height)
        case .human:
            let scale = HumanChartDecorations.fontScale(options: options)
            let top = BitmapFont.height(of: "X", scale: scale) * 2 + 16
            let bottom = BitmapFont.height(of: "X", scale: scale) + 18
            let right = BitmapFont.width(of: "00000000000", scale: scale) + 18
            let left = 12
            return (left, top, options.width - left - right, options.height - top - bottom)
        }
    }

    /// Horizontal centre of candle `i`, in continuous pixel coordinates.
    public func center(_ i: Int) -> Double {
        Double(plotLeft) + (Double(i) + 0.5) * Double(plotWidth) / Double(count)
    }

    /// Horizontal space per candle, in continuous pixel coordinates.
    public var slotWidth: Double { Double(plotWidth) / Double(count) }

    /// The columns of candle `i`'s whole slot (its body and the gap around it).
    public func slotColumns(_ i: Int) -> ClosedRange<Int> {
        let left = Int((center(i) - slotWidth / 2).rounded(.down))
        return left...max(left, Int((center(i) + slotWidth / 2).rounded(.down)) - 1)
    }

    /// First column of candle `i`'s body and volume bar.
    public func bodyLeft(_ i: Int) -> Int {
        Int((center(i) - Double(bodyWidth) / 2).rounded(.down))
    }

    /// Column of candle `i`'s wick: the body's middle column (left of middle when even).
    public func wickColumn(_ i: Int) -> Int {
        bodyLeft(i) + (bodyWidth - 1) / 2
    }

    /// Row of `price` inside the price panel (clamped to it).
    public func row(price: Double) -> Int {
        let span = priceHigh - priceLow
        let fraction = span > 0 ? (priceHigh - price) / span : 0.5
        let offset = Int((fraction * Double(priceHeight - 1)).rounded())
        return priceTop + min(max(offset, 0), priceHeight - 1)
    }

    /// ADX at the top row of the ADX panel; higher readings are drawn there. The rules'
    /// thresholds (20 and 25) then sit at 60% and 50% of the panel's height.
    public static let adxScaleTop = 50.0

    /// Row of an ADX reading inside the ADX panel (0 at the bottom row, clamped to the panel).
    public func row(adx: Double) -> Int {
        let fraction = min(max(adx / Self.adxScaleTop, 0), 1)
        return adxTop + adxHeight - 1 - Int((fraction * Double(max(adxHeight - 1, 0))).rounded())
    }

    /// Bottom row of the volume panel, where every volume bar starts.
    public var volumeBottom: Int { volumeTop + volumeHeight - 1 }

    /// Row of a volume level in the volume panel: the top row of a bar of exactly that volume,
    /// so every bar of that volume or more covers it; `nil` when the level is above the
    /// panel (no bar of the window reaches it) or the window has no volume.
    public func row(volume: Double) -> Int? {
        guard volumeMax > 0, volume.isFinite, volume <= volumeMax else { return nil }
        return volumeBottom - max(volumeBarHeight(volume), 1) + 1
    }

    /// Height in rows of the volume bar of `volume` (0 when the window has no volume).
    public func volumeBarHeight(_ volume: Double) -> Int {
        guard volumeMax > 0, volume > 0 else { return 0 }
        return min(Int((volume / volumeMax * Double(volumeHeight)).rounded()), volumeHeight)
    }
}
