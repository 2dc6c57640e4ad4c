#include "CEmbeddingKernels.h"
#include "WeightPrefetch.h"
#include "BF16Rounding.h"
#include "PairRows.h"

#include <math.h>
#include <string.h>

// The int8 GEMM for CPUs with AVX2 and FMA but no AVX-512 (AMD Zen 1–3, Intel Haswell to Alder
// Lake): int8 weights widened to 16 bits in registers, times 16-bit activation codes, by
// `vpmaddwd` (two products summed into each 32-bit lane) into int32 accumulators.
//
// Why 16-bit activations rather than AVX2's u8 · s8 `vpmaddubsw`: that instruction sums its two
// products into a saturating 16-bit lane (255 · 127 · 2 > 32,767), so one operand would have to
// lose a bit, and it needs a second instruction (`vpmaddwd` by ones) to reach 32 bits anyway.
// `vpmaddwd` on 16-bit codes does the same multiply-adds per instruction on the multiply ports,
// never saturates, and lets each activation row carry 13 bits: a symmetric row, a ≈ sa[r] · qa
// with qa in [-4095, 4095], so there is no zero point and no column sums. The weights stay 8-bit
// in memory (a quarter of fp32's bytes, which is what a short query is bound by):
//     Σ_k a·w ≈ sa[r] · sw[o] · Σ_k qa·qw,   |Σ qa·qw| ≤ 4095 · 127 · 1,536 < 2^31.
//
// Outliers are handled as on the VNNI path (see Int8Kernels.c): values above
// CEK_PAIR_OUTLIER_RATIO times their row's root mean square (up to CEK_PAIR_MAX_OUTLIERS a row)
// leave the integer product (code 0) and are multiplied in fp32 against a bf16 copy of their
// weight column.
//
// The wide variant (cek_int16_avx2_*) keeps 10-bit weight codes in 16 bits of memory — half of
// fp32's bytes, and no widening — times 12-bit activation codes, for the feed-forward output
// projection, whose weights' rounding is what int8 cannot afford (KernelPath.int16AVX2). Its
// weight steps shrink for long inputs so the sum still cannot overflow:
//     |Σ qa·qw| ≤ 2,047 · 511 · 2,052 < 2^31.

// Rows of activations one micro-kernel call multiplies (6 rows × 2 panels = 12 accumulators of the
// 16 AVX2 registers; two hold the widened weights and one the broadcast pair).
#define ROW_BLOCK 6
// Rows whose 16-bit codes stay in L2 (96 · 1,536 · 2 bytes) while every weight panel streams past.
#define ROWS_PER_PASS 96
// The largest activation code beside int8 weights: 13 bits, symmetric (12 beside wide weights,
// CEK_WIDE_ACTIVATION_LEVELS).
#define LEVELS 4095
// The largest wide weight code: 10 bits, symmetric.
#define WIDE_WEIGHT_LEVELS 511

size_t cek_int8_avx2_packed_count(int outputs, int inputs) { return cek_pair_packed_count(outputs, inputs); }

size_t cek_int8_avx2_scratch_bytes(int rows, int inputs) { return cek_pair_scratch_bytes(rows, inputs); }

size_t cek_int16_avx2_packed_count(int outputs, int inputs) { return cek_pair_packed_count(outputs, inputs); }

int cek_int16_avx2_weight_levels(int inputs) {
    const long long bound = 2147483647LL / ((long long)CEK_WIDE_ACTIVATION_LEVELS * (2LL * cek_pairs_of(inputs)));
    return bound < 1 ? 1 : bound < WIDE_WEIGHT_LEVELS ? (int)bound : WIDE_WEIGHT_LEVELS;
}

// Where element (k, column) of an 8-column panel goes: 16-bit half k % 2 of 32-bit lane `column`
// of pair k / 2 (once widened), the order vpmaddwd multiplies it with a broadcast pair.
static size_t panel_index(int k, int column) { return (size_t)(k / 2) * 16 + (size_t)column * 2 + (size_t)(k & 1); }

void cek_int8_avx2_pack(const float *weight, int outputs, int inputs, int8_t *packed, float *scales, uint16_t *columns) {
    const int pairs = cek_pairs_of(inputs);
    int16_t codes[2 * pairs];
    cek_bf16_columns(weight, outputs, inputs, columns);
    for (int o = 0; o < outputs; o++) {
        scales[o] = cek_quantise_channel(weight + (size_t)o * inputs, inputs, 2 * pairs, 127, codes);
        int8_t *panel = packed + (size_t)(o / 8) * pairs * 16;
        for (int k = 0; k < 2 * pairs; k++) panel[panel_index(k, o % 8)] = (int8_t)codes[k];
    }
}

void cek_int16_avx2_pack(const float *weight, int outputs, int inputs, int16_t *packed, float *scales, uint16_t *columns) {
    const int pairs = cek_pairs_of(inputs), levels = cek_int16_avx2_weight_levels(inputs);
    int16_t codes[2 * pairs];
    cek_bf16_columns(weight, outputs, inputs, columns);
    for (int o = 0; o < outputs; o++) {
        scales[o] = cek_quantise_channel(weight + (size_t)o * inputs, inputs, 2 * pairs, levels, codes);
        int16_t *panel = packed + (size_t)(o / 8) * pairs * 16;
        for (int k = 0; k < 2 * pairs; k++) panel[panel_index(k, o % 8)] = codes[k];
    }
}

#if defined(__x86_64__)

#include "ErfCoefficients.h"
#include <cpuid.h>
#include <immintrin.h>

int cek_has_avx2_fma(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_OSXSAVE) || !(ecx & bit_FMA)) return 0;
    // XCR0: the OS saves the SSE and AVX registers.
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0x6u) != 0x6u) return 0;
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    return (ebx & bit_AVX2) != 0;
}

#define AVX2_FMA __attribute__((target("avx2,fma")))
#define INLINE_AVX2 static inline __attribute__((always_inline)) AVX2_FMA

// erf on eight lanes (ErfCoefficients.h), as erf16 (AVX512Math.h) on sixteen.
INLINE_AVX2 __m256 erf8(__m256 value) {
    const __m256 x = _mm256_min_ps(_mm256_max_ps(value, _mm256_set1_ps(-4.0f)), _mm256_set1_ps(4.0f));
    const __m256 x2 = _mm256_mul_ps(x, x);
    __m256 p = _mm256_fmadd_ps(x2, _mm256_set1_ps(CEK_ERF_P6), _mm256_set1_ps(CEK_ERF_P5));
    p = _mm256_fmadd_ps(x2, p, _mm256_set1_ps(CEK_ERF_P4));
    p = _mm256_fmadd_ps(x2, p, _mm256_set1_ps(CEK_ERF_P3));
    p = _mm256_fmadd_ps(x2, p, _mm256_set1_ps(CEK_ERF_P2));
    p = _mm256_fmadd_ps(x2, p, _mm256_set1_ps(CEK_ERF_P1));
    p = _mm256_fmadd_ps(x2, p, _mm256_set1_ps(CEK_ERF_P0));
    __m256 q = _mm256_fmadd_ps(x2, _mm256_set1_ps(CEK_ERF_Q4), _mm256_set1_ps(CEK_ERF_Q3));
    q = _mm256_fmadd_ps(x2, q, _mm256_set1_ps(CEK_ERF_Q2));
    q = _mm256_fmadd_ps(x2, q, _mm256_set1_ps(CEK_ERF_Q1));
    q = _mm256_fmadd_ps(x2, q, _mm256_set1_ps(CEK_ERF_Q0));
    return _mm256_div_ps(_mm256_mul_ps(x, p), q);
}

INLINE_AVX2 __m256 gelu8(__m256 x) {
    const __m256 half_x = _mm256_mul_ps(x, _mm256_set1_ps(0.5f));
    return _mm256_fmadd_ps(half_x, erf8(_mm256_mul_ps(x, _mm256_set1_ps(0.70710678118654752f))), half_x);
}

INLINE_AVX2 float sum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

INLINE_AVX2 float max8(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

// See PairRows.h.
AVX2_FMA void cek_pair_quantise_rows(const float *a, int rows, int inputs, int pairs, int levels, int16_t *codes, cek_pair_row_header *headers) {
    const int width = 2 * pairs;
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (int r = 0; r < rows; r++) {
        const float *source = a + (size_t)r * inputs;
        cek_pair_row_header *header = headers + r;
        __m256 squares = _mm256_setzero_ps();
        int k = 0;
        for (; k + 8 <= inputs; k += 8) {
            const __m256 x = _mm256_loadu_ps(source + k);
            squares = _mm256_fmadd_ps(x, x, squares);
        }
        float sum = sum8(squares);
        for (; k < inputs; k++) sum += source[k] * source[k];
        const float threshold = CEK_PAIR_OUTLIER_RATIO * sqrtf(sum / (float)inputs);
        const __m256 limit = _mm256_set1_ps(threshold);
        // The largest magnitude that is not an outlier (those past CEK_PAIR_MAX_OUTLIERS count as
        // kept).
        __m256 kept = _mm256_setzero_ps();
        float largest = 0;
        int outliers = 0;
        for (k = 0; k + 8 <= inputs; k += 8) {
            const __m256 magnitude = _mm256_andnot_ps(sign, _mm256_loadu_ps(source + k));
            const __m256 outside = _mm256_cmp_ps(magnitude, limit, _CMP_GT_OQ);
            kept = _mm256_max_ps(kept, _mm256_andnot_ps(outside, magnitude));
            for (int large = _mm256_movemask_ps(outside); large; large &= large - 1) {
                const int index = k + __builtin_ctz(large);
                if (outliers < CEK_PAIR_MAX_OUTLIERS) {
                    header->index[outliers] = index;
                    header->value[outliers] = source[index];
                    outliers++;
                } else {
                    largest = fmaxf(largest, fabsf(source[index]));
                }
            }
        }
        for (; k < inputs; k++) {
            const float magnitude = fabsf(source[k]);
            if (magnitude > threshold && outliers < CEK_PAIR_MAX_OUTLIERS) {
                header->index[outliers] = k;
                header->value[outliers] = source[k];
                outliers++;
            } else {
                largest = fmaxf(largest, magnitude);
            }
        }
        largest = fmaxf(largest, max8(kept));
        const float scale = largest > 0 ? largest / (float)levels : 1.0f;
        header->scale = scale;
        header->outliers = outliers;
        const float inverse = 1.0f / scale;
        const __m256 inverse8 = _mm256_set1_ps(inverse);
        const __m256i top = _mm256_set1_epi32(levels), bottom = _mm256_set1_epi32(-levels);
        int16_t *target = codes + (size_t)r * width;
        for (k = 0; k + 8 <= inputs; k += 8) {
            __m256i q = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(source + k), inverse8));
            q = _mm256_min_epi32(_mm256_max_epi32(q, bottom), top);
            // packs works within 128-bit lanes; the permute puts the eight codes in order.
            const __m256i packed = _mm256_permute4x64_epi64(_mm256_packs_epi32(q, q), 0x08);
            _mm_storeu_si128((__m128i *)(target + k), _mm256_castsi256_si128(packed));
        }
        for (; k < width; k++) {
            if (k < inputs) {
                const float q = nearbyintf(source[k] * inverse);
                target[k] = (int16_t)(q > levels ? levels : q < -levels ? -levels : q);
            } else {
                target[k] = 0;
            }
        }
        // An outlier's code stands for 0.0: its product is added in the epilogue.
        for (int j = 0; j < outliers; j++) target[header->index[j]] = 0;
    }
}

// `rowCount` (≤ ROW_BLOCK) rows by `panels` (1 or 2) 8-column panels, over every input pair.
// `wide`: the weights are 16-bit codes in memory rather than 8-bit ones to widen.
INLINE_AVX2 void micro_kernel(
    const int rowCount, const int panels, const int wide, const int16_t *a, int pairs, const void *weights,
    const float *weight_scales, const uint16_t *columns, const cek_pair_row_header *headers,
    const float *bias, const float *residual, int gelu, float *c, int outputs
) {
    __m256i acc[ROW_BLOCK][2];
#pragma clang loop unroll(full)
    for (int r = 0; r < ROW_BLOCK; r++) {
        acc[r][0] = _mm256_setzero_si256();
        acc[r][1] = _mm256_setzero_si256();
    }
    const size_t panelBytes = (size_t)pairs * 16 * (wide ? 2 : 1), pairBytes = wide ? 32 : 16;
    const uint8_t *w0 = weights, *w1 = w0 + panelBytes;
    const cek_i16_pair *row = (const cek_i16_pair *)a;
    for (int p = 0; p < pairs; p++) {
        __m256i b0, b1;
        cek_prefetch_weights(w0 + (size_t)p * pairBytes);
        if (panels > 1) cek_prefetch_weights(w1 + (size_t)p * pairBytes);
        if (wide) {
            b0 = _mm256_loadu_si256((const __m256i *)(w0 + (size_t)p * pairBytes));
            b1 = panels > 1 ? _mm256_loadu_si256((const __m256i *)(w1 + (size_t)p * pairBytes)) : b0;
        } else {
            b0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w0 + (size_t)p * pairBytes)));
            b1 = panels > 1 ? _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w1 + (size_t)p * pairBytes))) : b0;
        }
#pragma clang loop unroll(full)
        for (int r = 0; r < ROW_BLOCK; r++) {
            if (r < rowCount) {
                const __m256i pair = _mm256_set1_epi32(row[(size_t)r * pairs + p]);
                acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(pair, b0));
                if (panels > 1) acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(pair, b1));
            }
        }
    }
#pragma clang loop unroll(full)
    for (int panel = 0; panel < 2; panel++) {
        if (panel < panels) {
            const __m256 b = _mm256_loadu_ps(bias + panel * 8);
            const __m256 ws = _mm256_loadu_ps(weight_scales + panel * 8);
#pragma clang loop unroll(full)
            for (int r = 0; r < ROW_BLOCK; r++) {
                if (r < rowCount) {
                    const cek_pair_row_header *header = headers + r;
                    const __m256 scale = _mm256_mul_ps(ws, _mm256_set1_ps(header->scale));
                    __m256 value = _mm256_fmadd_ps(_mm256_cvtepi32_ps(acc[r][panel]), scale, b);
                    for (int j = 0; j < header->outliers; j++) {
                        // Eight bf16 weights of the outlier's column, widened to fp32.
                        const __m128i w = _mm_loadu_si128((const __m128i *)(columns + (size_t)header->index[j] * outputs + panel * 8));
                        const __m256 column = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(w), 16));
                        value = _mm256_fmadd_ps(_mm256_set1_ps(header->value[j]), column, value);
                    }
                    if (residual) value = _mm256_add_ps(value, _mm256_loadu_ps(residual + (size_t)r * outputs + panel * 8));
                    if (gelu) value = gelu8(value);
                    _mm256_storeu_ps(c + (size_t)r * outputs + panel * 8, value);
                }
            }
        }
    }
}

#define KERNEL_CASE(n, wide) \
    case n: \
        if (panels == 2) micro_kernel(n, 2, wide, a, pairs, weights, weight_scales, columns, headers, bias, residual, gelu, c, outputs); \
        else micro_kernel(n, 1, wide, a, pairs, weights, weight_scales, columns, headers, bias, residual, gelu, c, outputs); \
        break;

#define BLOCK(name, wide) \
    AVX2_FMA static void name( \
        int rowCount, int panels, const int16_t *a, int pairs, const void *weights, \
        const float *weight_scales, const uint16_t *columns, const cek_pair_row_header *headers, \
        const float *bias, const float *residual, int gelu, float *c, int outputs \
    ) { \
        switch (rowCount) { \
            KERNEL_CASE(1, wide) KERNEL_CASE(2, wide) KERNEL_CASE(3, wide) \
            KERNEL_CASE(4, wide) KERNEL_CASE(5, wide) KERNEL_CASE(6, wide) \
            default: break; \
        } \
    }

BLOCK(block, 0)
BLOCK(wide_block, 1)

AVX2_FMA static void multiply(
    const int wide, const float *a, int rows, int inputs, const void *packed, const float *weight_scales,
    const uint16_t *columns, int outputs, const float *bias, const float *residual, int gelu,
    float *c, void *scratch
) {
    const int pairs = cek_pairs_of(inputs), panelCount = outputs / 8;
    const size_t panelBytes = (size_t)pairs * 16 * (wide ? 2 : 1);
    int16_t *codes = scratch;
    cek_pair_row_header *headers = (cek_pair_row_header *)((uint8_t *)scratch + cek_pair_codes_bytes(rows, inputs));
    cek_pair_quantise_rows(a, rows, inputs, pairs, wide ? CEK_WIDE_ACTIVATION_LEVELS : LEVELS, codes, headers);
    for (int start = 0; start < rows; start += ROWS_PER_PASS) {
        const int end = start + ROWS_PER_PASS < rows ? start + ROWS_PER_PASS : rows;
        for (int panel = 0; panel < panelCount; panel += 2) {
            const int panels = panelCount - panel >= 2 ? 2 : 1;
            const uint8_t *weights = (const uint8_t *)packed + (size_t)panel * panelBytes;
            for (int r = start; r < end; r += ROW_BLOCK) {
                const int count = end - r < ROW_BLOCK ? end - r : ROW_BLOCK;
                const size_t offset = (size_t)r * outputs + panel * 8;
                (wide ? wide_block : block)(count, panels, codes + (size_t)r * 2 * pairs, pairs, weights, weight_scales + panel * 8,
                      columns + panel * 8, headers + r, bias + panel * 8,
                      residual ? residual + offset : NULL, gelu, c + offset, outputs);
            }
        }
    }
}

AVX2_FMA void cek_int8_avx2_multiply(
    const float *a, int rows, int inputs, const int8_t *packed, const float *weight_scales,
    const uint16_t *columns, int outputs, const float *bias, const float *residual, int gelu,
    float *c, void *scratch
) {
    multiply(0, a, rows, inputs, packed, weight_scales, columns, outputs, bias, residual, gelu, c, scratch);
}

AVX2_FMA void cek_int16_avx2_multiply(
    const float *a, int rows, int inputs, const int16_t *packed, const float *weight_scales,
    const uint16_t *columns, int outputs, const float *bias, const float *residual, int gelu,
    float *c, void *scratch
) {
    multiply(1, a, rows, inputs, packed, weight_scales, columns, outputs, bias, residual, gelu, c, scratch);
}

#else

int cek_has_avx2_fma(void) { return 0; }

void cek_int16_avx2_multiply(const float *a, int rows, int inputs, const int16_t *packed, const float *weight_scales,
                             const uint16_t *columns, int outputs, const float *bias, const float *residual, int gelu,
                             float *c, void *scratch) {
    // Never called: cek_has_avx2_fma() is 0 here, so callers take another path.
    (void)a; (void)rows; (void)inputs; (void)packed; (void)weight_scales; (void)columns;
    (void)outputs; (void)bias; (void)residual; (void)gelu; (void)c; (void)scratch;
}

void cek_int8_avx2_multiply(const float *a, int rows, int inputs, const int8_t *packed, const float *weight_scales,
                            const uint16_t *columns, int outputs, const float *bias, const float *residual, int gelu,
                            float *c, void *scratch) {
    // Never called: cek_has_avx2_fma() is 0 here, so callers take another path.
    (void)a; (void)rows; (void)inputs; (void)packed; (void)weight_scales; (void)columns;
    (void)outputs; (void)bias; (void)residual; (void)gelu; (void)c; (void)scratch;
}

#endif
