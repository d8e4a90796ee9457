import ChartCLIPSupport
import Foundation
import HDF5Shim

/// The one gate every libhdf5 call goes through.
///
/// libhdf5 is not thread-safe in every build (Homebrew's is not), and its error stack is
/// global state, so all calls run under one process-wide lock. Each call also silences
/// HDF5's own error printing (a per-thread setting) and turns a failure into a
/// `ChartCLIPError` that carries the file, the key and HDF5's error stack.
enum HDF5Library {
    private static let lock = NSRecursiveLock()

    /// Runs `body` with the library locked and silenced.
    static func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        chartclip_h5_silence()
        return try body()
    }

    /// HDF5's error stack as text ("description (function); …"), then cleared.
    static func takeErrors() -> String {
        var buffer = [CChar](repeating: 0, count: 2048)
        let count = chartclip_h5_take_errors(&buffer, buffer.count)
        guard count > 0 else { return "" }
        return string(buffer)
    }

    /// The UTF-8 text in a NUL-terminated C buffer.
    static func string(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// An error naming `what` failed at `location`, with HDF5's own reasons attached.
    static func failure(_ what: String, at location: String, hint: String? = nil) -> ChartCLIPError {
        let details = takeErrors()
        let message = details.isEmpty ? what : "\(what): \(details)"
        return ChartCLIPError(message, at: location, hint: hint)
    }

    /// Throws unless `status` is non-negative (herr_t and htri_t results).
    static func check(_ status: Int32, _ what: @autoclosure () -> String, at location: @autoclosure () -> String) throws {
        if status < 0 { throw failure(what(), at: location()) }
    }

    /// Returns `id` or throws if it is negative (hid_t results).
    static func check(_ id: hid_t, _ what: @autoclosure () -> String, at location: @autoclosure () -> String) throws -> HDF5Handle {
        if id < 0 { throw failure(what(), at: location()) }
        return HDF5Handle(id)
    }

    static var defaultList: hid_t { chartclip_h5p_default() }
}

/// An open HDF5 identifier (file, group, dataset, attribute, dataspace, datatype or
/// property list) that is closed exactly once, when the handle is released.
final class HDF5Handle {
    let id: hid_t
    private var isOpen = true

    init(_ id: hid_t) {
        self.id = id
    }

    /// Closes the identifier now and returns HDF5's status (closing a file flushes it).
    @discardableResult
    func close() -> Int32 {
        HDF5Library.locked {
            guard isOpen else { return 0 }
            isOpen = false
            // H5Iget_type tells which close function applies; closing the wrong kind fails.
            switch H5Iget_type(id) {
            case H5I_FILE: return H5Fclose(id)
            case H5I_GROUP: return H5Gclose(id)
            case H5I_DATASET: return H5Dclose(id)
            case H5I_ATTR: return H5Aclose(id)
            case H5I_DATASPACE: return H5Sclose(id)
            case H5I_DATATYPE: return H5Tclose(id)
            case H5I_GENPROP_LST: return H5Pclose(id)
            default: return -1
            }
        }
    }

    deinit {
        if isOpen {
            close()
            _ = HDF5Library.locked { HDF5Library.takeErrors() }
        }
    }
}
