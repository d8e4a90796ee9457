/// Elementwise loops over raw buffers in 16-lane SIMD blocks, split across compute threads
/// when long enough to pay for the hand-off.
public enum Vector {
    /// Elements per thread below which a loop stays on one thread.
    public static let grain = 1 << 15

    /// Splits `0..<count` into at most one contiguous range per compute thread (boundaries
    /// on 16-element blocks) and runs `body` on each, in parallel for long loops.
    ///
    /// Write the SIMD loop *inside* `body` with `forEachBlock`: a closure literal passed
    /// straight to an inlined function is inlined, but one captured by another closure is
    /// called out of line for every block, which halves the speed of simple kernels.
    @inline(__always)
    public static func parallelRanges(_ count: Int, grain: Int = Vector.grain, _ body: (Range<Int>) -> Void) {
        let blockCount = (count + 15) / 16
        ComputeThreads.parallelFor(blockCount, grain: max(1, grain / 16)) { blocks in
            body((blocks.lowerBound * 16)..<min(blocks.upperBound * 16, count))
        }
    }

    /// Calls `body(start, lanes)` for each 16-element block of `range` (`lanes` is 16 except
    /// for a final partial block).
    @inline(__always)
    public static func forEachBlock(_ range: Range<Int>, _ body: (Int, Int) -> Void) {
        // One call site, so the compiler inlines `body` (with two it keeps a large closure
        // out of line and calls it for every block).
        var i = range.lowerBound
        while i < range.upperBound {
            body(i, min(16, range.upperBound - i))
            i += 16
        }
    }

    /// Runs `kernel` over every 16-element block of `0..<count`, split across threads.
    ///
    /// Hot loops use this rather than closures: `BlockKernel.apply` is forced inline, so
    /// each thread's loop is one tight SIMD loop. (A closure literal may stay out of line,
    /// called once per block, when its body is large, e.g. with a vectorised `exp`.)
    @inline(__always)
    public static func run<K: BlockKernel>(_ count: Int, grain: Int = Vector.grain, _ kernel: K) {
        parallelRanges(count, grain: grain) { r in
            var i = r.lowerBound
            while i + 16 <= r.upperBound {
                kernel.apply(i, 16)
                i += 16
            }
            if i < r.upperBound { kernel.apply(i, r.upperBound - i) }
        }
    }

    /// `out = a + b` elementwise.
    public static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int) {
        run(count, AddKernel(a: a, b: b, out: out))
    }

    /// `out = a · s` elementwise (or `out += a · s` when `accumulate`).
    public static func scale(_ a: UnsafePointer<Float>, by s: Float, into out: UnsafeMutablePointer<Float>, count: Int, accumulate: Bool = false) {
        run(count, ScaleKernel(a: a, out: out, s: s, accumulate: accumulate))
    }

    /// `out = a` (or `out += a` when `accumulate`).
    public static func copy(_ a: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int, accumulate: Bool) {
        if accumulate {
            run(count, AddKernel(a: a, b: UnsafePointer(out), out: out))
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
                        total += Double(acc.laneSum)
                        acc = Float16x()
                        sinceFlush = 0
                    }
                }
                total += Double(acc.laneSum)
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
                    total += Double(acc.laneSum)
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

/// A loop body over one block of up to 16 elements, for `Vector.run`. Implementations mark
/// `apply` `@inline(__always)`.
public protocol BlockKernel {
    /// Processes elements `i ..< i + lanes` (`lanes` ≤ 16).
    func apply(_ i: Int, _ lanes: Int)
}

/// `out = a · s (+ out)`.
struct ScaleKernel: BlockKernel {
    let a: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, s: Float, accumulate: Bool
    @inline(__always) func apply(_ i: Int, _ n: Int) {
        var v = Vector.load(a + i, n) * s
        if accumulate { v += Vector.load(out + i, n) }
        v.store(out + i, n)
    }
}

/// `out = a + b`.
struct AddKernel: BlockKernel {
    let a: UnsafePointer<Float>, b: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
    @inline(__always) func apply(_ i: Int, _ n: Int) {
        (Vector.load(a + i, n) + Vector.load(b + i, n)).store(out + i, n)
    }
}
