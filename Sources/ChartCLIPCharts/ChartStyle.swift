import ChartCLIPImage

/// Colours of a candlestick chart.
///
/// The default, `charles`, is mplfinance's `charles` style (`_styledata/charles.py`):
/// dark green up candles `#006340`, dark red down candles `#a02128`, wicks and edges in the
/// candle's colour, volume bars `#007a00` / `#d50d18` coloured by the change from the
/// previous close (`vcdopcod: True`), moving averages `#ef5714` and `#9f4878`, dashed grey
/// `#a0a0a0` grid on the price axis, white background, price axis on the right; mplfinance
/// has no price channel or ADX, so the channel's step lines take TradingView's Donchian blue
/// `#2962ff` and the ADX line and the volume line (`ChartOverlays.volumeLine`) the text colour.
/// Candles and volume bars that reach the volume line, when a chart highlights them
/// (`ChartOverlays.volumeHighlight`), take the bright green `#00e676` and pink `#ff4081` of
/// volume-spike indicators, far from the dark candle and volume colours either side. Broken
/// breakout levels (`ChartOverlays.brokenLevels`) take an amber `#ffab00`, as support and
/// resistance lines are often drawn, unlike every other colour on the chart.
public struct ChartStyle: Equatable, Sendable {
    /// Background of the whole image.
    public var background: RGBColor
    /// Body, edge and wick of a candle that closed at or above its open.
    public var upCandle: RGBColor
    /// Body, edge and wick of a candle that closed below its open.
    public var downCandle: RGBColor
    /// Volume bar of a candle that closed at or above the previous close.
    public var upVolume: RGBColor
    /// Volume bar of a candle that closed below the previous close.
    public var downVolume: RGBColor
    /// Colours of the moving-average lines, cycled in order of the periods.
    public var movingAverages: [RGBColor]
    /// The price channel's two step lines.
    public var channel: RGBColor
    /// The ADX line in its panel.
    public var adx: RGBColor
    /// The volume line (a multiple of the median volume) in the volume panel.
    public var volumeLine: RGBColor
    /// Candle and volume bar of an up candle whose volume reaches the volume line, when the
    /// chart highlights them (`ChartOverlays.volumeHighlight`).
    public var loudUp: RGBColor
    /// The same for a down candle.
    public var loudDown: RGBColor
    /// A broken breakout level carried forward (`ChartOverlays.brokenLevels`).
    public var brokenLevel: RGBColor
    /// Grid lines (human mode).
    public var grid: RGBColor
    /// Axis lines, tick labels and the title (human mode).
    public var text: RGBColor

    /// Creates a style from its colours.
    public init(
        background: RGBColor, upCandle: RGBColor, downCandle: RGBColor, upVolume: RGBColor,
        downVolume: RGBColor, movingAverages: [RGBColor], channel: RGBColor, adx: RGBColor,
        volumeLine: RGBColor, loudUp: RGBColor = RGBColor(hex: 0x00E676), loudDown: RGBColor = RGBColor(hex: 0xFF4081),
        brokenLevel: RGBColor = RGBColor(hex: 0xFFAB00), grid: RGBColor, text: RGBColor
    ) {
        self.background = background
        self.upCandle = upCandle
        self.downCandle = downCandle
        self.upVolume = upVolume
        self.downVolume = downVolume
        self.movingAverages = movingAverages
        self.channel = channel
        self.adx = adx
        self.volumeLine = volumeLine
        self.loudUp = loudUp
        self.loudDown = loudDown
        self.brokenLevel = brokenLevel
        self.grid = grid
        self.text = text
    }

    /// mplfinance's `charles` style, the users' reference look.
    public static let charles = ChartStyle(
        background: .white,
        upCandle: RGBColor(hex: 0x006340), downCandle: RGBColor(hex: 0xA02128),
        upVolume: RGBColor(hex: 0x007A00), downVolume: RGBColor(hex: 0xD50D18),
        movingAverages: [RGBColor(hex: 0xEF5714), RGBColor(hex: 0x9F4878)], channel: RGBColor(hex: 0x2962FF),
        adx: RGBColor(hex: 0x202020), volumeLine: RGBColor(hex: 0x202020), grid: RGBColor(hex: 0xA0A0A0), text: RGBColor(hex: 0x202020))

    /// The highlight colour of a candle, and its volume bar, that closed at or above its open
    /// (`up`) or below it.
    public func loud(up: Bool) -> RGBColor { up ? loudUp : loudDown }

    /// Colour of moving-average line number `index` (0-based).
    public func movingAverageColor(_ index: Int) -> RGBColor {
        movingAverages.isEmpty ? text : movingAverages[index % movingAverages.count]
    }
}
