import ChartCLIPSupport
import HDF5Shim

extension HDF5File {
    /// Every dataset in the file (or under the group `path`), recursively, sorted by path,
    /// with shapes and value types. Paths are relative to the root: `visual.proj`,
    /// `optimizer/adam_m/visual.proj`.
    public func datasets(under path: String = "/") throws -> [HDF5DatasetInfo] {
        let normalized = try normalize(path)
        return try HDF5Library.locked {
            var found: [HDF5DatasetInfo] = []
            try visit(normalized, depth: 0, into: &found)
            return found.sorted { $0.path < $1.path }
        }
    }

    /// The names directly inside a group (datasets and groups), sorted.
    public func children(of path: String = "/") throws -> [String] {
        let normalized = try normalize(path)
        return try HDF5Library.locked {
            let group = try openObject(normalized)
            return try linkNames(group, path: normalized).sorted()
        }
    }

    // Hard links can make cycles; nothing ChartCLIP or h5py writes nests this deep.
    private static let maximumDepth = 64

    private func visit(_ path: String, depth: Int, into found: inout [HDF5DatasetInfo]) throws {
        let object = try openObject(path)
        switch H5Iget_type(object.id) {
        case H5I_DATASET:
            found.append(try datasetInfo(object, path: path))
        case H5I_GROUP:
            guard depth < Self.maximumDepth else { return }
            for name in try linkNames(object, path: path) {
                let child = path == "/" ? name : "\(path)/\(name)"
                // Dangling soft links and external links that do not resolve are skipped.
                let probe = H5Oopen(handle.id, child, HDF5Library.defaultList)
                if probe < 0 {
                    _ = HDF5Library.takeErrors()
                    continue
                }
                HDF5Handle(probe).close()
                try visit(child, depth: depth + 1, into: &found)
            }
        default:
            return  // named datatypes
        }
    }

    private func linkNames(_ group: HDF5Handle, path: String) throws -> [String] {
        var info = H5G_info_t()
        try HDF5Library.check(H5Gget_info(group.id, &info), "cannot list the group", at: location(path))
        var names: [String] = []
        for index in 0..<info.nlinks {
            let length = H5Lget_name_by_idx(group.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, HDF5Library.defaultList)
            guard length >= 0 else { throw HDF5Library.failure("cannot list the group", at: location(path)) }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            H5Lget_name_by_idx(group.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, HDF5Library.defaultList)
            names.append(HDF5Library.string(buffer))
        }
        return names
    }
}
