import ChartCLIPMarket
import ChartCLIPSupport

/// Chart file names the users' system expects: `SYMBOL_YYYYMMDD_HHMM.png`, stamped with the
/// UTC **close** time of the window's last candle (its start plus one interval), so a 15m
/// candle opening at 13:45 gives `…_1400.png`.
public enum ChartFileName {
    /// `JSTUSDT_20250623_1400.png` for a last-candle close at 2025-06-23 14:00 UTC.
    public static func name(symbol: String, closeTime milliseconds: Int64, extension ext: String = "png") -> String {
        "\(symbol)_\(UTCTime.fileStamp(milliseconds: milliseconds)).\(ext)"
    }

    /// The file name of the chart of `window` in `series`.
    public static func name(_ series: CandleSeries, window: Range<Int>, extension ext: String = "png") -> String {
        name(symbol: series.symbol, closeTime: series.closeTime(at: window.upperBound - 1), extension: ext)
    }
}
