/// Elementwise loops over raw buffers in 16-lane SIMD blocks, split across compute threads
/// when long enough to pay for the hand-off.
public enum Vector {
    /// Elements per thread below which a loop stays on one thread.
    public static let grain = 1 << 15

    /// Calls `body(start, lanes)` for every 16-element block of `0..<count` (`lanes` is 16
    /// except for the final partial block), in parallel for long loops.
    @inline(__always)
    public static func blocks(_ count: Int, grain: Int = Vector.grain, _ body: (Int, Int) -> Void) {
        let blockCount = (count + 15) / 16
        ComputeThreads.parallelFor(blockCount, grain: max(1, grain / 16)) { range in
            for block in range {
                let i = block * 16
                body(i, min(16, count - i))
            }
        }
    }

    /// `out = a + b` elementwise.
    public static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int) {
        blocks(count) { i, n in (load(a + i, n) + load(b + i, n)).store(out + i, n) }
    }

    /// `out = a · s` elementwise (or `out += a · s` when `accumulate`).
    public static func scale(_ a: UnsafePointer<Float>, by s: Float, into out: UnsafeMutablePointer<Float>, count: Int, accumulate: Bool = false) {
        if accumulate {
            blocks(count) { i, n in (load(out + i, n) + load(a + i, n) * s).store(out + i, n) }
        } else {
            blocks(count) { i, n in (load(a + i, n) * s).store(out + i, n) }
        }
    }

    /// `out = a` (or `out += a` when `accumulate`).
    public static func copy(_ a: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int, accumulate: Bool) {
        if accumulate {
            blocks(count) { i, n in (load(out + i, n) + load(a + i, n)).store(out + i, n) }
        } else {
            out.update(from: a, count: count)
        }
    }

    /// Sum of all elements, accumulated in 16 lanes of `Float` per thread chunk and combined
    /// in `Double`; the chunking depends only on `count`, so the result is deterministic.
    public static func sum(_ a: UnsafePointer<Float>, count: Int) -> Double {
        let chunks = max(1, min(ComputeThreads.count, count / grain))
        var partial = [Double](repeating: 0, count: chunks)
        partial.withUnsafeMutableBufferPointer { parts in
            ComputeThreads.run(chunks: chunks) { c in
                let r = ComputeThreads.splitRange(count, chunks: chunks, index: c)
                var acc = Float16x()
                var total = 0.0
                var i = r.lowerBound
                var sinceFlush = 0
                while i + 16 <= r.upperBound {
                    acc += Float16x.load(a + i)
                    i += 16
                    sinceFlush += 1
                    if sinceFlush == 256 {  // keep Float partial sums short for accuracy
                        total += Double(acc.sum())
                        acc = Float16x()
                        sinceFlush = 0
                    }
                }
                total += Double(acc.sum())
                while i < r.upperBound {
                    total += Double(a[i])
                    i += 1
                }
                parts[c] = total
            }
        }
        return partial.reduce(0, +)
    }

    /// Loads `lanes` floats (16 = a full block).
    @inline(__always)
    public static func load(_ p: UnsafePointer<Float>, _ lanes: Int) -> Float16x {
        lanes == 16 ? Float16x.load(p) : Float16x.load(p, count: lanes)
    }

    /// Loads `lanes` floats (16 = a full block).
    @inline(__always)
    public static func load(_ p: UnsafeMutablePointer<Float>, _ lanes: Int) -> Float16x {
        load(UnsafePointer(p), lanes)
    }
}

extension SIMD16 where Scalar == Float {
    /// Stores `lanes` floats (16 = a full block).
    @inline(__always)
    public func store(_ p: UnsafeMutablePointer<Float>, _ lanes: Int) {
        if lanes == 16 { store(p) } else { store(p, count: lanes) }
    }
}

extension Vector {
    /// Σ a², accumulated like `sum` (deterministic for a given thread count).
    public static func sumOfSquares(_ a: UnsafePointer<Float>, count: Int) -> Double {
        let chunks = max(1, min(ComputeThreads.count, count / grain))
        var partial = [Double](repeating: 0, count: chunks)
        partial.withUnsafeMutableBufferPointer { parts in
            ComputeThreads.run(chunks: chunks) { c in
                let r = ComputeThreads.splitRange(count, chunks: chunks, index: c)
                var total = 0.0
                var i = r.lowerBound
                while i < r.upperBound {
                    let end = min(i + 4096, r.upperBound)
                    var acc = Float16x()
                    while i + 16 <= end {
                        let v = Float16x.load(a + i)
                        acc = acc.addingProduct(v, v)
                        i += 16
                    }
                    total += Double(acc.sum())
                    while i < end {
                        total += Double(a[i] * a[i])
                        i += 1
                    }
                }
                parts[c] = total
            }
        }
        return partial.reduce(0, +)
    }
}
