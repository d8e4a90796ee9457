import ChartCLIPSupport
import Foundation
import HDF5Shim

extension HDF5File {
    /// Writes a new dataset of numbers: `values` in row-major order with `shape` (`[]` for
    /// a scalar). Missing groups on the way are created.
    ///
    /// - Throws: if the shape does not hold `values.count` values, if `path` exists already
    ///   (call `remove(_:)` first to replace it), or if HDF5 fails.
    public func write<Element: HDF5Element>(_ values: [Element], shape: [Int], to path: String) throws {
        let normalized = try normalize(path)
        try checkShape(shape, count: values.count, path: normalized)
        let valueType = Element.hdf5ValueType
        guard let fileType = valueType.fileTypeID, let memoryType = valueType.memoryTypeID else {
            throw ChartCLIPError("cannot store \(valueType) values", at: location(normalized))
        }
        try HDF5Library.locked {
            let dataset = try createDataset(normalized, fileType: fileType, shape: shape)
            guard !values.isEmpty else { return }
            let status = values.withUnsafeBytes { buffer in
                H5Dwrite(dataset.id, memoryType, chartclip_h5s_all(), chartclip_h5s_all(), HDF5Library.defaultList, buffer.baseAddress)
            }
            try HDF5Library.check(status, "cannot write the values", at: location(normalized))
        }
    }

    /// Reads a dataset of numbers with its shape. Sizes convert within a kind (float64 →
    /// `Float`); floats never convert to integers or back.
    public func read<Element: HDF5Element>(_ path: String, as type: Element.Type = Element.self) throws -> HDF5Array<Element> {
        let normalized = try normalize(path)
        return try HDF5Library.locked {
            let dataset = try openDataset(normalized)
            let info = try datasetInfo(dataset, path: normalized)
            guard info.valueType.canBeRead(as: Element.hdf5ValueType), let memoryType = Element.hdf5ValueType.memoryTypeID else {
                throw ChartCLIPError(
                    "the dataset holds \(info.valueType) values, which cannot be read as \(Element.hdf5ValueType)",
                    at: location(normalized),
                    hint: info.valueType == .string ? "read it with readStrings(_:)" : "read it with a matching type")
            }
            try checkAllocation(info.shape, bytesPerValue: MemoryLayout<Element>.stride, path: normalized)
            var values = [Element](repeating: Element.hdf5Zero, count: info.count)
            if !values.isEmpty {
                let status = values.withUnsafeMutableBytes { buffer in
                    H5Dread(dataset.id, memoryType, chartclip_h5s_all(), chartclip_h5s_all(), HDF5Library.defaultList, buffer.baseAddress)
                }
                if status < 0 {
                    throw HDF5Library.failure(
                        "cannot read the values (the file may be truncated or damaged)", at: location(normalized),
                        hint: "write the file again")
                }
            }
            return HDF5Array(values: values, shape: info.shape)
        }
    }

    /// Reads a dataset of numbers that must have exactly `shape`.
    ///
    /// - Throws: `ChartCLIPError` naming the file, the key, the expected and the found shape.
    public func read<Element: HDF5Element>(_ path: String, as type: Element.Type = Element.self, shape: [Int]) throws -> [Element] {
        let normalized = try normalize(path)
        let found = try info(normalized).shape
        guard found == shape else {
            throw ChartCLIPError(
                "expected shape \(shape) but the file has \(found)", at: location(normalized),
                hint: "the file was written for another model configuration")
        }
        return try read(normalized, as: type).values
    }

    /// Shape and value type of the dataset at `path`, without reading it.
    public func info(_ path: String) throws -> HDF5DatasetInfo {
        let normalized = try normalize(path)
        return try HDF5Library.locked {
            try datasetInfo(try openDataset(normalized), path: normalized)
        }
    }

    // MARK: Helpers shared with strings and listing

    /// Creates a dataset; non-empty arrays of fixed-size values are stored in checksummed
    /// chunks (see `chunkShape`).
    func createDataset(_ path: String, fileType: hid_t, shape: [Int]) throws -> HDF5Handle {
        try requireWritable(path)
        guard !contains(path) else {
            throw ChartCLIPError(
                "a dataset or group with this name exists already", at: location(path),
                hint: "remove(_:) it first, or write a new file")
        }
        let space = try makeDataspace(shape, location: location(path))
        let linkList = try HDF5Library.check(
            chartclip_h5p_create_intermediate_groups(), "cannot create a property list", at: location(path))
        // Fletcher-32 works on fixed-size values only; variable-length strings go unchecked.
        let isVariable = H5Tis_variable_str(fileType) > 0
        let chunk = isVariable ? [] : Self.chunkShape(shape, bytesPerValue: H5Tget_size(fileType)).map { hsize_t($0) }
        let createList = try HDF5Library.check(
            chartclip_h5p_dataset_create_checksummed(Int32(chunk.count), chunk), "cannot create a property list",
            at: location(path))
        return try HDF5Library.check(
            H5Dcreate2(handle.id, path, fileType, space.id, linkList.id, createList.id, HDF5Library.defaultList),
            "cannot create the dataset", at: location(path))
    }

    /// Chunks for the Fletcher-32 checksum: the whole array when it is at most 64 MiB,
    /// otherwise slabs of whole rows along the first axis. `[]` (no chunking, no checksum)
    /// for scalars and empty arrays, which HDF5 cannot chunk.
    static func chunkShape(_ shape: [Int], bytesPerValue: Int) -> [Int] {
        guard !shape.isEmpty, shape.allSatisfy({ $0 > 0 }), let count = ShapeProduct.count(shape) else { return [] }
        let limit = 64 << 20
        let rowBytes = max(count / shape[0], 1) * max(bytesPerValue, 1)
        guard rowBytes <= limit else { return [] }  // a single row over 64 MiB: store unchunked
        var chunk = shape
        chunk[0] = min(shape[0], max(limit / rowBytes, 1))
        return chunk
    }

    func makeDataspace(_ shape: [Int], location: String) throws -> HDF5Handle {
        if shape.isEmpty {
            return try HDF5Library.check(H5Screate(H5S_SCALAR), "cannot create a dataspace", at: location)
        }
        let dims = shape.map { hsize_t($0) }
        return try HDF5Library.check(
            H5Screate_simple(Int32(dims.count), dims, nil), "cannot create a dataspace", at: location)
    }

    func openDataset(_ path: String) throws -> HDF5Handle {
        guard path != "/", contains(path) else {
            throw missingDataset(path)
        }
        let dataset = H5Dopen2(handle.id, path, HDF5Library.defaultList)
        guard dataset >= 0 else {
            throw HDF5Library.failure("\"\(path)\" is not a dataset (a group?)", at: location(path))
        }
        return HDF5Handle(dataset)
    }

    func datasetInfo(_ dataset: HDF5Handle, path: String) throws -> HDF5DatasetInfo {
        let type = try HDF5Library.check(H5Dget_type(dataset.id), "cannot read the dataset's type", at: location(path))
        let space = try HDF5Library.check(H5Dget_space(dataset.id), "cannot read the dataset's shape", at: location(path))
        return HDF5DatasetInfo(
            path: path, shape: try shapeOf(space: space, location: location(path)), valueType: HDF5ValueType(typeID: type.id))
    }

    func shapeOf(space: HDF5Handle, location: String) throws -> [Int] {
        if H5Sget_simple_extent_type(space.id) == H5S_NULL { return [0] }
        let rank = H5Sget_simple_extent_ndims(space.id)
        guard rank >= 0 else { throw HDF5Library.failure("cannot read the shape", at: location) }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        if rank > 0 {
            try HDF5Library.check(
                H5Sget_simple_extent_dims(space.id, &dims, nil), "cannot read the shape", at: location)
        }
        return dims.map { Int($0) }
    }

    func checkShape(_ shape: [Int], count: Int, path: String) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw ChartCLIPError("shape \(shape) has a negative dimension", at: location(path))
        }
        guard let expected = ShapeProduct.count(shape), expected == count else {
            throw ChartCLIPError(
                "shape \(shape) holds \(ShapeProduct.saturatingCount(shape)) values but \(count) were given",
                at: location(path))
        }
    }

    /// Refuses shapes too large to hold in memory (a damaged file can claim any size).
    func checkAllocation(_ shape: [Int], bytesPerValue: Int, path: String) throws {
        guard let count = ShapeProduct.count(shape), count <= ShapeProduct.maximumBytes / max(bytesPerValue, 1) else {
            throw ChartCLIPError(
                "the dataset claims shape \(shape), too large to read (damaged file?)", at: location(path),
                hint: "write the file again")
        }
    }

    /// "No dataset" with the nearest existing names, so a typo or renamed key is obvious.
    func missingDataset(_ path: String) -> ChartCLIPError {
        let names = (try? datasets().map(\.path)) ?? []
        let stem = path.split(separator: ".").dropLast().joined(separator: ".")
        var similar = names.filter { !stem.isEmpty && $0.hasPrefix(stem) }
        if similar.isEmpty { similar = Array(names.prefix(5)) }
        let listed = similar.prefix(5).joined(separator: ", ")
        return ChartCLIPError(
            "no dataset \"\(path)\" in the file (it has \(names.count) datasets\(listed.isEmpty ? "" : ", e.g. \(listed)"))",
            at: url.path,
            hint: "list the keys with HDF5File.datasets(), `h5ls -r`, or h5py's `File.visit(print)`")
    }
}
