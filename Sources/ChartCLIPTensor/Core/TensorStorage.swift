import Foundation

/// A contiguous, 64-byte aligned buffer of `Float`s owned by one or more tensors.
///
/// Buffers come from `BufferPool`, which keeps freed buffers by size: a training step
/// allocates the same shapes every time, and reusing them avoids the page faults and
/// zeroing that fresh `mmap`-backed allocations cost on every step.
public final class TensorStorage: @unchecked Sendable {
    /// First element.
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of elements.
    public let count: Int

    /// An uninitialised buffer of `count` elements.
    public init(count: Int) {
        self.count = count
        self.pointer = BufferPool.shared.acquire(count: count)
    }

    /// A buffer of `count` zeros.
    public convenience init(zeros count: Int) {
        self.init(count: count)
        pointer.update(repeating: 0, count: count)
    }

    /// A buffer holding a copy of `values`.
    public convenience init(copying values: UnsafeBufferPointer<Float>) {
        self.init(count: values.count)
        if let base = values.baseAddress { pointer.update(from: base, count: values.count) }
    }

    deinit { BufferPool.shared.release(pointer, count: count) }

    /// A new buffer with the same contents.
    public func copy() -> TensorStorage {
        let result = TensorStorage(count: count)
        result.pointer.update(from: pointer, count: count)
        return result
    }

    /// The elements as a Swift array (copies).
    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}

/// A process-wide cache of freed tensor buffers, keyed by element count.
///
/// Bounded by `capacityBytes`; beyond that, freed buffers go straight back to the system.
public final class BufferPool: @unchecked Sendable {
    /// The pool every `TensorStorage` uses.
    public static let shared = BufferPool()

    private var free: [Int: [UnsafeMutableRawPointer]] = [:]
    private var pooled = 0
    private let lock = NSLock()
    /// Upper bound of the bytes kept for reuse (default 4 GiB).
    public let capacityBytes: Int = 4 << 30

    func acquire(count: Int) -> UnsafeMutablePointer<Float> {
        lock.lock()
        var reused: UnsafeMutableRawPointer?
        if var list = free[count], let p = list.popLast() {
            free[count] = list.isEmpty ? nil : list
            pooled -= count * 4
            reused = p
        }
        lock.unlock()
        let raw = reused ?? UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        return raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    func release(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        let raw = UnsafeMutableRawPointer(pointer)
        lock.lock()
        let kept = pooled + count * 4 <= capacityBytes
        if kept {
            free[count, default: []].append(raw)
            pooled += count * 4
        }
        lock.unlock()
        if !kept { raw.deallocate() }
    }

    /// Returns every cached buffer to the system.
    public func trim() {
        lock.lock()
        let all = free.values.flatMap { $0 }
        free = [:]
        pooled = 0
        lock.unlock()
        for p in all { p.deallocate() }
    }

    /// Bytes currently cached for reuse.
    public var pooledBytes: Int {
        lock.lock()
        defer { lock.unlock() }
        return pooled
    }
}
