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
    /// What the setup rules read, drawn over the candles (EMAs, price channel, ADX panel).
    public var overlays: ChartOverlays
    /// Colours.
    public var style: ChartStyle
    /// Share of the plot height given to the volume panel.
    public var volumeFraction: Double
    /// Candle body width as a share of the horizontal space per candle.
    public var bodyFraction: Double

    /// Creates options; see `training(size:)` and `human(width:height:)` for the defaults.
    public init(
        mode: ChartMode, width: Int, height: Int, movingAverages: [Int] = [], overlays: ChartOverlays = .none,
        style: ChartStyle = .charles, volumeFraction: Double = 0.2, bodyFraction: Double = 0.7
    ) {
        self.mode = mode
        self.width = width
        self.height = height
        self.movingAverages = movingAverages
        self.overlays = overlays
        self.style = style
        self.volumeFraction = volumeFraction
        self.bodyFraction = bodyFraction
    }

    /// A square training chart of `size`×`size` pixels (224 for ViT-B/16).
    public static func training(
        size: Int = 224, movingAverages: [Int] = [], overlays: ChartOverlays = .none
    ) -> ChartOptions {
        ChartOptions(mode: .train, width: size, height: size, movingAverages: movingAverages, overlays: overlays)
    }

    /// A human chart, 1200×800 pixels unless told otherwise.
    public static func human(
        width: Int = 1200, height: Int = 800, movingAverages: [Int] = [], overlays: ChartOverlays = .none
    ) -> ChartOptions {
        ChartOptions(
            mode: .human, width: width, height: height, movingAverages: movingAverages, overlays: overlays,
            volumeFraction: 0.22)
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
        if let bad = movingAverages.first(where: { $0 < 2 }) {
            throw ChartCLIPError(
                "moving-average period \(bad) is too short", hint: "use periods of 2 candles or more")
        }
        if let problem = overlays.problem { throw ChartCLIPError(problem.message) }
    }
}
