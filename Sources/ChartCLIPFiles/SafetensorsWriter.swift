import ChartCLIPSupport
import Foundation

/// Writes float32 tensors as a safetensors file that `safetensors.safe_open`, transformers'
/// `from_pretrained` and `SafetensorsFile` read.
///
/// ```swift
/// var writer = SafetensorsWriter(metadata: ["format": "pt"])
/// try writer.add("logit_scale", shape: [], values: [2.6592])
/// try writer.write(to: url)          // atomically: temp file, then rename
/// ```
///
/// The layout is the reference implementation's: the header's entries are sorted by name
/// (keys of a JSON object, `__metadata__` first), tensors are laid out in the same order,
/// and the header is padded with spaces to a multiple of 8 bytes so that every tensor starts
/// aligned. The same tensors always give the same bytes.
public struct SafetensorsWriter {
    private struct Entry {
        var shape: [Int]
        var values: [Float]
    }

    private var entries: [String: Entry] = [:]
    /// The `__metadata__` map (`{"format": "pt"}` is what PyTorch checkpoints carry).
    public var metadata: [String: String]

    /// An empty file with `metadata`.
    public init(metadata: [String: String] = ["format": "pt"]) {
        self.metadata = metadata
    }

    /// Adds a float32 tensor; `shape` `[]` is a scalar.
    ///
    /// - Throws: when the name is taken or reserved, or `values` do not fill `shape`.
    public mutating func add(_ name: String, shape: [Int], values: [Float]) throws {
        guard !name.isEmpty, name != "__metadata__" else {
            throw ChartCLIPError("'\(name)' cannot name a safetensors tensor")
        }
        guard entries[name] == nil else { throw ChartCLIPError("tensor \(name) is added twice") }
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == values.count else {
            throw ChartCLIPError("tensor \(name): \(values.count) values do not fill the shape \(shape)")
        }
        entries[name] = Entry(shape: shape, values: values)
    }

    /// The file's bytes.
    public func data() throws -> Data {
        let names = entries.keys.sorted()
        var offset = 0
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(JSONText.quoted($0)):\(JSONText.quoted(metadata[$0]!))" }
            fields.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        for name in names {
            let entry = entries[name]!
            let end = offset + 4 * entry.values.count
            let shape = entry.shape.map(String.init).joined(separator: ",")
            fields.append("\(JSONText.quoted(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Data(("{" + fields.joined(separator: ",") + "}").utf8)
        header.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8))
        var out = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(header)
        for name in names {
            let littleEndian = entries[name]!.values.map { $0.bitPattern.littleEndian }
            littleEndian.withUnsafeBytes { out.append(contentsOf: $0) }
        }
        return out
    }

    /// Writes the file atomically (a reader never sees half of it).
    public func write(to url: URL) throws {
        try AtomicFile.write(try data(), to: url)
    }
}
