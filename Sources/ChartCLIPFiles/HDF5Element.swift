import HDF5Shim

/// The kinds of values an HDF5 dataset can hold, as ChartCLIP sees them.
public enum HDF5ValueType: Equatable, Sendable, CustomStringConvertible {
    /// IEEE float of `bits` bits (32 for parameters; 16 and 64 are read too).
    case float(bits: Int)
    /// Signed or unsigned integer of `bits` bits.
    case integer(bits: Int, signed: Bool)
    /// UTF-8 or ASCII text, fixed- or variable-length.
    case string
    /// Anything else (compound, enum, opaque…), with HDF5's class number.
    case other(Int)

    /// `float32`, `int64`, `uint8`, `string`, as numpy would say.
    public var description: String {
        switch self {
        case .float(let bits): return "float\(bits)"
        case .integer(let bits, let signed): return "\(signed ? "" : "u")int\(bits)"
        case .string: return "string"
        case .other(let type): return "HDF5 type class \(type)"
        }
    }
}

/// A number type that can be stored in and read from HDF5 datasets and attributes:
/// `Float`, `Double`, `Int32`, `Int64`.
///
/// Reading converts between sizes of the same kind (a float64 dataset reads as `Float`), as
/// h5py does; reading floats as integers or the reverse is refused, because it is always a
/// mistake in a checkpoint.
public protocol HDF5Element: Sendable {
    /// How values of this type are stored in files.
    static var hdf5ValueType: HDF5ValueType { get }
    /// A zero, for allocating buffers.
    static var hdf5Zero: Self { get }
}

extension Float: HDF5Element {
    /// float32.
    public static var hdf5ValueType: HDF5ValueType { .float(bits: 32) }
    /// 0.
    public static var hdf5Zero: Float { 0 }
}

extension Double: HDF5Element {
    /// float64.
    public static var hdf5ValueType: HDF5ValueType { .float(bits: 64) }
    /// 0.
    public static var hdf5Zero: Double { 0 }
}

extension Int32: HDF5Element {
    /// int32.
    public static var hdf5ValueType: HDF5ValueType { .integer(bits: 32, signed: true) }
    /// 0.
    public static var hdf5Zero: Int32 { 0 }
}

extension Int64: HDF5Element {
    /// int64.
    public static var hdf5ValueType: HDF5ValueType { .integer(bits: 64, signed: true) }
    /// 0.
    public static var hdf5Zero: Int64 { 0 }
}

extension HDF5ValueType {
    /// The native (memory) type id for reading and writing; `nil` for strings and others.
    var memoryTypeID: hid_t? {
        switch self {
        case .float(32): return chartclip_h5t_native_float()
        case .float(64): return chartclip_h5t_native_double()
        case .integer(32, true): return chartclip_h5t_native_int32()
        case .integer(64, true): return chartclip_h5t_native_int64()
        default: return nil
        }
    }

    /// The little-endian file type id used when writing.
    var fileTypeID: hid_t? {
        switch self {
        case .float(32): return chartclip_h5t_ieee_f32le()
        case .float(64): return chartclip_h5t_ieee_f64le()
        case .integer(32, true): return chartclip_h5t_std_i32le()
        case .integer(64, true): return chartclip_h5t_std_i64le()
        default: return nil
        }
    }

    /// Whether values stored as `self` may be read as `other` (same kind, any size).
    func canBeRead(as other: HDF5ValueType) -> Bool {
        switch (self, other) {
        case (.float, .float), (.integer, .integer): return true
        default: return false
        }
    }

    /// The value type of an HDF5 datatype id.
    init(typeID: hid_t) {
        let size = Int(H5Tget_size(typeID)) * 8
        switch H5Tget_class(typeID) {
        case H5T_FLOAT: self = .float(bits: size)
        case H5T_INTEGER: self = .integer(bits: size, signed: H5Tget_sign(typeID) != H5T_SGN_NONE)
        case H5T_STRING: self = .string
        default: self = .other(Int(H5Tget_class(typeID).rawValue))
        }
    }
}
