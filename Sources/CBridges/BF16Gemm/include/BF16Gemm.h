#ifndef CHARTCLIP_BF16GEMM_H
#define CHARTCLIP_BF16GEMM_H

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction-set levels, lowest first: what `chartclip_cpu_isa_level` answers.
enum {
    CHARTCLIP_ISA_BASELINE = 0,     // no AVX2 + FMA (or not x86-64)
    CHARTCLIP_ISA_AVX2 = 1,         // AVX2 and FMA, with ymm state saved by the OS
    CHARTCLIP_ISA_AVX512 = 2,       // AVX-512 F, DQ, BW and VL, with zmm state saved
    CHARTCLIP_ISA_AVX512_BF16 = 3,  // and the bfloat16 dot product (AVX512-BF16)
};

/// The highest level this CPU and operating system support (cpuid and xgetbv, read once).
int chartclip_cpu_isa_level(void);

/// 1 when this CPU multiplies bfloat16 pairs in hardware (AVX512-BF16: Zen 4 and later,
/// Cooper Lake, Sapphire Rapids and later), else 0. Checked once, at run time: the library
/// builds on any x86-64 or ARM CPU and only calls `chartclip_sgemm_bf16` where this is 1.
int chartclip_bf16_supported(void);

/// Row-major `C = alpha · op(A) · op(B) + beta · C` with the elements of A and B rounded to
/// bfloat16 (round to nearest even) and every product summed in float32: the mixed precision
/// of PyTorch's `set_float32_matmul_precision("medium")` and of TPUs. `op(A)` is M×K, `op(B)`
/// K×N, C M×N, leading dimensions in elements. With `beta == 0` C is only written. One thread.
/// Returns 0, or -1 when the CPU lacks AVX512-BF16 (C untouched) or memory ran out.
int chartclip_sgemm_bf16(
    int transpose_a, int transpose_b, long m, long n, long k, float alpha,
    const float *a, long lda, const float *b, long ldb, float beta, float *c, long ldc);

/// Words (32 bits each) that `chartclip_bf16_pack_b` writes for a K×N op(B).
long chartclip_bf16_packed_b_words(long k, long n);

/// Packs the whole of op(B) (K×N; `transpose_b` as in `chartclip_sgemm_bf16`) once, for
/// products that share it: a linear layer's weight, multiplied by many row blocks of its input
/// on several threads, is rounded and packed once instead of once per block. Returns 0, or -1
/// when the CPU lacks AVX512-BF16.
int chartclip_bf16_pack_b(int transpose_b, long k, long n, const float *b, long ldb, unsigned int *packed);

/// `chartclip_sgemm_bf16` with op(B) packed by `chartclip_bf16_pack_b` for the same K and N,
/// and `bias` (N floats, or NULL) added to every row of C as it is stored:
/// `C = alpha · op(A) · op(B) + beta · C + bias` (a linear layer's forward pass in one pass
/// over C). Safe to call from several threads on one packed B.
int chartclip_sgemm_bf16_packed_b(
    int transpose_a, long m, long n, long k, float alpha, const float *a, long lda,
    const unsigned int *packed_b, float beta, const float *bias, float *c, long ldc);

/// Rounds `count` floats to bfloat16 and back (round to nearest even, NaN kept NaN): what
/// `chartclip_sgemm_bf16` does to its operands, for tests and reference products.
void chartclip_round_bf16(const float *x, float *y, long count);

#ifdef __cplusplus
}
#endif

#endif
