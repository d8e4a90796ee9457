import ChartCLIPSupport

/// Splitting charts by time, per symbol, with an embargo so that no chart window in one split
/// overlaps a window in another.
///
/// Overlapping windows leak: two charts 4 candles apart share 92 of 96 candles, so a test chart
/// whose neighbour was trained on is half seen already. Each symbol's charts are ordered by the
/// close of their last candle and cut by count into train (oldest), val and test (newest);
/// then every chart whose window reaches into a later split's earliest window (close > that
/// window's start − `embargoMs`) is dropped from its split, as López de Prado's purging does
/// for training sets. The dropped charts are returned so reports can count them.
/// Charts of held-out symbols all go to `holdout`, those of training-only symbols to `train`.
public struct TimeSplit: Sendable, Equatable {
    /// Share of each symbol's charts for validation.
    public var valFraction: Double
    /// Share of each symbol's charts for test.
    public var testFraction: Double
    /// Symbols whose charts all go to the `holdout` split.
    public var holdoutSymbols: Set<String>
    /// Symbols whose charts all go to the `train` split (extra markets that widen training and
    /// leave the validation and test charts as they were).
    public var trainingSymbols: Set<String>
    /// Extra gap between splits beyond non-overlap, UTC ms (0: windows may touch, not overlap).
    public var embargoMs: Int64

    /// A split; throws unless the fractions are in [0, 1) and leave room for training.
    public init(valFraction: Double = 0.15, testFraction: Double = 0.15, holdoutSymbols: Set<String> = [], trainingSymbols: Set<String> = [], embargoMs: Int64 = 0) throws {
        if let both = holdoutSymbols.intersection(trainingSymbols).sorted().first {
            throw ChartCLIPError("\(both) is both held out and a training-only symbol", hint: "name it in one of the two lists")
        }
        guard valFraction >= 0, testFraction >= 0, valFraction + testFraction < 1, embargoMs >= 0 else {
            throw ChartCLIPError(
                "val and test fractions must be ≥ 0 with a sum below 1, and the embargo ≥ 0; got \(valFraction), "
                    + "\(testFraction), \(embargoMs) ms", hint: "e.g. --val-fraction 0.15 --test-fraction 0.15")
        }
        self.valFraction = valFraction
        self.testFraction = testFraction
        self.holdoutSymbols = holdoutSymbols
        self.trainingSymbols = trainingSymbols
        self.embargoMs = embargoMs
    }

    /// A chart as the split sees it.
    public struct Item: Sendable, Equatable {
        /// Trading pair.
        public var symbol: String
        /// Window start (first candle's open), UTC ms.
        public var startMs: Int64
        /// Window end (last candle's close), UTC ms.
        public var endMs: Int64

        /// Creates an item.
        public init(symbol: String, startMs: Int64, endMs: Int64) {
            self.symbol = symbol
            self.startMs = startMs
            self.endMs = endMs
        }
    }

    /// The split of each item (`nil`: dropped by the embargo), by index.
    public func assign(_ items: [Item]) -> [DatasetSplit?] {
        var result = [DatasetSplit?](repeating: nil, count: items.count)
        let bySymbol = Dictionary(grouping: items.indices, by: { items[$0].symbol })
        for symbol in bySymbol.keys.sorted() {
            // Ties broken by start then index, so the order is total and the output stable.
            let order = bySymbol[symbol]!.sorted {
                (items[$0].endMs, items[$0].startMs, $0) < (items[$1].endMs, items[$1].startMs, $1)
            }
            if holdoutSymbols.contains(symbol) {
                for i in order { result[i] = .holdout }
                continue
            }
            if trainingSymbols.contains(symbol) {
                for i in order { result[i] = .train }
                continue
            }
            let n = order.count
            let test = Int((Double(n) * testFraction).rounded())
            let val = Int((Double(n) * valFraction).rounded())
            let train = max(0, n - val - test)
            for (k, i) in order.enumerated() {
                result[i] = k < train ? .train : (k < train + val ? .val : .test)
            }
            // Purge: earliest window start of every later split, newest split first.
            var laterStart = Int64.max
            for split in [DatasetSplit.test, .val, .train] {
                let members = order.filter { result[$0] == split }
                for i in members where laterStart != .max && items[i].endMs > laterStart - embargoMs {
                    result[i] = nil
                }
                if let first = members.filter({ result[$0] != nil }).map({ items[$0].startMs }).min() {
                    laterStart = min(laterStart, first)
                }
            }
        }
        return result
    }
}
