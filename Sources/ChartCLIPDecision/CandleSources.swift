import ChartCLIPMarket
import ChartCLIPSupport
import Foundation

/// Candle files for the feedback loop: one CSV, or every `*.csv` of a folder.
public enum CandleSources {
    /// Loads `path` (a CSV file or a folder of them); each file's symbol comes from its name
    /// (`BTCUSDT_15m.csv` → `BTCUSDT`). When a folder holds several files of one symbol,
    /// the finest interval is kept: the barrier is most exact on the finest candles.
    ///
    /// - Parameters:
    ///   - interval: the candle interval, when it should not be inferred from the files.
    ///   - formingCandle: what to do with each file's last row (`.dropLast` for recorded
    ///     Bybit files, whose last row may still have been forming).
    /// - Throws: when the path does not exist, a folder holds no CSV, or a file is damaged.
    public static func load(
        _ path: URL, interval: CandleInterval? = nil, formingCandle: FormingCandlePolicy = .keep
    ) throws -> [CandleSeries] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isFolder) else {
            throw ChartCLIPError("no such candle file or folder", at: path.path, hint: "check the --candles path")
        }
        let files: [URL]
        if isFolder.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path.path)) ?? []
            files = names.filter { $0.hasSuffix(".csv") && !$0.hasPrefix(".") }.sorted()
                .map { path.appendingPathComponent($0) }
            guard !files.isEmpty else {
                throw ChartCLIPError("the folder holds no .csv candle files", at: path.path)
            }
        } else {
            files = [path]
        }
        var bySymbol: [String: CandleSeries] = [:]
        var order: [String] = []
        for file in files {
            let series = try CandleCSV.load(file, interval: interval, formingCandle: formingCandle).series
            let symbol = series.symbol.uppercased()
            if let known = bySymbol[symbol] {
                if series.interval.milliseconds < known.interval.milliseconds { bySymbol[symbol] = series }
            } else {
                bySymbol[symbol] = series
                order.append(symbol)
            }
        }
        return order.compactMap { bySymbol[$0] }
    }
}
