/// The element type of a safetensors tensor, as spelled in the header (`"F32"`, `"BF16"`…).
public enum SafetensorsDType: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// 64-bit IEEE float.
    case f64
    /// 32-bit IEEE float.
    case f32
    /// 16-bit IEEE float (half precision).
    case f16
    /// bfloat16: the top 16 bits of a 32-bit float.
    case bf16
    /// Signed integers.
    case i64, i32, i16, i8
    /// Unsigned integers.
    case u64, u32, u16, u8
    /// One byte per boolean.
    case bool
    /// A type ChartCLIP does not read (8-bit floats, complex…); its tensors are listed and
    /// their offsets validated, but reading them fails.
    case other(String)

    /// Parses a header spelling.
    public init(_ name: String) {
        switch name {
        case "F64": self = .f64
        case "F32": self = .f32
        case "F16": self = .f16
        case "BF16": self = .bf16
        case "I64": self = .i64
        case "I32": self = .i32
        case "I16": self = .i16
        case "I8": self = .i8
        case "U64": self = .u64
        case "U32": self = .u32
        case "U16": self = .u16
        case "U8": self = .u8
        case "BOOL": self = .bool
        default: self = .other(name)
        }
    }

    /// The header spelling: `F32`, `BF16`, `I64`…
    public var description: String {
        switch self {
        case .f64: return "F64"
        case .f32: return "F32"
        case .f16: return "F16"
        case .bf16: return "BF16"
        case .i64: return "I64"
        case .i32: return "I32"
        case .i16: return "I16"
        case .i8: return "I8"
        case .u64: return "U64"
        case .u32: return "U32"
        case .u16: return "U16"
        case .u8: return "U8"
        case .bool: return "BOOL"
        case .other(let name): return name
        }
    }

    /// Bytes per element, or `nil` for types ChartCLIP does not read.
    public var byteSize: Int? {
        switch self {
        case .f64, .i64, .u64: return 8
        case .f32, .i32, .u32: return 4
        case .f16, .bf16, .i16, .u16: return 2
        case .i8, .u8, .bool: return 1
        case .other: return nil
        }
    }

    /// Whether `SafetensorsFile.floats(_:)` reads this type.
    public var isFloatingPoint: Bool {
        switch self {
        case .f64, .f32, .f16, .bf16: return true
        default: return false
        }
    }

    /// Whether `SafetensorsFile.integers(_:)` reads this type.
    public var isInteger: Bool {
        switch self {
        case .i64, .i32, .i16, .i8, .u64, .u32, .u16, .u8, .bool: return true
        default: return false
        }
    }
}
