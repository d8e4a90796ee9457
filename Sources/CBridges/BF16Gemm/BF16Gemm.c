// Mixed-precision GEMM on AVX512-BF16: operands rounded to bfloat16, products summed in float32.
//
// Why it exists: a 512-bit VDPBF16PS multiplies 32 bfloat16 pairs and adds them into 16 float32
// lanes, twice the multiply-adds of a 512-bit FMA in the same issue slot. On Zen 4 that is
// 232 against 117 GFLOP/s per core (register-only loops), so float32 training steps that sit at
// the FMA ceiling can only go faster this way. Debian's OpenBLAS 0.3.21 is built without its
// bfloat16 GEMM (`cblas_sbgemm`), hence this kernel.
//
// Layout, the usual GotoBLAS/BLIS blocking (Goto & van de Geijn, "Anatomy of high-performance
// matrix multiplication", 2008): op(B) is packed per KC×NC block into NR-column panels and op(A)
// per MC×KC block into MR-row panels; a 12×32 register tile (24 zmm accumulators) runs over
// the packed K. Packed elements are 32-bit words holding the bfloat16 pair (k even, k odd), low
// half first: the order VDPBF16PS multiplies them in. An odd K ends with a zero partner.
// A as stored already has each pair side by side, so its panels keep the rows whole (one
// rounding pass, no transpose) and the kernel reads them a row stride apart: on the thin
// products of small models (K = 64) the transposing pack took a sixth of the product's time.
//
// Shape letters: op(A) [M, K], op(B) [K, N], C [M, N], all row-major.

#include "BF16Gemm.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/// Rounds like VCVTNE2PS2BF16: to nearest even, NaN stays a quiet NaN, and float32 denormals
/// (which the instruction reads as zero) become signed zeros.
static inline uint16_t bf16_bits(float x) {
    uint32_t u;
    memcpy(&u, &x, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40);
    if ((u & 0x7f800000u) == 0) return (uint16_t)((u >> 16) & 0x8000);
    u += 0x7fffu + ((u >> 16) & 1);
    return (uint16_t)(u >> 16);
}

void chartclip_round_bf16(const float *x, float *y, long count) {
    for (long i = 0; i < count; i++) {
        uint32_t u = (uint32_t)bf16_bits(x[i]) << 16;
        memcpy(&y[i], &u, 4);
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

#define BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

enum {
    MR = 12,    // rows of the register tile
    NR = 32,    // columns of the register tile (two zmm)
    KC = 256,   // K per packed block (even): a 32-column B panel is 16 KB, half of L1
    MC = 144,   // rows of op(A) per packed block (a multiple of MR): 72 KB, in L2
    NC = 1024,  // columns of op(B) per packed block (a multiple of NR): 512 KB, in L2
};

int chartclip_bf16_supported(void) { return chartclip_cpu_isa_level() >= CHARTCLIP_ISA_AVX512_BF16; }

static inline __mmask16 first_lanes(long count) {
    if (count <= 0) return 0;
    if (count >= 16) return 0xFFFF;
    return (__mmask16)((1u << count) - 1);
}

/// Transposes a 16×16 block of 32-bit words held in v[0..15] (row r in v[r]): afterwards v[c]
/// holds column c. Unpacks within 128-bit lanes, then a 4×4 transpose of the lanes.
BF16_TARGET static inline void transpose16(__m512i v[16]) {
    __m512i t[16], u[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_epi32(v[2 * i], v[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_epi32(v[2 * i], v[2 * i + 1]);
    }
    // u[4i + j], lane L: rows 4i..4i+3 of column 4L + j.
    for (int i = 0; i < 4; i++) {
        u[4 * i + 0] = _mm512_unpacklo_epi64(t[4 * i], t[4 * i + 2]);
        u[4 * i + 1] = _mm512_unpackhi_epi64(t[4 * i], t[4 * i + 2]);
        u[4 * i + 2] = _mm512_unpacklo_epi64(t[4 * i + 1], t[4 * i + 3]);
        u[4 * i + 3] = _mm512_unpackhi_epi64(t[4 * i + 1], t[4 * i + 3]);
    }
    for (int j = 0; j < 4; j++) {
        __m512i p0 = _mm512_shuffle_i32x4(u[j], u[4 + j], 0x44), p1 = _mm512_shuffle_i32x4(u[j], u[4 + j], 0xEE);
        __m512i p2 = _mm512_shuffle_i32x4(u[8 + j], u[12 + j], 0x44), p3 = _mm512_shuffle_i32x4(u[8 + j], u[12 + j], 0xEE);
        v[j] = _mm512_shuffle_i32x4(p0, p2, 0x88);
        v[4 + j] = _mm512_shuffle_i32x4(p0, p2, 0xDD);
        v[8 + j] = _mm512_shuffle_i32x4(p1, p3, 0x88);
        v[12 + j] = _mm512_shuffle_i32x4(p1, p3, 0xDD);
    }
}

/// Packs `count` (≤ width) source rows whose K runs along the row, `kc` elements from `src`
/// (row r at src + r·ld), into dst[kp · width + r]: columns of op(B) with B transposed (a
/// linear layer's weight). Sixteen rows at a time: 32 elements of each are rounded into 16
/// pair words, and a 16×16 word transpose turns them into 16 packed rows. Missing rows are zero.
BF16_TARGET static void pack_along(
    const float *src, long ld, long count, long kc, uint32_t *dst, long width) {
    for (long r0 = 0; r0 < width; r0 += 16) {
        __mmask16 lanes = first_lanes(width - r0);
        for (long e0 = 0; e0 < kc; e0 += 32) {
            long left = kc - e0;
            __mmask16 lo_mask = first_lanes(left), hi_mask = first_lanes(left - 16);
            __m512i v[16];
            for (int r = 0; r < 16; r++) {
                if (r0 + r < count) {
                    const float *row = src + (r0 + r) * ld + e0;
                    __m512 lo = _mm512_maskz_loadu_ps(lo_mask, row);
                    __m512 hi = _mm512_maskz_loadu_ps(hi_mask, row + 16);
                    v[r] = (__m512i)_mm512_cvtne2ps_pbh(hi, lo);
                } else {
                    v[r] = _mm512_setzero_si512();
                }
            }
            transpose16(v);
            long n = left >= 32 ? 16 : (left + 1) / 2;
            uint32_t *out = dst + (e0 / 2) * width + r0;
            for (long l = 0; l < n; l++) _mm512_mask_storeu_epi32(out + l * width, lanes, v[l]);
        }
    }
}

/// Packs `count` (≤ width ≤ 32) columns from `kc` source rows whose K runs down the rows
/// (row k at src + k·ld): rows of op(A) with A transposed, or columns of op(B) as stored.
/// Each output word pairs rows 2kp and 2kp + 1 of one column.
BF16_TARGET static void pack_across(
    const float *src, long ld, long count, long kc, uint32_t *dst, long width) {
    // Interleaves [lo0..lo15, hi0..hi15] into [lo0, hi0, lo1, hi1, …].
    static const uint16_t order[32] = {0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23,
                                       8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31};
    const __m512i interleave = _mm512_loadu_si512(order);
    long pairs = (kc + 1) / 2;
    for (long kp = 0; kp < pairs; kp++) {
        const float *r0 = src + 2 * kp * ld;
        const float *r1 = r0 + ld;
        int hasOdd = 2 * kp + 1 < kc;
        uint32_t *out = dst + kp * width;
        for (long c0 = 0; c0 < width; c0 += 16) {
            __mmask16 valid = first_lanes(count - c0);
            __m512 lo = _mm512_maskz_loadu_ps(valid, r0 + c0);
            __m512 hi = hasOdd ? _mm512_maskz_loadu_ps(valid, r1 + c0) : _mm512_setzero_ps();
            __m512i v = _mm512_permutexvar_epi16(interleave, (__m512i)_mm512_cvtne2ps_pbh(hi, lo));
            _mm512_mask_storeu_epi32(out + c0, first_lanes(width - c0), v);
        }
    }
}

/// Packs `count` (≤ MR) rows of op(A) as stored (K along the row), `kc` elements each, row
/// after row: dst[r · stride + kp] holds the pair (2kp, 2kp + 1) of row r. No transpose: the
/// pairs are adjacent in memory already, so packing is one rounding pass. The kernel reads the
/// rows at `stride` words apart. Rows past `count` are zero.
BF16_TARGET static void pack_rows(
    const float *src, long ld, long count, long kc, uint32_t *dst, long stride) {
    long pairs = (kc + 1) / 2;
    for (long r = 0; r < MR; r++) {
        uint32_t *out = dst + r * stride;
        if (r >= count) {
            memset(out, 0, (size_t)pairs * sizeof(uint32_t));
            continue;
        }
        const float *row = src + r * ld;
        for (long e0 = 0; e0 < kc; e0 += 32) {
            long left = kc - e0;
            __m512 lo = _mm512_maskz_loadu_ps(first_lanes(left), row + e0);
            __m512 hi = _mm512_maskz_loadu_ps(first_lanes(left - 16), row + e0 + 16);
            __m512i v = (__m512i)_mm512_cvtne2ps_pbh(hi, lo);
            _mm512_mask_storeu_epi32(out + e0 / 2, first_lanes((left + 1) / 2), v);
        }
    }
}

/// What a register tile adds to C when it is stored: C = alpha · tile + beta · C + bias,
/// where beta 0 leaves C unread and `bias` (one value per column, or NULL) is added once.
typedef struct {
    float alpha, beta;
    const float *bias;
} epilogue;

/// C[0..<cols] of one row = the epilogue applied to the tile row (t0, t1).
BF16_TARGET static inline void store_row(float *c, __m512 t0, __m512 t1, long cols, epilogue e) {
    __mmask16 m0 = first_lanes(cols), m1 = first_lanes(cols - 16);
    __m512 v0 = t0, v1 = t1;
    if (e.alpha != 1) {
        __m512 va = _mm512_set1_ps(e.alpha);
        v0 = _mm512_mul_ps(va, v0);
        v1 = _mm512_mul_ps(va, v1);
    }
    if (e.beta != 0) {
        __m512 vb = _mm512_set1_ps(e.beta);
        v0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, c), v0);
        v1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, c + 16), v1);
    }
    if (e.bias) {
        v0 = _mm512_add_ps(v0, _mm512_maskz_loadu_ps(m0, e.bias));
        v1 = _mm512_add_ps(v1, _mm512_maskz_loadu_ps(m1, e.bias + 16));
    }
    _mm512_mask_storeu_ps(c, m0, v0);
    _mm512_mask_storeu_ps(c + 16, m1, v1);
}

/// The 12×32 register tile over `pairs` packed K pairs. Row r's pair p is read at
/// ap[r · row_step + p · pair_step]: (1, MR) for panels packed across, (stride, 1) for
/// panels of rows (`pack_rows`). B panels hold NR words per pair.
#define KERNEL_12x32(NAME, ROW_STEP, PAIR_STEP)                                                  \
    BF16_TARGET static void NAME(                                                                \
        long pairs, const uint32_t *ap, long stride, const uint32_t *bp, float *c, long ldc,     \
        long rows, long cols, epilogue e) {                                                      \
        (void)stride;                                                                            \
        ACC(0) ACC(1) ACC(2) ACC(3) ACC(4) ACC(5) ACC(6) ACC(7) ACC(8) ACC(9) ACC(10) ACC(11)    \
        for (long p = 0; p < pairs; p++) {                                                       \
            __m512bh b0 = (__m512bh)_mm512_loadu_si512(bp);                                      \
            __m512bh b1 = (__m512bh)_mm512_loadu_si512(bp + 16);                                 \
            const uint32_t *a = ap + p * (PAIR_STEP);                                            \
            ROW(0, ROW_STEP) ROW(1, ROW_STEP) ROW(2, ROW_STEP) ROW(3, ROW_STEP) ROW(4, ROW_STEP) \
            ROW(5, ROW_STEP) ROW(6, ROW_STEP) ROW(7, ROW_STEP) ROW(8, ROW_STEP) ROW(9, ROW_STEP) \
            ROW(10, ROW_STEP) ROW(11, ROW_STEP)                                                  \
            bp += NR;                                                                            \
        }                                                                                        \
        STORE(0) STORE(1) STORE(2) STORE(3) STORE(4) STORE(5) STORE(6) STORE(7) STORE(8)         \
        STORE(9) STORE(10) STORE(11)                                                             \
    }
#define ACC(r) __m512 c##r##a = _mm512_setzero_ps(), c##r##b = _mm512_setzero_ps();
#define ROW(r, step)                                                    \
    {                                                                   \
        __m512bh av = (__m512bh)_mm512_set1_epi32((int)a[(r) * (step)]); \
        c##r##a = _mm512_dpbf16_ps(c##r##a, av, b0);                    \
        c##r##b = _mm512_dpbf16_ps(c##r##b, av, b1);                    \
    }
#define STORE(r) \
    if (r < rows) store_row(c + r * ldc, c##r##a, c##r##b, cols, e);
KERNEL_12x32(kernel_across, 1, MR)
KERNEL_12x32(kernel_rows, stride, 1)
#undef ACC
#undef ROW
#undef STORE
#undef KERNEL_12x32

/// Per-thread packing buffers (72 KB and 512 KB), made at a thread's first product and kept
/// for the thread's life: a training step makes thousands of calls, on long-lived threads.
static _Thread_local uint32_t *packed_a = NULL;
static _Thread_local uint32_t *packed_b = NULL;

static int ensure_buffers(void) {
    // KC / 2 pairs per row is already a multiple of 16 words: row panels need no more room.
    if (!packed_a) packed_a = aligned_alloc(64, (size_t)(KC / 2) * MC * sizeof(uint32_t));
    if (!packed_b) packed_b = aligned_alloc(64, (size_t)(KC / 2) * NC * sizeof(uint32_t));
    return packed_a && packed_b;
}

/// Pairs of K in all its KC blocks (each block rounds its own K up to even).
static long total_pairs(long k) { return (k / KC) * (KC / 2) + ((k % KC) + 1) / 2; }

/// Where block (jc, pc) of a whole packed op(B) starts: blocks of NC columns one after the
/// other, each holding its KC blocks in order, each of those its NR-column panels.
static long packed_offset(long k, long n, long jc, long pc) {
    long nc = n - jc < NC ? n - jc : NC;
    long panels = (nc + NR - 1) / NR;
    return jc * total_pairs(k) + (pc / 2) * panels * NR;
}

/// Packs the KC×NC block (pc, jc) of op(B) into its panels at `dst`.
BF16_TARGET static void pack_b_block(
    int tb, const float *b, long ldb, long jc, long nc, long pc, long kc, uint32_t *dst) {
    long pairs = (kc + 1) / 2;
    for (long j = 0; j < nc; j += NR) {
        long cols = nc - j < NR ? nc - j : NR;
        uint32_t *panel = dst + (j / NR) * pairs * NR;
        if (tb)
            pack_along(b + (jc + j) * ldb + pc, ldb, cols, kc, panel, NR);
        else
            pack_across(b + pc * ldb + jc + j, ldb, cols, kc, panel, NR);
    }
}

/// The blocked product. op(B) comes packed whole (`prepacked`), or is packed block by block
/// into this thread's buffer. `bias` (per column, or NULL) is added with the first K block.
BF16_TARGET static void gemm(
    int ta, int tb, long m, long n, long k, float alpha, const float *a, long lda,
    const float *b, long ldb, const uint32_t *prepacked, float beta, const float *bias, float *c, long ldc) {
    for (long jc = 0; jc < n; jc += NC) {
        long nc = n - jc < NC ? n - jc : NC;
        for (long pc = 0; pc < k; pc += KC) {
            long kc = k - pc < KC ? k - pc : KC;
            long pairs = (kc + 1) / 2;
            // Panels of rows keep each row's pairs 64-byte aligned.
            long stride = (pairs + 15) / 16 * 16;
            long panelWords = ta ? pairs * MR : stride * MR;
            const uint32_t *bBlock = prepacked ? prepacked + packed_offset(k, n, jc, pc) : packed_b;
            if (!prepacked) pack_b_block(tb, b, ldb, jc, nc, pc, kc, packed_b);
            epilogue e = {alpha, pc == 0 ? beta : 1, pc == 0 && bias ? bias + jc : NULL};
            for (long ic = 0; ic < m; ic += MC) {
                long mc = m - ic < MC ? m - ic : MC;
                for (long i = 0; i < mc; i += MR) {
                    long rows = mc - i < MR ? mc - i : MR;
                    uint32_t *panel = packed_a + (i / MR) * panelWords;
                    if (ta)
                        pack_across(a + pc * lda + ic + i, lda, rows, kc, panel, MR);
                    else
                        pack_rows(a + (ic + i) * lda + pc, lda, rows, kc, panel, stride);
                }
                for (long j = 0; j < nc; j += NR) {
                    long cols = nc - j < NR ? nc - j : NR;
                    const uint32_t *bPanel = bBlock + (j / NR) * pairs * NR;
                    epilogue ej = e;
                    if (ej.bias) ej.bias += j;
                    for (long i = 0; i < mc; i += MR) {
                        long rows = mc - i < MR ? mc - i : MR;
                        const uint32_t *aPanel = packed_a + (i / MR) * panelWords;
                        float *cTile = c + (ic + i) * ldc + jc + j;
                        if (ta)
                            kernel_across(pairs, aPanel, MR, bPanel, cTile, ldc, rows, cols, ej);
                        else
                            kernel_rows(pairs, aPanel, stride, bPanel, cTile, ldc, rows, cols, ej);
                    }
                }
            }
        }
    }
}

/// C = beta · C (+ bias), for products with nothing to add.
static void scale_c(long m, long n, float beta, const float *bias, float *c, long ldc) {
    for (long i = 0; i < m; i++)
        for (long j = 0; j < n; j++)
            c[i * ldc + j] = (beta == 0 ? 0 : beta * c[i * ldc + j]) + (bias ? bias[j] : 0);
}

long chartclip_bf16_packed_b_words(long k, long n) {
    if (k <= 0 || n <= 0) return 0;
    return total_pairs(k) * ((n + NR - 1) / NR) * NR;
}

int chartclip_bf16_pack_b(int transpose_b, long k, long n, const float *b, long ldb, unsigned int *packed) {
    if (!chartclip_bf16_supported()) return -1;
    for (long jc = 0; jc < n; jc += NC) {
        long nc = n - jc < NC ? n - jc : NC;
        for (long pc = 0; pc < k; pc += KC) {
            long kc = k - pc < KC ? k - pc : KC;
            pack_b_block(transpose_b, b, ldb, jc, nc, pc, kc, packed + packed_offset(k, n, jc, pc));
        }
    }
    return 0;
}

/// The checks both entry points share, then the product (op(B) from `b` or `prepacked`).
static int checked_gemm(
    int ta, int tb, long m, long n, long k, float alpha, const float *a, long lda,
    const float *b, long ldb, const uint32_t *prepacked, float beta, const float *bias, float *c, long ldc) {
    if (!chartclip_bf16_supported()) return -1;
    if (m <= 0 || n <= 0) return 0;
    if (k <= 0 || alpha == 0) {
        scale_c(m, n, beta, bias, c, ldc);
        return 0;
    }
    if (!ensure_buffers()) return -1;
    gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, prepacked, beta, bias, c, ldc);
    return 0;
}

int chartclip_sgemm_bf16_packed_b(
    int transpose_a, long m, long n, long k, float alpha, const float *a, long lda,
    const unsigned int *packed_b_whole, float beta, const float *bias, float *c, long ldc) {
    return checked_gemm(transpose_a, 0, m, n, k, alpha, a, lda, NULL, 0, packed_b_whole, beta, bias, c, ldc);
}

int chartclip_sgemm_bf16(
    int transpose_a, int transpose_b, long m, long n, long k, float alpha,
    const float *a, long lda, const float *b, long ldb, float beta, float *c, long ldc) {
    return checked_gemm(transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, NULL, beta, NULL, c, ldc);
}

#else  // not x86-64: no bfloat16 products; callers keep to float32.

long chartclip_bf16_packed_b_words(long k, long n) { (void)k; (void)n; return 0; }

int chartclip_bf16_pack_b(int transpose_b, long k, long n, const float *b, long ldb, unsigned int *packed) {
    (void)transpose_b; (void)k; (void)n; (void)b; (void)ldb; (void)packed;
    return -1;
}

int chartclip_sgemm_bf16_packed_b(
    int transpose_a, long m, long n, long k, float alpha, const float *a, long lda,
    const unsigned int *packed_b_whole, float beta, const float *bias, float *c, long ldc) {
    (void)transpose_a; (void)m; (void)n; (void)k; (void)alpha; (void)a; (void)lda;
    (void)packed_b_whole; (void)beta; (void)bias; (void)c; (void)ldc;
    return -1;
}

int chartclip_bf16_supported(void) { return 0; }

int chartclip_sgemm_bf16(
    int transpose_a, int transpose_b, long m, long n, long k, float alpha,
    const float *a, long lda, const float *b, long ldb, float beta, float *c, long ldc) {
    (void)transpose_a; (void)transpose_b; (void)m; (void)n; (void)k; (void)alpha;
    (void)a; (void)lda; (void)b; (void)ldb; (void)beta; (void)c; (void)ldc;
    return -1;
}

#endif
