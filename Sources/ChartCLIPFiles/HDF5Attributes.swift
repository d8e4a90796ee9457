import ChartCLIPSupport
import Foundation
import HDF5Shim

/// The value of an HDF5 attribute: a string or a number, alone or in a 1-D array.
///
/// Integers are written as int64 and reals as float64 (h5py reads `numpy.int64`,
/// `numpy.float64`); strings as fixed-length UTF-8, which sits inside the checksummed object
/// header (h5py reads `bytes`: `f.attrs["config"].decode()`; `json.loads` takes it as is).
/// Variable-length string attributes, as h5py writes them, are read too.
public enum HDF5AttributeValue: Equatable, Sendable {
    /// One string (a config as JSON, a format name).
    case string(String)
    /// One integer (a format version, a step).
    case int(Int64)
    /// One real number (a learning rate, a loss).
    case double(Double)
    /// A 1-D array of strings.
    case strings([String])
    /// A 1-D array of integers.
    case ints([Int64])
    /// A 1-D array of reals.
    case doubles([Double])

    /// The string, if this is `.string` or a one-element `.strings`.
    public var stringValue: String? {
        switch self {
        case .string(let value): return value
        case .strings(let values) where values.count == 1: return values[0]
        default: return nil
        }
    }

    /// The integer, if this is `.int` or a one-element `.ints`.
    public var intValue: Int64? {
        switch self {
        case .int(let value): return value
        case .ints(let values) where values.count == 1: return values[0]
        default: return nil
        }
    }

    /// The number, if this is `.double`, `.int` or a one-element array of either.
    public var doubleValue: Double? {
        switch self {
        case .double(let value): return value
        case .doubles(let values) where values.count == 1: return values[0]
        default: return intValue.map(Double.init)
        }
    }
}

extension HDF5File {
    /// Sets (or replaces) the attribute `name` on the group or dataset at `path` (the file's
    /// root by default).
    public func setAttribute(_ name: String, _ value: HDF5AttributeValue, on path: String = "/") throws {
        let normalized = try normalize(path)
        let place = "\(location(normalized)) attribute \"\(name)\""
        try HDF5Library.locked {
            try requireWritable(normalized)
            let object = try openObject(normalized)
            if H5Aexists(object.id, name) > 0 {
                try HDF5Library.check(H5Adelete(object.id, name), "cannot replace the attribute", at: place)
            }
            switch value {
            case .string(let string):
                try writeStrings([string], shape: [], name: name, on: object, place: place)
            case .strings(let strings):
                try writeStrings(strings, shape: [strings.count], name: name, on: object, place: place)
            case .int(let number):
                try writeNumbers([number], shape: [], name: name, on: object, place: place)
            case .ints(let numbers):
                try writeNumbers(numbers, shape: [numbers.count], name: name, on: object, place: place)
            case .double(let number):
                try writeNumbers([number], shape: [], name: name, on: object, place: place)
            case .doubles(let numbers):
                try writeNumbers(numbers, shape: [numbers.count], name: name, on: object, place: place)
            }
        }
    }

    /// The attribute `name` of the group or dataset at `path`, or `nil` if it has none.
    ///
    /// - Throws: if `path` does not exist, or the attribute is of a type other than string,
    ///   integer or real (h5py's booleans are enums, for example).
    public func attribute(_ name: String, of path: String = "/") throws -> HDF5AttributeValue? {
        let normalized = try normalize(path)
        return try HDF5Library.locked {
            let object = try openObject(normalized)
            guard H5Aexists(object.id, name) > 0 else {
                _ = HDF5Library.takeErrors()
                return nil
            }
            return try readAttribute(name, of: object, place: "\(location(normalized)) attribute \"\(name)\"")
        }
    }

    /// All attributes of the group or dataset at `path` that are strings or numbers.
    public func attributes(of path: String = "/") throws -> [String: HDF5AttributeValue] {
        let normalized = try normalize(path)
        return try HDF5Library.locked {
            let object = try openObject(normalized)
            let count = chartclip_h5_attribute_count(object.id)
            guard count >= 0 else { throw HDF5Library.failure("cannot list the attributes", at: location(normalized)) }
            var result: [String: HDF5AttributeValue] = [:]
            for index in 0..<hsize_t(count) {
                let length = H5Aget_name_by_idx(object.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, HDF5Library.defaultList)
                guard length >= 0 else { throw HDF5Library.failure("cannot list the attributes", at: location(normalized)) }
                var buffer = [CChar](repeating: 0, count: Int(length) + 1)
                H5Aget_name_by_idx(object.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, HDF5Library.defaultList)
                let name = HDF5Library.string(buffer)
                let place = "\(location(normalized)) attribute \"\(name)\""
                if let value = try? readAttribute(name, of: object, place: place) { result[name] = value }
            }
            return result
        }
    }

    private func writeStrings(_ strings: [String], shape: [Int], name: String, on object: HDF5Handle, place: String) throws {
        let size = HDF5Strings.fixedSize(strings)
        let type = try HDF5Strings.makeType(layout: .fixedLength, size: size, location: place)
        let space = try makeDataspace(shape, location: place)
        let attribute = try HDF5Library.check(
            H5Acreate2(object.id, name, type.id, space.id, HDF5Library.defaultList, HDF5Library.defaultList),
            "cannot create the attribute", at: place)
        let status = HDF5Strings.withBuffer(strings, layout: .fixedLength, size: size) { buffer in
            H5Awrite(attribute.id, type.id, buffer)
        }
        try HDF5Library.check(status, "cannot write the attribute", at: place)
    }

    private func writeNumbers<Element: HDF5Element>(
        _ numbers: [Element], shape: [Int], name: String, on object: HDF5Handle, place: String
    ) throws {
        guard let fileType = Element.hdf5ValueType.fileTypeID, let memoryType = Element.hdf5ValueType.memoryTypeID else {
            throw ChartCLIPError("cannot store \(Element.hdf5ValueType) attributes", at: place)
        }
        let space = try makeDataspace(shape, location: place)
        let attribute = try HDF5Library.check(
            H5Acreate2(object.id, name, fileType, space.id, HDF5Library.defaultList, HDF5Library.defaultList),
            "cannot create the attribute", at: place)
        let status = numbers.withUnsafeBytes { H5Awrite(attribute.id, memoryType, $0.baseAddress) }
        try HDF5Library.check(status, "cannot write the attribute", at: place)
    }

    private func readAttribute(_ name: String, of object: HDF5Handle, place: String) throws -> HDF5AttributeValue {
        let attribute = try HDF5Library.check(
            H5Aopen(object.id, name, HDF5Library.defaultList), "cannot open the attribute", at: place)
        let type = try HDF5Library.check(H5Aget_type(attribute.id), "cannot read the attribute's type", at: place)
        let space = try HDF5Library.check(H5Aget_space(attribute.id), "cannot read the attribute's shape", at: place)
        let shape = try shapeOf(space: space, location: place)
        try checkAllocation(shape, bytesPerValue: 8, path: place)
        let count = ShapeProduct.saturatingCount(shape)
        let isScalar = shape.isEmpty
        switch HDF5ValueType(typeID: type.id) {
        case .string:
            let strings = try HDF5Strings.read(count: count, fileType: type.id, space: space.id, location: place) {
                H5Aread(attribute.id, $0, $1)
            }
            return isScalar ? .string(strings.first ?? "") : .strings(strings)
        case .integer:
            let numbers: [Int64] = try readNumbers(attribute, count: count, place: place)
            return isScalar ? .int(numbers.first ?? 0) : .ints(numbers)
        case .float:
            let numbers: [Double] = try readNumbers(attribute, count: count, place: place)
            return isScalar ? .double(numbers.first ?? 0) : .doubles(numbers)
        case .other:
            throw ChartCLIPError(
                "the attribute's type is not a string, integer or real", at: place,
                hint: "store it as a string, int64 or float64")
        }
    }

    private func readNumbers<Element: HDF5Element>(_ attribute: HDF5Handle, count: Int, place: String) throws -> [Element] {
        var values = [Element](repeating: Element.hdf5Zero, count: count)
        guard count > 0, let memoryType = Element.hdf5ValueType.memoryTypeID else { return values }
        let status = values.withUnsafeMutableBytes { H5Aread(attribute.id, memoryType, $0.baseAddress) }
        try HDF5Library.check(status, "cannot read the attribute", at: place)
        return values
    }
}
