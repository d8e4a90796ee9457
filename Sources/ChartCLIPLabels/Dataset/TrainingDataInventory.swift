import ChartCLIPImage
import ChartCLIPSupport
import Dispatch
import Foundation

/// The samples of a `training_data/` folder, checked one by one: complete samples with their
/// label and window, and every other sample with the reason it cannot be used.
public struct TrainingDataInventory: Sendable {
    /// A complete, readable sample.
    public struct Sample: Sendable, Equatable {
        /// Its name.
        public var name: TrainingSampleName
        /// Its label record.
        public var record: TrainingSampleLabel
        /// Its meta record.
        public var meta: TrainingSampleMeta
        /// The chart file.
        public var chartURL: URL
        /// The chart's width and height in pixels, from decoding it.
        public var chartSize: (width: Int, height: Int)

        public static func == (a: Sample, b: Sample) -> Bool {
            a.name == b.name && a.record == b.record && a.meta == b.meta && a.chartURL == b.chartURL && a.chartSize == b.chartSize
        }

        /// Trading pair.
        public var symbol: String { meta.symbol }
        /// The chart window's start (first candle's open), UTC ms.
        public var windowStartMs: Int64 { meta.windowStartMs }
        /// The chart window's end (last candle's close), UTC ms.
        public var closeTimeMs: Int64 { meta.closeTimeMs }
    }

    /// A sample that cannot be used, and why.
    public struct Problem: Error, Sendable, Equatable, Codable {
        /// The sample id.
        public var sample: String
        /// What is wrong, in words a user can act on.
        public var reason: String
    }

    /// Complete samples, ordered by name (symbol, then time).
    public var samples: [Sample]
    /// Incomplete or corrupt samples, ordered by name.
    public var problems: [Problem]

    /// Reads every sample of `folder`, decoding each chart to be sure it is a readable PNG,
    /// on `threads` threads (0: one per core).
    public static func read(_ folder: URL, threads: Int = 0) throws -> TrainingDataInventory {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw ChartCLIPError(
                "cannot list the training data: \(error.localizedDescription)", at: folder.path,
                hint: "create it with chartclip scan --out \(folder.path)")
        }
        var files: [TrainingSampleName: Set<String>] = [:]
        // Hidden files are AtomicFile's temporaries: never a sample.
        for file in names where !file.hasPrefix(".") {
            guard let name = TrainingSampleName(fileName: file) else { continue }
            files[name, default: []].insert(file)
        }
        let ordered = files.keys.sorted()
        let present = ordered.map { files[$0] ?? [] }
        var results = [Result<Sample, Problem>?](repeating: nil, count: ordered.count)
        let workers = max(1, min(threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount, ordered.count))
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                for k in Swift.stride(from: w, to: ordered.count, by: workers) {
                    out[k] = check(ordered[k], present: present[k], folder: folder)
                }
            }
        }
        var inventory = TrainingDataInventory(samples: [], problems: [])
        for result in results {
            switch result! {
            case .success(let sample): inventory.samples.append(sample)
            case .failure(let problem): inventory.problems.append(problem)
            }
        }
        return inventory
    }

    /// Checks one sample: all three files present, label and meta valid and about this
    /// sample, chart decodable.
    static func check(_ name: TrainingSampleName, present: Set<String>, folder: URL) -> Result<Sample, Problem> {
        func problem(_ reason: String) -> Result<Sample, Problem> { .failure(Problem(sample: name.id, reason: reason)) }
        guard present.contains(name.labelFile) else {
            return problem("incomplete: no \(name.labelFile) (a scan stopped before finishing it; re-run the scan)")
        }
        guard present.contains(name.chartFile) else { return problem("missing chart \(name.chartFile)") }
        guard present.contains(name.metaFile) else { return problem("missing meta \(name.metaFile)") }
        let record: TrainingSampleLabel
        do {
            record = try JSONDecoder().decode(TrainingSampleLabel.self, from: Data(contentsOf: folder.appendingPathComponent(name.labelFile)))
        } catch {
            return problem("invalid label \(name.labelFile): \(reason(error))")
        }
        let meta: TrainingSampleMeta
        do {
            meta = try JSONDecoder().decode(TrainingSampleMeta.self, from: Data(contentsOf: folder.appendingPathComponent(name.metaFile)))
        } catch {
            return problem("invalid meta \(name.metaFile): \(reason(error))")
        }
        guard record.sample == name.id, meta.sample == name.id, meta.windowStartMs < meta.closeTimeMs else {
            return problem("label or meta belongs to another sample (\(record.sample), \(meta.sample)) or has an empty window")
        }
        let chartURL = folder.appendingPathComponent(name.chartFile)
        let chart: RasterImage
        do {
            chart = try PNGCodec.read(from: chartURL)
        } catch let error as ChartCLIPError {
            return problem("unreadable PNG \(name.chartFile): \(error.message)")
        } catch {
            return problem("unreadable PNG \(name.chartFile): \(error)")
        }
        return .success(Sample(name: name, record: record, meta: meta, chartURL: chartURL, chartSize: (chart.width, chart.height)))
    }

    /// A short reason from a decoding error (which key, what was wrong).
    static func reason(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let c):
            let key = c.codingPath.map(\.stringValue).joined(separator: ".")
            return key.isEmpty ? c.debugDescription : "\(key): \(c.debugDescription)"
        case DecodingError.keyNotFound(let key, _): return "missing key \(key.stringValue)"
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            return "\(c.codingPath.map(\.stringValue).joined(separator: ".")): \(c.debugDescription)"
        default: return error.localizedDescription
        }
    }
}
