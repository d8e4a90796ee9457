import ChartCLIPLabels
import ChartCLIPSupport

/// One evaluation's answers scored apart by how sharp each chart's label is (a sharpness
/// file, `ChartSharpness`): per margin the charts whose setup type holds and those whose type
/// changes; per threshold the charts it alone decides; per bar count the charts whose type a
/// one-bar move of it changes.
struct SharpnessScoring {
    /// The truth and each readout's answers, per chart of the split, as class indices.
    struct Answers {
        /// Setup types and (type, direction) setups, the classes the indices count in.
        var types: [String], setups: [String]
        var typeTruth: [Int], typePredicted: [Int], typePredictedWithPrior: [Int]?
        var setupTruth: [Int], setupPredicted: [Int]
        var probePredicted: [Int]?, probeTypePredicted: [Int]?
    }

    let sharpness: ChartSharpness
    let rows: [VisionDataset.Row]
    let answers: Answers
    /// Per chart, whether its type changes at each margin (`nil`: not in the file).
    let changes: [[Bool]?]
    /// Per chart and margin, the thresholds that decide its type, when the file names them.
    let deciding: [[[String]]?]?
    /// Per chart, the bar counts that decide its type, when the file names them.
    let decidingBarCounts: [[String]?]?

    init(sharpness: ChartSharpness, rows: [VisionDataset.Row], answers: Answers) {
        self.sharpness = sharpness
        self.rows = rows
        self.answers = answers
        changes = rows.map { sharpness.changes(symbol: $0.symbol, timestamp: $0.timestamp) }
        deciding = sharpness.hasDecidingThresholds ? rows.map { sharpness.deciding(symbol: $0.symbol, timestamp: $0.timestamp) } : nil
        decidingBarCounts = sharpness.hasDecidingBarCounts
            ? rows.map { sharpness.decidingBarCounts(symbol: $0.symbol, timestamp: $0.timestamp) } : nil
    }

    /// Charts of the split the file does not list.
    var unlisted: Int { changes.filter { $0 == nil }.count }

    /// The index of the largest margin, the one the deciding groups are read at.
    private var widest: Int? { sharpness.margins.indices.max { sharpness.margins[$0] < sharpness.margins[$1] } }

    /// Per margin, the charts whose type holds and those whose type changes; with bar counts,
    /// then the charts whose type holds at the widest margin and at a one-bar move of every
    /// bar count, and the rest of the listed charts.
    func groups() -> [SharpnessGroup] {
        var result: [SharpnessGroup] = []
        for (m, margin) in sharpness.margins.enumerated() {
            for holds in [true, false] {
                let picked = changes.indices.filter { changes[$0].map { $0[m] != holds } ?? false }
                result.append(group(picked, margin: margin, holds: holds, barCounts: nil))
            }
        }
        if let counts = decidingBarCounts, let m = widest {
            // A listed chart has both readings: they are columns of its one line.
            let listed = changes.indices.filter { changes[$0] != nil }
            for holds in [true, false] {
                let picked = listed.filter { (changes[$0]?[m] == false && counts[$0]?.isEmpty == true) == holds }
                result.append(group(picked, margin: sharpness.margins[m], holds: holds, barCounts: true))
            }
        }
        return result
    }

    private func group(_ picked: [Int], margin: Double, holds: Bool, barCounts: Bool?) -> SharpnessGroup {
        let a = answers
        func metrics(_ classes: [String], _ truth: [Int], _ predicted: [Int]) -> ClassificationMetrics {
            ClassificationMetrics(classes: classes, truth: picked.map { truth[$0] }, predicted: picked.map { predicted[$0] })
        }
        let noneCount = picked.filter { rows[$0].label.setupType == .none }.count
        return SharpnessGroup(
            margin: margin, holds: holds, count: picked.count, noneShare: picked.isEmpty ? 0 : Double(noneCount) / Double(picked.count),
            zeroShotSetupType: metrics(a.types, a.typeTruth, a.typePredicted),
            zeroShotSetupTypeWithPrior: a.typePredictedWithPrior.map { metrics(a.types, a.typeTruth, $0) },
            zeroShotSetup: metrics(a.setups, a.setupTruth, a.setupPredicted),
            linearProbeSetup: a.probePredicted.map { metrics(a.setups, a.setupTruth, $0) },
            linearProbeSetupType: a.probeTypePredicted.map { metrics(a.types, a.typeTruth, $0) }, barCounts: barCounts)
    }

    /// At the widest margin, per threshold, the charts whose type it alone changes, most
    /// charts first; nil when the file names no deciding thresholds.
    func thresholdGroups() -> [ThresholdGroup]? {
        guard let deciding, let m = widest else { return nil }
        return deciders(deciding.map { $0?[m] }, margin: sharpness.margins[m])
    }

    /// Per bar count, the charts whose type a one-bar move of it changes, most charts first;
    /// nil when the file names no deciding bar counts.
    func barCountGroups() -> [ThresholdGroup]? {
        decidingBarCounts.map { deciders($0, margin: 1) }
    }

    private func deciders(_ names: [[String]?], margin: Double) -> [ThresholdGroup] {
        var members: [String: [Int]] = [:]
        for (i, names) in names.enumerated() {
            for name in names ?? [] { members[name, default: []].append(i) }
        }
        let a = answers
        let accuracy = { (picked: [Int], truth: [Int], predicted: [Int]) in
            Double(picked.filter { truth[$0] == predicted[$0] }.count) / Double(picked.count)
        }
        return members.map { name, picked in
            ThresholdGroup(
                threshold: name, margin: margin, count: picked.count,
                noneShare: Double(picked.filter { rows[$0].label.setupType == .none }.count) / Double(picked.count),
                zeroShotSetupType: accuracy(picked, a.typeTruth, a.typePredicted),
                zeroShotSetupTypeWithPrior: a.typePredictedWithPrior.map { accuracy(picked, a.typeTruth, $0) },
                linearProbeSetupType: a.probeTypePredicted.map { accuracy(picked, a.typeTruth, $0) })
        }.sorted { ($0.count, $1.threshold) > ($1.count, $0.threshold) }
    }

    /// The `predictions.csv` columns of the file's readings: `changes_at_<margin>`, then
    /// `deciding_at_<margin>` and `deciding_bar_counts` when the file has them.
    func columns() -> [(String, [String])] {
        var columns: [(String, [String])] = []
        for (m, margin) in sharpness.margins.enumerated() {
            columns.append((ChartSharpness.changesColumn(margin: margin), changes.map { $0.map { "\($0[m])" } ?? "" }))
        }
        if let deciding {
            for (m, margin) in sharpness.margins.enumerated() {
                columns.append((ChartSharpness.decidingColumn(margin: margin), deciding.map { $0?[m].joined(separator: ";") ?? "" }))
            }
        }
        if let decidingBarCounts {
            columns.append((ChartSharpness.barCountsColumn, decidingBarCounts.map { $0?.joined(separator: ";") ?? "" }))
        }
        return columns
    }
}
