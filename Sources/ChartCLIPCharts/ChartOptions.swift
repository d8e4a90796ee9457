import ChartCLIPSupport

/// What a chart is for.
public enum ChartMode: String, Sendable, CaseIterable, Codable {
    /// Exact model input size (224×224 by default), no axes or text: candles, volume and
    /// optional overlays (averages, price channel, ADX panel) only.
    case train
    /// A larger chart for people: title, price axis with grid, volume scale and UTC time
    /// labels.
    case human
}

/// Everything that decides how a window of candles becomes pixels.
public struct ChartOptions: Equatable, Sendable {
    /// Training or human chart.
    public var mode: ChartMode
    /// Image width in pixels.
    public var width: Int
    /// Image height in pixels.
    public var height: Int
    /// Periods of simple moving averages of the close drawn over the candles (mplfinance's
    /// `mav`), e.g. `[20, 50]`; empty for none. Averages use candles before the window
    /// when the series has them, so every window shows the same line.
    public var movingAverages: [Int]
    /// Spans of exponential moving averages of the close drawn over the candles, e.g.
    /// `[20, 50]`; empty for none. Each is computed from the window's own candles, seeded with
    /// its first close, exactly as the local labeler reads EMA20 and EMA50 from a chart's
    /// candles, so the line on the chart is the one the setup rules measured.
    public var exponentialAverages: [Int]
    /// Length of the price channel drawn as two step lines (a Donchian channel): at every
    /// candle the highest high and lowest low of the `channel` candles before it, from the
    /// window's own candles, exactly the levels the local labeler's breakout, fakeout and
    /// range rules compare against (20 there); `nil` for none.
    public var channel: Int?
    /// Period of the ADX drawn in a panel between the price and volume panels, on a fixed
    /// 0–`ChartLayout.adxScaleTop` scale so a row is a level (the range and trend rules read
    /// ADX14 against 20 and 25), from the window's own candles as the labeler computes it;
    /// `nil` for no panel.
    public var adx: Int?
    /// Colours.
    public var style: ChartStyle
    /// Share of the plot height given to the volume panel.
    public var volumeFraction: Double
    /// Candle body width as a share of the horizontal space per candle.
    public var bodyFraction: Double

    /// Creates options; see `training(size:)` and `human(width:height:)` for the defaults.
    public init(
        mode: ChartMode, width: Int, height: Int, movingAverages: [Int] = [], exponentialAverages: [Int] = [],
        channel: Int? = nil, adx: Int? = nil, style: ChartStyle = .charles, volumeFraction: Double = 0.2, bodyFraction: Double = 0.7
    ) {
        self.mode = mode
        self.width = width
        self.height = height
        self.movingAverages = movingAverages
        self.exponentialAverages = exponentialAverages
        self.channel = channel
        self.adx = adx
        self.style = style
        self.volumeFraction = volumeFraction
        self.bodyFraction = bodyFraction
    }

    /// A square training chart of `size`×`size` pixels (224 for ViT-B/16).
    public static func training(
        size: Int = 224, movingAverages: [Int] = [], exponentialAverages: [Int] = [], channel: Int? = nil,
        adx: Int? = nil
    ) -> ChartOptions {
        ChartOptions(
            mode: .train, width: size, height: size, movingAverages: movingAverages,
            exponentialAverages: exponentialAverages, channel: channel, adx: adx)
    }

    /// A human chart, 1200×800 pixels unless told otherwise.
    public static func human(
        width: Int = 1200, height: Int = 800, movingAverages: [Int] = [], exponentialAverages: [Int] = [],
        channel: Int? = nil, adx: Int? = nil
    ) -> ChartOptions {
        ChartOptions(
            mode: .human, width: width, height: height, movingAverages: movingAverages,
            exponentialAverages: exponentialAverages, channel: channel, adx: adx, volumeFraction: 0.22)
    }

    /// Throws when the options cannot produce a chart.
    public func validate() throws {
        let minimum = mode == .train ? 8 : 320
        guard width >= minimum, height >= minimum, width <= 16384, height <= 16384 else {
            throw ChartCLIPError(
                "a \(mode.rawValue) chart needs a size between \(minimum) and 16384 pixels, got \(width)x\(height)",
                hint: mode == .train ? "use --size 224 for ViT-B/16" : "human charts need room for axes")
        }
        guard volumeFraction > 0, volumeFraction < 0.8, bodyFraction > 0, bodyFraction <= 1 else {
            throw ChartCLIPError(
                "volume fraction must be in (0, 0.8) and body fraction in (0, 1], got \(volumeFraction) and \(bodyFraction)")
        }
        if let bad = (movingAverages + exponentialAverages).first(where: { $0 < 2 }) {
            throw ChartCLIPError(
                "moving-average period \(bad) is too short", hint: "use periods of 2 candles or more")
        }
        if let channel, channel < 2 {
            throw ChartCLIPError(
                "a price channel of \(channel) candles is too short", hint: "use 2 candles or more (the labeler reads 20)")
        }
        if let adx, adx < 2 {
            throw ChartCLIPError("an ADX period of \(adx) is too short", hint: "use 2 or more (the labeler reads ADX14)")
        }
    }
}
