#include "CEmbeddingKernels.h"
#include "WeightPrefetch.h"
#include "BF16Rounding.h"
#include "PairRows.h"

// The wide integer GEMM on AVX-512 VNNI, `vpdpwssd`: 16-bit weight codes times 16-bit activation
// codes, two products summed into each 32-bit lane, 32 multiply-adds per instruction — as many
// as `vdpbf16ps`, with the same weight bytes. It takes the feed-forward output projection, the
// layer whose weights' rounding int8 cannot afford, off bf16 on the int8-vnni path: on CPUs whose
// bf16 product is slow (Sapphire Rapids under KVM: that one layer, a third of the multiply-adds,
// took 47 % of the encoder's time against 28 % for every int8 layer together) and on those
// without AVX512_BF16 at all (Cascade Lake, Ice Lake), which ran it on fp32.
//
// The codes are those of the AVX2 wide path (Int8AVX2Kernels.c, cek_int16_avx2_*): weights per
// output channel, symmetric, in cek_int16_avx2_weight_levels(inputs) steps (10 bits up to 2,052
// inputs), and activations per row, symmetric, in 2,047 steps, outliers multiplied in fp32
// against a bf16 copy of their weight column; only the panels are 16 columns wide here. The
// int32 sums cannot overflow for the same reason: |Σ qa·qw| ≤ 2,047 · 511 · 2,052 < 2^31.

// Rows of activations one micro-kernel call multiplies (12 rows × 2 panels = 24 accumulators of
// the 32 AVX-512 registers).
#define ROW_BLOCK 12
// Rows whose 16-bit codes stay in L2 (96 · 1,536 · 2 bytes) while every weight panel streams past.
#define ROWS_PER_PASS 96

size_t cek_int16_vnni_packed_count(int outputs, int inputs) { return cek_pair_packed_count(outputs, inputs); }

void cek_int16_vnni_pack(const float *weight, int outputs, int inputs, int16_t *packed, float *scales, uint16_t *columns) {
    const int pairs = cek_pairs_of(inputs), levels = cek_int16_avx2_weight_levels(inputs);
    cek_bf16_columns(weight, outputs, inputs, columns);
    int16_t codes[2 * pairs];
    for (int o = 0; o < outputs; o++) {
        scales[o] = cek_quantise_channel(weight + (size_t)o * inputs, inputs, 2 * pairs, levels, codes);
        int16_t *panel = packed + (size_t)(o / 16) * pairs * 32;
        // Element (k, column) sits in 16-bit half k % 2 of 32-bit lane `column` of pair k / 2: the
        // order vpdpwssd multiplies it with a broadcast pair of activations.
        for (int k = 0; k < 2 * pairs; k++) panel[(size_t)(k / 2) * 32 + (size_t)(o % 16) * 2 + (size_t)(k & 1)] = codes[k];
    }
}

size_t cek_int16_vnni_scratch_bytes(int rows, int inputs) { return cek_pair_scratch_bytes(rows, inputs); }

#if defined(__x86_64__)

#include <immintrin.h>

#define AVX512_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
#define INLINE_AVX512_VNNI static inline __attribute__((always_inline)) AVX512_VNNI

#include "AVX512Math.h"

// vpdpwssd itself: clang otherwise splits it into vpmaddwd and vpaddd (LLVM's machine combiner
// shortens the accumulator's dependency chain on CPUs it does not know to be fast at it).
INLINE_AVX512_VNNI __m512i dpwssd(__m512i acc, __m512i a, __m512i b) {
    __asm__("vpdpwssd %2, %1, %0" : "+v"(acc) : "v"(a), "v"(b));
    return acc;
}

// `rowCount` (≤ ROW_BLOCK) rows by `panels` (1 or 2) 16-column panels, over every input pair.
// Always inlined with constant `rowCount` and `panels`, so the accumulators live in registers.
INLINE_AVX512_VNNI void micro_kernel(
    const int rowCount, const int panels, const int16_t *a, int pairs, const int16_t *weights,
    const float *weight_scales, const uint16_t *columns, const cek_pair_row_header *headers,
    const float *bias, const float *residual, int gelu, float *c, int outputs
) {
    __m512i acc[ROW_BLOCK][2];
#pragma clang loop unroll(full)
    for (int r = 0; r < ROW_BLOCK; r++) {
        acc[r][0] = _mm512_setzero_si512();
        acc[r][1] = _mm512_setzero_si512();
    }
    const int16_t *w0 = weights, *w1 = weights + (size_t)pairs * 32;
    const cek_i16_pair *row = (const cek_i16_pair *)a;
    for (int p = 0; p < pairs; p++) {
        cek_prefetch_weights(w0 + (size_t)p * 32);
        if (panels > 1) cek_prefetch_weights(w1 + (size_t)p * 32);
        const __m512i b0 = _mm512_loadu_si512(w0 + (size_t)p * 32);
        const __m512i b1 = panels > 1 ? _mm512_loadu_si512(w1 + (size_t)p * 32) : b0;
#pragma clang loop unroll(full)
        for (int r = 0; r < ROW_BLOCK; r++) {
            if (r < rowCount) {
                const __m512i pair = _mm512_set1_epi32(row[(size_t)r * pairs + p]);
                acc[r][0] = dpwssd(acc[r][0], pair, b0);
                if (panels > 1) acc[r][1] = dpwssd(acc[r][1], pair, b1);
            }
        }
    }
#pragma clang loop unroll(full)
    for (int panel = 0; panel < 2; panel++) {
        if (panel < panels) {
            const __m512 b = _mm512_loadu_ps(bias + panel * 16);
            const __m512 ws = _mm512_loadu_ps(weight_scales + panel * 16);
#pragma clang loop unroll(full)
            for (int r = 0; r < ROW_BLOCK; r++) {
                if (r < rowCount) {
                    const cek_pair_row_header *header = headers + r;
                    const __m512 scale = _mm512_mul_ps(ws, _mm512_set1_ps(header->scale));
                    __m512 value = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc[r][panel]), scale, b);
                    value = add_outliers16(value, header->outliers, header->index, header->value, columns + panel * 16, outputs);
                    const size_t at = (size_t)r * outputs + panel * 16;
                    finish16(value, residual ? residual + at : NULL, gelu, c + at);
                }
            }
        }
    }
}

#define KERNEL_CASE(n) \
    case n: \
        if (panels == 2) micro_kernel(n, 2, a, pairs, weights, weight_scales, columns, headers, bias, residual, gelu, c, outputs); \
        else micro_kernel(n, 1, a, pairs, weights, weight_scales, columns, headers, bias, residual, gelu, c, outputs); \
        break;

AVX512_VNNI static void block(
    int rowCount, int panels, const int16_t *a, int pairs, const int16_t *weights,
    const float *weight_scales, const uint16_t *columns, const cek_pair_row_header *headers,
    const float *bias, const float *residual, int gelu, float *c, int outputs
) {
    switch (rowCount) {
        KERNEL_CASE(1) KERNEL_CASE(2) KERNEL_CASE(3) KERNEL_CASE(4) KERNEL_CASE(5) KERNEL_CASE(6)
        KERNEL_CASE(7) KERNEL_CASE(8) KERNEL_CASE(9) KERNEL_CASE(10) KERNEL_CASE(11) KERNEL_CASE(12)
        default: break;
    }
}

AVX512_VNNI void cek_int16_vnni_multiply(
    const float *a, int rows, int inputs, const int16_t *packed, const float *weight_scales,
    const uint16_t *columns, int outputs, const float *bias, const float *residual, int gelu,
    float *c, void *scratch
) {
    const int pairs = cek_pairs_of(inputs), panelCount = outputs / 16;
    int16_t *codes = scratch;
    cek_pair_row_header *headers = (cek_pair_row_header *)((uint8_t *)scratch + cek_pair_codes_bytes(rows, inputs));
    cek_pair_quantise_rows(a, rows, inputs, pairs, CEK_WIDE_ACTIVATION_LEVELS, codes, headers);
    for (int start = 0; start < rows; start += ROWS_PER_PASS) {
        const int end = start + ROWS_PER_PASS < rows ? start + ROWS_PER_PASS : rows;
        for (int panel = 0; panel < panelCount; panel += 2) {
            const int panels = panelCount - panel >= 2 ? 2 : 1;
            const int16_t *weights = packed + (size_t)panel * pairs * 32;
            for (int r = start; r < end; r += ROW_BLOCK) {
                const int count = end - r < ROW_BLOCK ? end - r : ROW_BLOCK;
                const size_t offset = (size_t)r * outputs + panel * 16;
                block(count, panels, codes + (size_t)r * 2 * pairs, pairs, weights, weight_scales + panel * 16,
                      columns + panel * 16, headers + r, bias + panel * 16,
                      residual ? residual + offset : NULL, gelu, c + offset, outputs);
            }
        }
    }
}

#else

void cek_int16_vnni_multiply(const float *a, int rows, int inputs, const int16_t *packed, const float *weight_scales,
                             const uint16_t *columns, int outputs, const float *bias, const float *residual, int gelu,
                             float *c, void *scratch) {
    // Never called: cek_has_avx512_vnni() is 0 here, so callers take another path.
    (void)a; (void)rows; (void)inputs; (void)packed; (void)weight_scales; (void)columns;
    (void)outputs; (void)bias; (void)residual; (void)gelu; (void)c; (void)scratch;
}

#endif
