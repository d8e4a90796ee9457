import ChartCLIPSupport
import Foundation
import SwiftProtobuf

/// A TensorBoard event file in a run folder (`events.out.tfevents.<seconds>.<host>`), written
/// by appending: `tensorboard --logdir experiments/` shows every run's scalars side by side.
///
/// The file starts with TensorBoard's version record; each `write` appends one `Event` whose
/// `Summary` holds one simple value per tag. A resumed run opens a new file in the same
/// folder, as TensorFlow's writers do; TensorBoard reads them together.
public final class TensorBoardWriter {
    /// The event file.
    public let url: URL
    private let handle: FileHandle

    /// Creates a new event file in `directory`.
    public init(directory: URL, now: Date = Date()) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let host = ProcessInfo.processInfo.hostName.replacingOccurrences(of: "/", with: "_")
        var name = "events.out.tfevents.\(Int(now.timeIntervalSince1970)).\(host)"
        var n = 1
        while FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path) {
            n += 1
            name = "events.out.tfevents.\(Int(now.timeIntervalSince1970)).\(host).\(n)"
        }
        url = directory.appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: url.path, contents: nil),
            let handle = FileHandle(forWritingAtPath: url.path)
        else {
            throw ChartCLIPError("cannot create the TensorBoard event file", at: url.path, hint: "check the folder is writable")
        }
        self.handle = handle
        var version = Tensorboard_Event()
        version.wallTime = now.timeIntervalSince1970
        version.fileVersion = "brain.Event:2"
        try append(version)
    }

    deinit { try? handle.close() }

    /// Appends one event holding `scalars` (tag → value) at `step`.
    public func write(_ scalars: [(tag: String, value: Double)], step: Int, wallTime: Double = Date().timeIntervalSince1970) throws {
        var summary = Tensorboard_Summary()
        summary.value = scalars.map { tag, value in
            var v = Tensorboard_Summary.Value()
            v.tag = tag
            v.simpleValue = Float(value)
            return v
        }
        var event = Tensorboard_Event()
        event.wallTime = wallTime
        event.step = Int64(step)
        event.summary = summary
        try append(event)
    }

    private func append(_ event: Tensorboard_Event) throws {
        do {
            try handle.seekToEnd()
            try handle.write(contentsOf: TFRecord.frame(try event.serializedData()))
        } catch {
            throw ChartCLIPError("cannot append to the TensorBoard event file: \(error.localizedDescription)", at: url.path)
        }
    }
}

/// Reads TensorBoard event files (ours, or TensorFlow's and PyTorch's writers').
public enum TensorBoardReader {
    /// One logged scalar.
    public struct Scalar: Equatable, Sendable {
        /// The tag (`train/loss`).
        public var tag: String
        /// The step.
        public var step: Int
        /// Seconds since the epoch.
        public var wallTime: Double
        /// The value as stored (float32).
        public var value: Float

        /// A scalar as logged.
        public init(tag: String, step: Int, wallTime: Double, value: Float) {
            self.tag = tag
            self.step = step
            self.wallTime = wallTime
            self.value = value
        }
    }

    /// A file's version record and its scalars, in file order.
    public struct Contents: Sendable {
        /// `brain.Event:2`, from the first record.
        public var fileVersion: String?
        /// Every simple value of every summary.
        public var scalars: [Scalar]
    }

    /// Reads `url`, checking every record's checksums.
    ///
    /// - Throws: `ChartCLIPError` naming the file and the offset or record at fault.
    public static func read(_ url: URL) throws -> Contents {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ChartCLIPError("cannot read the event file: \(error.localizedDescription)", at: url.path)
        }
        var contents = Contents(fileVersion: nil, scalars: [])
        for (k, record) in try TFRecord.records(data, source: url.path).enumerated() {
            let event: Tensorboard_Event
            do { event = try Tensorboard_Event(serializedBytes: record) } catch {
                throw ChartCLIPError("record \(k) is not a TensorBoard event (\(error))", at: url.path)
            }
            if case .fileVersion(let v)? = event.what { contents.fileVersion = v }
            if case .summary(let s)? = event.what {
                for v in s.value {
                    if case .simpleValue(let x)? = v.value {
                        contents.scalars.append(Scalar(tag: v.tag, step: Int(event.step), wallTime: event.wallTime, value: x))
                    }
                }
            }
        }
        return contents
    }
}
