import ChartCLIPSupport
import Foundation

/// A safetensors file (Hugging Face's `model.safetensors`), opened for reading tensors by
/// name.
///
/// ```swift
/// let file = try SafetensorsFile(url)
/// for tensor in file.tensors { print(tensor.name, tensor.dtype, tensor.shape) }
/// let weight = try file.floats("vision_model.post_layernorm.weight")   // F32/F16/BF16/F64 → Float
/// let ids = try file.integers("text_model.embeddings.position_ids")    // I64…U8 → Int64
/// ```
///
/// Opening reads and validates only the header (`SafetensorsHeader`); each tensor is read
/// from disk when asked for, with `pread`, so a 600 MB model costs no more memory than the
/// tensors in use, and a file truncated later gives an error rather than a crash (which a
/// memory map could). Safe to share between threads.
public final class SafetensorsFile: @unchecked Sendable {
    /// The file on disk.
    public let url: URL
    /// The validated header.
    public let header: SafetensorsHeader
    private let descriptor: Int32
    private let dataStart: Int
    private let index: [String: SafetensorsTensorInfo]

    /// Tensors sorted by name.
    public var tensors: [SafetensorsTensorInfo] { header.tensors }
    /// The `__metadata__` map (often `{"format": "pt"}`).
    public var metadata: [String: String] { header.metadata }

    /// Opens `url` and validates its header.
    ///
    /// - Throws: `ChartCLIPError` naming the file (and the tensor, when one entry is wrong)
    ///   for missing files, short files, bad header lengths, invalid JSON, incomplete
    ///   entries, size mismatches, gaps, overlaps and truncation.
    public init(_ url: URL) throws {
        self.url = url
        descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else {
            let exists = FileManager.default.fileExists(atPath: url.path)
            throw ChartCLIPError(
                exists ? "cannot open the file: \(String(cString: strerror(errno)))" : "no such file",
                at: url.path, hint: "check the path")
        }
        do {
            var status = stat()
            guard fstat(descriptor, &status) == 0 else {
                throw ChartCLIPError("cannot read the file's size", at: url.path)
            }
            let fileSize = Int(status.st_size)
            guard fileSize >= 8 else {
                throw ChartCLIPError(
                    "the file has \(fileSize) bytes, too few for a safetensors header", at: url.path,
                    hint: "the file is empty or truncated; download or export it again")
            }
            let lengthBytes = try Self.read(descriptor, count: 8, at: 0, source: url.path)
            let headerLength = lengthBytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
            guard headerLength <= UInt64(fileSize - 8), headerLength <= UInt64(SafetensorsHeader.maximumHeaderSize) else {
                throw ChartCLIPError(
                    "the header length \(headerLength) does not fit in the file (\(fileSize) bytes)", at: url.path,
                    hint: "the file is truncated or not safetensors; download or export it again")
            }
            let json = try Self.read(descriptor, count: Int(headerLength), at: 8, source: url.path)
            dataStart = 8 + Int(headerLength)
            header = try SafetensorsHeader.parse(json: json, dataSize: fileSize - dataStart, source: url.path)
        } catch {
            close(descriptor)
            throw error
        }
        index = Dictionary(header.tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    deinit {
        close(descriptor)
    }

    /// Whether a tensor named `name` is in the file.
    public func contains(_ name: String) -> Bool { index[name] != nil }

    /// The entry of tensor `name`.
    ///
    /// - Throws: if there is no such tensor; the message lists similar names.
    public func info(_ name: String) throws -> SafetensorsTensorInfo {
        if let info = index[name] { return info }
        let stem = name.split(separator: ".").dropLast().joined(separator: ".")
        var similar = tensors.map(\.name).filter { !stem.isEmpty && $0.hasPrefix(stem) }
        if similar.isEmpty { similar = tensors.prefix(5).map(\.name) }
        let listed = similar.prefix(5).joined(separator: ", ")
        throw ChartCLIPError(
            "no tensor \"\(name)\" in the file (it has \(tensors.count)\(listed.isEmpty ? "" : ", e.g. \(listed)"))",
            at: url.path, hint: "check the model's parameter names (SafetensorsFile.tensors lists them)")
    }

    /// The values of a floating-point tensor (F32, F16, BF16 or F64) as `Float`, row-major.
    public func floats(_ name: String) throws -> [Float] {
        let tensor = try info(name)
        switch tensor.dtype {
        case .f32:
            return try elements(tensor, as: Float.self)
        case .f16:
            return try elements(tensor, as: UInt16.self).map { HalfPrecision.float(fromHalfBits: UInt16(littleEndian: $0)) }
        case .bf16:
            return try elements(tensor, as: UInt16.self).map { HalfPrecision.float(fromBFloat16Bits: UInt16(littleEndian: $0)) }
        case .f64:
            return try elements(tensor, as: Double.self).map { Float($0) }
        default:
            throw wrongType(tensor, wanted: "floats", use: "integers(_:)")
        }
    }

    /// The values of a floating-point tensor that must have exactly `shape`.
    public func floats(_ name: String, shape: [Int]) throws -> [Float] {
        let tensor = try info(name)
        guard tensor.shape == shape else {
            throw ChartCLIPError(
                "expected shape \(shape) but the file has \(tensor.shape)", at: "\(url.path):\(name)",
                hint: "the file holds another model configuration")
        }
        return try floats(name)
    }

    /// The values of an integer or boolean tensor (I64 such as `position_ids`, I32…U8) as
    /// `Int64`, row-major. U64 values above `Int64.max` wrap.
    public func integers(_ name: String) throws -> [Int64] {
        let tensor = try info(name)
        switch tensor.dtype {
        case .i64: return try elements(tensor, as: Int64.self)
        case .u64: return try elements(tensor, as: UInt64.self).map { Int64(truncatingIfNeeded: $0) }
        case .i32: return try elements(tensor, as: Int32.self).map(Int64.init)
        case .u32: return try elements(tensor, as: UInt32.self).map(Int64.init)
        case .i16: return try elements(tensor, as: Int16.self).map(Int64.init)
        case .u16: return try elements(tensor, as: UInt16.self).map(Int64.init)
        case .i8: return try elements(tensor, as: Int8.self).map(Int64.init)
        case .u8, .bool: return try elements(tensor, as: UInt8.self).map(Int64.init)
        default: throw wrongType(tensor, wanted: "integers", use: "floats(_:)")
        }
    }

    /// The raw little-endian bytes of any tensor.
    public func bytes(_ name: String) throws -> Data {
        let tensor = try info(name)
        return try Self.read(
            descriptor, count: tensor.dataOffsets.count, at: dataStart + tensor.dataOffsets.lowerBound,
            source: "\(url.path):\(name)")
    }

    /// Reads a tensor's bytes straight into an array of `Element` (little-endian host).
    private func elements<Element: BitwiseCopyable>(_ tensor: SafetensorsTensorInfo, as: Element.Type) throws -> [Element] {
        let count = tensor.dataOffsets.count / MemoryLayout<Element>.stride
        guard count > 0 else { return [] }
        let source = "\(url.path):\(tensor.name)"
        let offset = dataStart + tensor.dataOffsets.lowerBound
        return try [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            try Self.fill(descriptor, UnsafeMutableRawBufferPointer(buffer), at: offset, source: source)
            initialized = count
        }
    }

    private func wrongType(_ tensor: SafetensorsTensorInfo, wanted: String, use: String) -> ChartCLIPError {
        ChartCLIPError(
            "the tensor holds \(tensor.dtype) values, which cannot be read as \(wanted)",
            at: "\(url.path):\(tensor.name)",
            hint: tensor.dtype.byteSize == nil ? "convert the file to F32, F16 or BF16" : "read it with \(use)")
    }

    private static func read(_ descriptor: Int32, count: Int, at offset: Int, source: String) throws -> Data {
        var data = Data(count: count)
        try data.withUnsafeMutableBytes { try fill(descriptor, $0, at: offset, source: source) }
        return data
    }

    /// `pread` until `buffer` is full; a short file is an error, not a crash.
    private static func fill(_ descriptor: Int32, _ buffer: UnsafeMutableRawBufferPointer, at offset: Int, source: String) throws {
        var done = 0
        while done < buffer.count {
            let n = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let reason = n < 0 ? String(cString: strerror(errno)) : "the file ends early (truncated?)"
                throw ChartCLIPError(
                    "cannot read \(buffer.count) bytes at offset \(offset): \(reason)", at: source,
                    hint: "download or export the file again")
            }
            done += n
        }
    }
}
