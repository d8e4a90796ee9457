/// What a chart draws besides candles, volume and simple moving averages: the indicators the
/// local labeler's setup rules read, each computed from the chart's own candles exactly as
/// the labeler computes it, so the picture shows what the label was made of. One value
/// carries them from a config or the command line through the dataset, the renderer and an
/// exported predictor, so `predict` draws what training drew.
public struct ChartOverlays: Equatable, Sendable, CustomStringConvertible {
    /// Spans of exponential moving averages of the close over the candles (`[20, 50]`: the
    /// labeler's EMA20 and EMA50), each seeded with the window's first close; empty for none.
    public var exponentialAverages: [Int]
    /// Length of the price channel drawn as two step lines (a Donchian channel): at every
    /// candle the highest high and lowest low of the `channel` candles before it, the levels
    /// the breakout, fakeout and range rules compare against (20 there); `nil` for none.
    public var channel: Int?
    /// Period of the ADX drawn in a panel between price and volume on a fixed
    /// 0–`ChartLayout.adxScaleTop` scale, so a row is a level (the range and trend rules read
    /// ADX14 against 20 and 25); `nil` for no panel.
    public var adx: Int?
    /// Multiple of the median volume of the candles before each one (the labeler's
    /// relative-volume lookback, `VolumeLine.lookback`) drawn as a step line in the volume
    /// panel: a bar that reaches it has that relative volume (the breakout rules ask for 1.5,
    /// exhaustions for 3); `nil` for no line.
    public var volumeLine: Double?
    /// ADX levels drawn as horizontal guides across the ADX panel, as trading charts mark an
    /// oscillator's levels (the range rule reads ADX below 20, the trend rules 25 and over):
    /// whether the ADX line is over or under a level becomes a local contrast instead of a
    /// row to be judged against the panel's edges. Needs the panel (`adx`); empty for none.
    public var adxLevels: [Double]
    /// Candles whose volume reaches the volume line, and their volume bars, drawn in the
    /// style's bright `loudUp` / `loudDown` colours, as volume-spike indicators colour them:
    /// whether a bar has the relative volume a breakout needs becomes the colour of the
    /// candle itself, beside its body and the channel it closes beyond, instead of a bar
    /// height to be compared with a line a hundred rows below. Needs the line (`volumeLine`).
    public var volumeHighlight: Bool
    /// Every breakout's broken level (`BrokenLevels`) carried forward in the style's
    /// `brokenLevel` colour over the breakout candle and the 12 after it, the bars the rules
    /// look back over for its retest or failure: a breakout with pullback is then lows meeting
    /// one line with every close on its far side, and a fakeout closes back through it.
    /// Read off the chart's own candles with the labeler's thresholds; needs nothing else.
    public var brokenLevels: Bool

    /// Overlays from their parts; none by default.
    public init(
        exponentialAverages: [Int] = [], channel: Int? = nil, adx: Int? = nil, volumeLine: Double? = nil, adxLevels: [Double] = [],
        volumeHighlight: Bool = false, brokenLevels: Bool = false
    ) {
        self.exponentialAverages = exponentialAverages
        self.channel = channel
        self.adx = adx
        self.volumeLine = volumeLine
        self.adxLevels = adxLevels
        self.volumeHighlight = volumeHighlight
        self.brokenLevels = brokenLevels
    }

    /// Nothing over the candles.
    public static let none = ChartOverlays()

    /// The first setting that cannot be drawn: its name in configs and on the command line
    /// (`ema`, `channel`, `adx`, `volume_line`, `adx_levels`, `volume_highlight`) and what is wrong; `nil` when all can be.
    public var problem: (field: String, message: String)? {
        if let bad = exponentialAverages.first(where: { $0 < 2 }) {
            return ("ema", "an EMA span of \(bad) is too short: use 2 candles or more (the labeler reads 20 and 50)")
        }
        if let channel, channel < 2 {
            return ("channel", "a price channel of \(channel) candles is too short: use 2 or more (the labeler reads 20)")
        }
        if let adx, adx < 2 {
            return ("adx", "an ADX period of \(adx) is too short: use 2 or more (the labeler reads ADX14)")
        }
        if let volumeLine, !(volumeLine > 0 && volumeLine <= 100) {
            return (
                "volume_line",
                "a volume line at \(volumeLine) times the median volume cannot be drawn: use a multiple above 0 and at most 100 (the breakout rules read 1.5)"
            )
        }
        if !adxLevels.isEmpty {
            if adx == nil {
                return ("adx_levels", "ADX levels are drawn in the ADX panel: give the panel too (adx: 14)")
            }
            if let bad = adxLevels.first(where: { !($0 > 0 && $0 < ChartLayout.adxScaleTop) }) {
                return (
                    "adx_levels",
                    "an ADX level of \(Self.multiple(bad)) is off the panel's 0-\(Self.multiple(ChartLayout.adxScaleTop)) scale: use levels inside it (the rules read 20 and 25)"
                )
            }
        }
        if volumeHighlight, volumeLine == nil {
            return (
                "volume_highlight",
                "the candles highlighted are those whose volume reaches the volume line: give the line too (volume_line: 1.5)"
            )
        }
        return nil
    }

    /// A short name for file and cache names: empty without overlays (so older caches keep
    /// their names), e.g. `_ema20-50_ch20_adx14_vl1.5` with EMA20, EMA50, the 20-candle
    /// channel, ADX14 and the volume line at 1.5 times the median.
    public var key: String {
        (exponentialAverages.isEmpty ? "" : "_ema" + exponentialAverages.map(String.init).joined(separator: "-"))
            + (channel.map { "_ch\($0)" } ?? "") + (adx.map { "_adx\($0)" } ?? "")
            + (volumeLine.map { "_vl" + Self.multiple($0) } ?? "")
            + (adxLevels.isEmpty ? "" : "_adxl" + adxLevels.map(Self.multiple).joined(separator: "-"))
            + (volumeHighlight ? "_vh" : "") + (brokenLevels ? "_bl" : "")
    }

    /// `1.5`, `3` (no trailing `.0`), for names and messages.
    static func multiple(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(value)
    }

    /// In words, for messages: e.g. ` with EMA 20/50, 20-candle channel, ADX14 panel, volume
    /// line at 1.5x median`; empty without overlays.
    public var description: String {
        var parts: [String] = []
        if !exponentialAverages.isEmpty { parts.append("EMA " + exponentialAverages.map(String.init).joined(separator: "/")) }
        if let channel { parts.append("\(channel)-candle channel") }
        if let adx { parts.append("ADX\(adx) panel") }
        if let volumeLine { parts.append("volume line at \(Self.multiple(volumeLine))x median") }
        if !adxLevels.isEmpty { parts.append("ADX levels " + adxLevels.map(Self.multiple).joined(separator: "/")) }
        if volumeHighlight { parts.append("candles reaching the volume line highlighted") }
        if brokenLevels { parts.append("broken breakout levels carried forward") }
        return parts.isEmpty ? "" : " with " + parts.joined(separator: ", ")
    }
}
