import ChartCLIPSupport
import Foundation

/// One tensor listed in a safetensors header.
public struct SafetensorsTensorInfo: Equatable, Sendable {
    /// The tensor's key, e.g. `vision_model.embeddings.patch_embedding.weight`.
    public var name: String
    /// Element type.
    public var dtype: SafetensorsDType
    /// Dimensions; `[]` for a scalar.
    public var shape: [Int]
    /// Byte range inside the data section (which starts after the header).
    public var dataOffsets: Range<Int>

    /// Number of elements (1 for a scalar).
    public var count: Int { ShapeProduct.saturatingCount(shape) }
}

/// The header of a safetensors file: validated tensor entries and free-form metadata.
///
/// Layout (https://github.com/huggingface/safetensors): 8 bytes little-endian header length
/// `N`, `N` bytes of UTF-8 JSON (`{"name": {"dtype": "F32", "shape": [2, 3],
/// "data_offsets": [begin, end]}, …, "__metadata__": {"key": "value"}}`, possibly padded with
/// spaces), then the data section. Validation follows the reference Rust implementation:
/// the header fits in the file, every entry is complete, byte sizes match shapes, and the
/// tensors tile the data section exactly: sorted by offset, each starts where the previous
/// ends, the first at 0, the last at the end of the file.
public struct SafetensorsHeader: Equatable, Sendable {
    /// Tensors sorted by name.
    public var tensors: [SafetensorsTensorInfo]
    /// The `__metadata__` map (empty when absent).
    public var metadata: [String: String]

    /// The reference implementation refuses headers above 100 MB.
    public static let maximumHeaderSize = 100_000_000

    /// Parses and validates the JSON header of a file whose data section is `dataSize`
    /// bytes long. `source` (the file path) is named in errors.
    public static func parse(json: Data, dataSize: Int, source: String) throws -> SafetensorsHeader {
        guard json.first == UInt8(ascii: "{") else {
            throw invalid("the header does not start with '{'", source)
        }
        let raw: RawHeader
        do {
            raw = try JSONDecoder().decode(RawHeader.self, from: json)
        } catch let error as ChartCLIPError {
            throw ChartCLIPError(error.message, at: source, hint: Self.hint)
        } catch {
            throw invalid("the header is not valid JSON (\(Self.describe(error)))", source)
        }
        var tensors: [SafetensorsTensorInfo] = []
        for (name, entry) in raw.entries {
            tensors.append(try validate(name: name, entry: entry, source: source))
        }
        try checkTiling(tensors, dataSize: dataSize, source: source)
        return SafetensorsHeader(tensors: tensors.sorted { $0.name < $1.name }, metadata: raw.metadata)
    }

    private static let hint = "the file is damaged or not safetensors; download or export it again"

    private static func invalid(_ message: String, _ source: String) -> ChartCLIPError {
        ChartCLIPError(message, at: source, hint: hint)
    }

    private static func validate(name: String, entry: RawEntry, source: String) throws -> SafetensorsTensorInfo {
        let place = "\(source):\(name)"
        guard entry.shape.allSatisfy({ $0 >= 0 }) else {
            throw invalid("shape \(entry.shape) has a negative dimension", place)
        }
        guard entry.dataOffsets.count == 2 else {
            throw invalid("data_offsets must be [begin, end], found \(entry.dataOffsets)", place)
        }
        let begin = entry.dataOffsets[0]
        let end = entry.dataOffsets[1]
        guard begin >= 0, end >= begin else {
            throw invalid("data_offsets [\(begin), \(end)] are not an increasing byte range", place)
        }
        let dtype = SafetensorsDType(entry.dtype)
        guard let count = ShapeProduct.count(entry.shape) else {
            throw invalid("shape \(entry.shape) is too large", place)
        }
        if let size = dtype.byteSize {
            let (bytes, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { throw invalid("shape \(entry.shape) is too large", place) }
            guard bytes == end - begin else {
                throw invalid(
                    "\(dtype) tensor of shape \(entry.shape) needs \(bytes) bytes but data_offsets "
                        + "[\(begin), \(end)] hold \(end - begin)", place)
            }
        }
        return SafetensorsTensorInfo(name: name, dtype: dtype, shape: entry.shape, dataOffsets: begin..<end)
    }

    private static func checkTiling(_ tensors: [SafetensorsTensorInfo], dataSize: Int, source: String) throws {
        let ordered = tensors.sorted {
            ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound) < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound)
        }
        var expectedStart = 0
        var previous: String?
        for tensor in ordered {
            if tensor.dataOffsets.lowerBound != expectedStart {
                let after = previous.map { "after \"\($0)\" ends at byte \(expectedStart)" } ?? "the data section starts at 0"
                let problem = tensor.dataOffsets.lowerBound < expectedStart ? "overlaps" : "leaves a gap"
                throw invalid(
                    "tensor data \(problem): it begins at byte \(tensor.dataOffsets.lowerBound) but \(after)",
                    "\(source):\(tensor.name)")
            }
            expectedStart = tensor.dataOffsets.upperBound
            previous = tensor.name
        }
        guard expectedStart == dataSize else {
            let problem = expectedStart > dataSize
                ? "the file is truncated: the tensors need \(expectedStart) data bytes but the file has \(dataSize)"
                : "the tensors cover \(expectedStart) data bytes but the file has \(dataSize)"
            throw invalid(problem, source)
        }
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context), DecodingError.typeMismatch(_, let context),
            DecodingError.valueNotFound(_, let context), DecodingError.keyNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }
}

/// The JSON as written, before validation.
private struct RawHeader: Decodable {
    var entries: [String: RawEntry] = [:]
    var metadata: [String: String] = [:]

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in container.allKeys {
            if key.stringValue == "__metadata__" {
                guard let metadata = try? container.decode([String: String].self, forKey: key) else {
                    throw ChartCLIPError("__metadata__ must map strings to strings")
                }
                self.metadata = metadata
                continue
            }
            do {
                entries[key.stringValue] = try container.decode(RawEntry.self, forKey: key)
            } catch {
                throw ChartCLIPError(
                    "tensor \"\(key.stringValue)\" needs \"dtype\" (string), \"shape\" (integers) and "
                        + "\"data_offsets\" (two integers)")
            }
        }
    }
}

private struct RawEntry: Decodable {
    var dtype: String
    var shape: [Int]
    var dataOffsets: [Int]

    enum CodingKeys: String, CodingKey {
        case dtype, shape
        case dataOffsets = "data_offsets"
    }
}
