#include "CEmbeddingKernels.h"
#include "WeightPrefetch.h"
#include "BF16Rounding.h"
#include "BF16Rows.h"

#include <string.h>

// Rows of `a` one micro-kernel call multiplies: twelve rows by two 16-column panels keep 24 of
// AVX-512's 32 registers as accumulators, and each broadcast pair of activations feeds two
// `vdpbf16ps` while each weight load feeds twelve.
#define ROW_BLOCK 12
// Rows whose bf16 activations stay in L2 while every weight panel streams past them.
#define ROWS_PER_PASS 96

static int pairs_of(int inputs) { return (inputs + 1) / 2; }

// A pair of bf16 activations read as one 32-bit value to broadcast; may_alias because the pairs
// were written as 16-bit values.
typedef int32_t __attribute__((may_alias)) bf16_pair;

size_t cek_bf16_packed_count(int outputs, int inputs) {
    return (size_t)outputs * (size_t)pairs_of(inputs) * 2;
}

size_t cek_bf16_scratch_count(int rows, int inputs) {
    return (size_t)rows * (size_t)pairs_of(inputs) * 2;
}

void cek_bf16_pack_pairs(const float *weight, int outputs, int inputs, int pairs, uint16_t *packed) {
    for (int panel = 0; panel < outputs / 16; panel++) {
        uint16_t *base = packed + (size_t)panel * pairs * 32;
        for (int column = 0; column < 16; column++) {
            const float *row = weight + (size_t)(panel * 16 + column) * inputs;
            for (int k = 0; k < 2 * pairs; k++) {
                // Element (k, column) sits in 32-bit lane `column` of pair k/2, low half first:
                // the order vdpbf16ps multiplies it with a broadcast pair of activations.
                base[(k / 2) * 32 + column * 2 + (k & 1)] = k < inputs ? cek_to_bf16(row[k]) : 0;
            }
        }
    }
}

void cek_bf16_pack(const float *weight, int outputs, int inputs, uint16_t *packed) {
    cek_bf16_pack_pairs(weight, outputs, inputs, pairs_of(inputs), packed);
}

#if defined(__x86_64__)

#include "AVX512Support.h"
#include <immintrin.h>

int cek_has_avx512_bf16(void) {
    if (!cek_has_avx512_base()) return 0;
    unsigned eax, ebx, ecx, edx;
    __cpuid_count(7, 1, eax, ebx, ecx, edx);
    return (eax >> 5) & 1;  // AVX512_BF16
}

#define AVX512_BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))
#define INLINE_AVX512_BF16 static inline __attribute__((always_inline)) AVX512_BF16

#include "AVX512Math.h"

// See BF16Rows.h.
AVX512_BF16 void cek_bf16_round_rows(const float *a, int rows, int inputs, int pairs, uint16_t *out) {
    const int width = 2 * pairs;
    for (int r = 0; r < rows; r++) {
        const float *source = a + (size_t)r * inputs;
        uint16_t *target = out + (size_t)r * width;
        for (int k = 0; k < width; k += 32) {
            const int left = inputs - k;
            const __mmask16 low = left >= 16 ? 0xffff : left > 0 ? (__mmask16)((1u << left) - 1) : 0;
            const __mmask16 high = left >= 32 ? 0xffff : left > 16 ? (__mmask16)((1u << (left - 16)) - 1) : 0;
            const __m512 lo = _mm512_maskz_loadu_ps(low, source + k);
            const __m512 hi = _mm512_maskz_loadu_ps(high, source + k + 16);
            const __m512i packed = (__m512i)_mm512_cvtne2ps_pbh(hi, lo);
            const int store = width - k >= 32 ? 32 : width - k;
            _mm512_mask_storeu_epi16(target + k, (__mmask32)(store == 32 ? 0xffffffffu : (1u << store) - 1), packed);
        }
    }
}

// `rowCount` (≤ ROW_BLOCK) rows by `panels` (1 or 2) 16-column panels, over every input pair.
// Always inlined with constant `rowCount` and `panels`, so the accumulators live in registers.
INLINE_AVX512_BF16 void micro_kernel(
    const int rowCount, const int panels, const uint16_t *a, int pairs, const uint16_t *weights,
    const float *bias, const float *residual, int gelu, float *c, int outputs
) {
    __m512 acc[ROW_BLOCK][2];
#pragma clang loop unroll(full)
    for (int r = 0; r < ROW_BLOCK; r++) {
        acc[r][0] = _mm512_setzero_ps();
        acc[r][1] = _mm512_setzero_ps();
    }
    const uint16_t *w0 = weights, *w1 = weights + (size_t)pairs * 32;
    const bf16_pair *row = (const bf16_pair *)a;
    for (int p = 0; p < pairs; p++) {
        cek_prefetch_weights(w0 + (size_t)p * 32);
        if (panels > 1) cek_prefetch_weights(w1 + (size_t)p * 32);
        const __m512bh b0 = (__m512bh)_mm512_loadu_si512(w0 + (size_t)p * 32);
        const __m512bh b1 = panels > 1 ? (__m512bh)_mm512_loadu_si512(w1 + (size_t)p * 32) : b0;
#pragma clang loop unroll(full)
        for (int r = 0; r < ROW_BLOCK; r++) {
            if (r < rowCount) {
                const __m512bh pair = (__m512bh)_mm512_set1_epi32(row[(size_t)r * pairs + p]);
                acc[r][0] = _mm512_dpbf16_ps(acc[r][0], pair, b0);
                if (panels > 1) acc[r][1] = _mm512_dpbf16_ps(acc[r][1], pair, b1);
            }
        }
    }
#pragma clang loop unroll(full)
    for (int panel = 0; panel < 2; panel++) {
        if (panel < panels) {
            const __m512 b = _mm512_loadu_ps(bias + panel * 16);
#pragma clang loop unroll(full)
            for (int r = 0; r < ROW_BLOCK; r++) {
                if (r < rowCount) {
                    __m512 value = _mm512_add_ps(acc[r][panel], b);
                    const size_t at = (size_t)r * outputs + panel * 16;
                    finish16(value, residual ? residual + at : NULL, gelu, c + at);
                }
            }
        }
    }
}

#define KERNEL_CASE(n) \
    case n: \
        if (panels == 2) micro_kernel(n, 2, a, pairs, weights, bias, residual, gelu, c, outputs); \
        else micro_kernel(n, 1, a, pairs, weights, bias, residual, gelu, c, outputs); \
        break;

AVX512_BF16 static void block(
    int rowCount, int panels, const uint16_t *a, int pairs, const uint16_t *weights,
    const float *bias, const float *residual, int gelu, float *c, int outputs
) {
    switch (rowCount) {
        KERNEL_CASE(1) KERNEL_CASE(2) KERNEL_CASE(3) KERNEL_CASE(4) KERNEL_CASE(5) KERNEL_CASE(6)
        KERNEL_CASE(7) KERNEL_CASE(8) KERNEL_CASE(9) KERNEL_CASE(10) KERNEL_CASE(11) KERNEL_CASE(12)
        default: break;
    }
}

AVX512_BF16 void cek_bf16_multiply(
    const float *a, int rows, int inputs, const uint16_t *packed, int outputs,
    const float *bias, const float *residual, int gelu, float *c, uint16_t *scratch
) {
    const int pairs = pairs_of(inputs), panelCount = outputs / 16;
    cek_bf16_round_rows(a, rows, inputs, pairs, scratch);
    for (int start = 0; start < rows; start += ROWS_PER_PASS) {
        const int end = start + ROWS_PER_PASS < rows ? start + ROWS_PER_PASS : rows;
        for (int panel = 0; panel < panelCount; panel += 2) {
            const int panels = panelCount - panel >= 2 ? 2 : 1;
            const uint16_t *weights = packed + (size_t)panel * pairs * 32;
            for (int r = start; r < end; r += ROW_BLOCK) {
                const int count = end - r < ROW_BLOCK ? end - r : ROW_BLOCK;
                const size_t offset = (size_t)r * outputs + panel * 16;
                block(count, panels, scratch + (size_t)r * 2 * pairs, pairs, weights, bias + panel * 16,
                      residual ? residual + offset : NULL, gelu, c + offset, outputs);
            }
        }
    }
}

#else

int cek_has_avx512_bf16(void) { return 0; }

void cek_bf16_multiply(const float *a, int rows, int inputs, const uint16_t *packed, int outputs,
                       const float *bias, const float *residual, int gelu, float *c,
                       uint16_t *scratch) {
    // Never called: cek_has_avx512_bf16() is 0 here, so callers take the fp32 kernels.
    (void)a; (void)rows; (void)inputs; (void)packed; (void)outputs;
    (void)bias; (void)residual; (void)gelu; (void)c; (void)scratch;
}

#endif
