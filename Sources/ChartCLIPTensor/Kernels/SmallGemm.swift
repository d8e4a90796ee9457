/// Register-blocked products for the small matrices inside attention heads
/// (65×65×32 for clip-tiny's image tower): `C = alpha · A · B`, single-threaded.
///
/// A call to `cblas_sgemm` packs both operands before it computes; on a 65×65×32 product
/// the packing and the call cost as much as the arithmetic, and OpenBLAS's kernels run at
/// 60–100 GFLOP/s per core where the FMA units allow 110. These kernels read `A` through
/// two strides (so `Aᵀ` costs nothing), broadcast four of its rows at a time and keep a 4×32
/// tile of `C` in eight 16-lane accumulators; `B` and `C` rows are read and written in place.
enum SmallGemm {
    /// `C[i, j] = alpha · Σ_p A[i·rowStride + p·columnStride] · B[p·ldb + j]` for
    /// `i < m`, `j < n`, `p < k`. `C` is overwritten. Columns are 16-lane blocks; a final
    /// block narrower than 16 is loaded and stored lane by lane (correct, and slow only for
    /// head widths that are not multiples of 16).
    @inline(__always)
    static func run(
        m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, rowStride: Int, columnStride: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        var i = 0
        while i + 4 <= m {
            let ai = a + i * rowStride, ci = c + i * ldc
            var j = 0
            while j + 32 <= n {
                tile4x32(k, alpha, ai, rowStride, columnStride, b + j, ldb, ci + j, ldc)
                j += 32
            }
            while j < n {
                tile4x16(k, alpha, ai, rowStride, columnStride, b + j, ldb, ci + j, ldc, lanes: min(16, n - j))
                j += 16
            }
            i += 4
        }
        while i < m {
            let ai = a + i * rowStride, ci = c + i * ldc
            var j = 0
            while j < n {
                tile1x16(k, alpha, ai, columnStride, b + j, ldb, ci + j, lanes: min(16, n - j))
                j += 16
            }
            i += 1
        }
    }

    @inline(__always)
    static func tile4x32(
        _ k: Int, _ alpha: Float, _ a: UnsafePointer<Float>, _ rs: Int, _ cs: Int,
        _ b: UnsafePointer<Float>, _ ldb: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        var c00 = Float16x(), c01 = Float16x(), c10 = Float16x(), c11 = Float16x()
        var c20 = Float16x(), c21 = Float16x(), c30 = Float16x(), c31 = Float16x()
        var pa = a, pb = b
        for _ in 0..<k {
            let b0 = Float16x.load(pb), b1 = Float16x.load(pb + 16)
            let a0 = Float16x(repeating: pa[0]), a1 = Float16x(repeating: pa[rs])
            let a2 = Float16x(repeating: pa[2 * rs]), a3 = Float16x(repeating: pa[3 * rs])
            c00 = c00.addingProduct(a0, b0); c01 = c01.addingProduct(a0, b1)
            c10 = c10.addingProduct(a1, b0); c11 = c11.addingProduct(a1, b1)
            c20 = c20.addingProduct(a2, b0); c21 = c21.addingProduct(a2, b1)
            c30 = c30.addingProduct(a3, b0); c31 = c31.addingProduct(a3, b1)
            pa += cs
            pb += ldb
        }
        (c00 * alpha).store(c); (c01 * alpha).store(c + 16)
        (c10 * alpha).store(c + ldc); (c11 * alpha).store(c + ldc + 16)
        (c20 * alpha).store(c + 2 * ldc); (c21 * alpha).store(c + 2 * ldc + 16)
        (c30 * alpha).store(c + 3 * ldc); (c31 * alpha).store(c + 3 * ldc + 16)
    }

    @inline(__always)
    static func tile4x16(
        _ k: Int, _ alpha: Float, _ a: UnsafePointer<Float>, _ rs: Int, _ cs: Int,
        _ b: UnsafePointer<Float>, _ ldb: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int, lanes: Int
    ) {
        var c0 = Float16x(), c1 = Float16x(), c2 = Float16x(), c3 = Float16x()
        var pa = a, pb = b
        for _ in 0..<k {
            let b0 = Vector.load(pb, lanes)
            c0 = c0.addingProduct(Float16x(repeating: pa[0]), b0)
            c1 = c1.addingProduct(Float16x(repeating: pa[rs]), b0)
            c2 = c2.addingProduct(Float16x(repeating: pa[2 * rs]), b0)
            c3 = c3.addingProduct(Float16x(repeating: pa[3 * rs]), b0)
            pa += cs
            pb += ldb
        }
        (c0 * alpha).store(c, lanes); (c1 * alpha).store(c + ldc, lanes)
        (c2 * alpha).store(c + 2 * ldc, lanes); (c3 * alpha).store(c + 3 * ldc, lanes)
    }

    @inline(__always)
    static func tile1x16(
        _ k: Int, _ alpha: Float, _ a: UnsafePointer<Float>, _ cs: Int,
        _ b: UnsafePointer<Float>, _ ldb: Int, _ c: UnsafeMutablePointer<Float>, lanes: Int
    ) {
        // Two accumulators over alternate p hide the FMA latency of a single row.
        var c0 = Float16x(), c1 = Float16x()
        var p = 0
        while p + 2 <= k {
            c0 = c0.addingProduct(Float16x(repeating: a[p * cs]), Vector.load(b + p * ldb, lanes))
            c1 = c1.addingProduct(Float16x(repeating: a[(p + 1) * cs]), Vector.load(b + (p + 1) * ldb, lanes))
            p += 2
        }
        if p < k { c0 = c0.addingProduct(Float16x(repeating: a[p * cs]), Vector.load(b + p * ldb, lanes)) }
        ((c0 + c1) * alpha).store(c, lanes)
    }
}
