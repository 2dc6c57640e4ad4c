// Whether this CPU and its OS run AVX-512 at all (F, BW and VL, with the OS saving the opmask
// and ZMM registers): what both kernel paths' detection starts from. Private to the target.
#ifndef CEK_AVX512_SUPPORT_H
#define CEK_AVX512_SUPPORT_H

#include <cpuid.h>

static inline int cek_has_avx512_base(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_OSXSAVE)) return 0;
    // XCR0: the OS saves SSE, AVX, opmask and both halves of the ZMM registers.
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0xe6u) != 0xe6u) return 0;
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    const unsigned f = 1u << 16, bw = 1u << 30, vl = 1u << 31;
    return (ebx & (f | bw | vl)) == (f | bw | vl);
}

#endif
