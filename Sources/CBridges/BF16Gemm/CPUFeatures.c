// Which x86 instruction sets this CPU and its operating system support, read once at run time
// (cpuid for the CPU, xgetbv for the register state the OS saves). Every kernel that has a
// CPU-specific path asks here, so the choice is made the same way everywhere.

#include "BF16Gemm.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <stdatomic.h>

static atomic_int cpu_level = -1;  // -1 unknown (any thread may ask first)

static int detect_level(void) {
    unsigned a1, b1, c1, d1;
    if (!__get_cpuid(1, &a1, &b1, &c1, &d1)) return CHARTCLIP_ISA_BASELINE;
    int osxsave = (c1 >> 27) & 1, fma = (c1 >> 12) & 1, avx = (c1 >> 28) & 1;
    if (!osxsave || !fma || !avx) return CHARTCLIP_ISA_BASELINE;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    // XCR0 bits 1 and 2: the OS saves the xmm and ymm registers.
    if ((lo & 0x6) != 0x6) return CHARTCLIP_ISA_BASELINE;
    unsigned a7, b7, c7, d7;
    if (!__get_cpuid_count(7, 0, &a7, &b7, &c7, &d7)) return CHARTCLIP_ISA_BASELINE;
    int avx2 = (b7 >> 5) & 1;
    if (!avx2) return CHARTCLIP_ISA_BASELINE;
    int avx512f = (b7 >> 16) & 1, avx512dq = (b7 >> 17) & 1, avx512bw = (b7 >> 30) & 1, avx512vl = (b7 >> 31) & 1;
    // XCR0 bits 5, 6, 7: the opmask and the upper halves of zmm0-31.
    int zmm_saved = (lo & 0xE0) == 0xE0;
    if (!(avx512f && avx512dq && avx512bw && avx512vl && zmm_saved)) return CHARTCLIP_ISA_AVX2;
    unsigned a71, b71, c71, d71;
    int bf16 = __get_cpuid_count(7, 1, &a71, &b71, &c71, &d71) && ((a71 >> 5) & 1);
    return bf16 ? CHARTCLIP_ISA_AVX512_BF16 : CHARTCLIP_ISA_AVX512;
}

int chartclip_cpu_isa_level(void) {
    int known = atomic_load_explicit(&cpu_level, memory_order_relaxed);
    if (known >= 0) return known;
    int level = detect_level();
    atomic_store_explicit(&cpu_level, level, memory_order_relaxed);
    return level;
}

#else

int chartclip_cpu_isa_level(void) { return CHARTCLIP_ISA_BASELINE; }

#endif
