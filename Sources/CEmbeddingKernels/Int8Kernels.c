#include "CEmbeddingKernels.h"
#include "WeightPrefetch.h"
#include "BF16Rounding.h"
#include "Int8Rows.h"

#include <math.h>
#include <string.h>

// The int8 GEMM, `vpdpbusd` (AVX-512 VNNI): unsigned 8-bit activations times signed 8-bit weights,
// four products summed into each 32-bit lane, 64 multiply-adds per instruction (twice vdpbf16ps).
//
// Weights, once at load: per output channel symmetric, w ≈ sw[o] · qw with qw in [-127, 127].
// Activations, per call and per row: asymmetric unsigned, a ≈ sa[r] · (qa − za[r]) with qa in
// [0, 255] and the integer zero point za[r] chosen so that 0.0 is exact; the row's range always
// includes 0. Then
//     Σ_k a·w ≈ sa[r] · sw[o] · (Σ_k qa·qw − za[r] · Σ_k qw[o][k]),
// where the column sums Σ_k qw are computed at load. An unsigned row with a zero point spends all
// 256 codes on the row's actual range (GELU outputs are nearly all ≥ −0.17), which a symmetric
// signed row (the "+128 trick") would not; the +128 trick is the special case za = 128.
// u8 · s8 ≤ 255 · 127, four of them and 1,536 inputs stay far inside int32: no saturation.
//
// Outliers: BERT's hidden states carry a few channels (all-MiniLM-L6-v2's 99, 63, 223, …) some
// 15 times the others' size, mostly on [CLS], [SEP] and punctuation. One such value would set a
// whole row's step, and its weights' rounding error would be multiplied by it; so each value
// above CEK_INT8_OUTLIER_RATIO times its row's root mean square (up to CEK_INT8_MAX_OUTLIERS a row) is taken out
// of the 8-bit product (its code is the zero point) and added in fp32 against a bf16 copy of its
// weight column, stored transposed so the column is contiguous. About one value a row qualifies.

// Rows of activations one micro-kernel call multiplies (12 rows × 2 panels = 24 accumulators).
#define ROW_BLOCK 12
// Rows whose 8-bit activations stay in L2 while every weight panel streams past them.
#define ROWS_PER_PASS 192

static int quads_of(int inputs) { return (inputs + 3) / 4; }

// Four 8-bit activations read as one 32-bit value to broadcast; may_alias because they were
// written as bytes.
typedef int32_t __attribute__((may_alias)) u8_quad;

size_t cek_int8_packed_count(int outputs, int inputs) {
    return (size_t)outputs * (size_t)quads_of(inputs) * 4;
}

// The rows' 8-bit codes (each padded to whole quads), 64-byte aligned, then a header per row.
static size_t codes_bytes(int rows, int inputs) {
    return ((size_t)rows * (size_t)quads_of(inputs) * 4 + 63) / 64 * 64;
}

size_t cek_int8_scratch_bytes(int rows, int inputs) {
    return codes_bytes(rows, inputs) + (size_t)rows * sizeof(cek_int8_row_header);
}

void cek_int8_pack_quads(const float *weight, int outputs, int inputs, int quads, int8_t *packed, float *scales, int32_t *column_sums) {
    for (int panel = 0; panel < outputs / 16; panel++) {
        int8_t *base = packed + (size_t)panel * quads * 64;
        for (int column = 0; column < 16; column++) {
            const int o = panel * 16 + column;
            const float *row = weight + (size_t)o * inputs;
            float largest = 0;
            for (int k = 0; k < inputs; k++) largest = fmaxf(largest, fabsf(row[k]));
            const float scale = largest > 0 ? largest / 127.0f : 1.0f;
            int32_t sum = 0;
            for (int k = 0; k < 4 * quads; k++) {
                int code = 0;
                if (k < inputs) {
                    const float q = nearbyintf(row[k] / scale);
                    code = q > 127 ? 127 : q < -127 ? -127 : (int)q;
                }
                sum += code;
                // Element (k, column) sits in byte k % 4 of 32-bit lane `column` of quad k / 4: the
                // order vpdpbusd multiplies it with a broadcast quad of activations.
                base[(k / 4) * 64 + column * 4 + (k & 3)] = (int8_t)code;
            }
            scales[o] = scale;
            column_sums[o] = sum;
        }
    }
}

void cek_int8_pack(const float *weight, int outputs, int inputs, int8_t *packed, float *scales, int32_t *column_sums, uint16_t *columns) {
    cek_bf16_columns(weight, outputs, inputs, columns);
    cek_int8_pack_quads(weight, outputs, inputs, quads_of(inputs), packed, scales, column_sums);
}

#if defined(__x86_64__)

#include "AVX512Support.h"
#include <immintrin.h>

int cek_has_avx512_vnni(void) {
    if (!cek_has_avx512_base()) return 0;
    unsigned eax, ebx, ecx, edx;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    return (ecx >> 11) & 1;  // AVX512_VNNI
}

#define AVX512_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
#define INLINE_AVX512_VNNI static inline __attribute__((always_inline)) AVX512_VNNI

INLINE_AVX512_VNNI __mmask16 lanes(int left) {
    return left >= 16 ? (__mmask16)0xffff : left > 0 ? (__mmask16)((1u << left) - 1) : 0;
}

// See Int8Rows.h.
AVX512_VNNI void cek_int8_quantise_rows(const float *a, int rows, int inputs, int quads, uint8_t *codes, cek_int8_row_header *headers) {
    const int width = 4 * quads;
    for (int r = 0; r < rows; r++) {
        const float *source = a + (size_t)r * inputs;
        cek_int8_row_header *header = headers + r;
        __m512 squares = _mm512_setzero_ps();
        for (int k = 0; k < inputs; k += 16) {
            const __m512 x = _mm512_maskz_loadu_ps(lanes(inputs - k), source + k);
            squares = _mm512_fmadd_ps(x, x, squares);
        }
        const float threshold = CEK_INT8_OUTLIER_RATIO * sqrtf(_mm512_reduce_add_ps(squares) / (float)inputs);
        const __m512 limit = _mm512_set1_ps(threshold);
        // The range of the values that are not outliers, 0 included.
        __m512 low = _mm512_setzero_ps(), high = _mm512_setzero_ps();
        int outliers = 0;
        for (int k = 0; k < inputs; k += 16) {
            const __mmask16 valid = lanes(inputs - k);
            const __m512 x = _mm512_maskz_loadu_ps(valid, source + k);
            const __mmask16 outside = _mm512_mask_cmp_ps_mask(valid, _mm512_abs_ps(x), limit, _CMP_GT_OQ);
            __mmask16 large = outside;
            while (large && outliers < CEK_INT8_MAX_OUTLIERS) {
                const int lane = __builtin_ctz(large);
                header->index[outliers] = k + lane;
                header->value[outliers] = source[k + lane];
                outliers++;
                large &= large - 1;
            }
            // Outliers past CEK_INT8_MAX_OUTLIERS (left in `large`) are quantised like the rest.
            const __mmask16 kept = (__mmask16)~(outside & ~large);
            low = _mm512_mask_min_ps(low, kept, low, x);
            high = _mm512_mask_max_ps(high, kept, high, x);
        }
        const float smallest = _mm512_reduce_min_ps(low), largest = _mm512_reduce_max_ps(high);
        const float range = largest - smallest;
        const float scale = range > 0 ? range / 255.0f : 1.0f;
        const int32_t zero = (int32_t)nearbyintf(-smallest / scale);
        header->scale = scale;
        header->zero_point = zero;
        header->outliers = outliers;
        const __m512 inverse = _mm512_set1_ps(1.0f / scale);
        const __m512i z = _mm512_set1_epi32(zero), top = _mm512_set1_epi32(255), bottom = _mm512_setzero_si512();
        uint8_t *target = codes + (size_t)r * width;
        for (int k = 0; k < width; k += 16) {
            const __m512 x = _mm512_maskz_loadu_ps(lanes(inputs - k), source + k);
            __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(x, inverse)), z);
            q = _mm512_min_epi32(_mm512_max_epi32(q, bottom), top);
            // Padding lanes past `inputs` are stored as 0 rather than the zero point.
            q = _mm512_maskz_mov_epi32(lanes(inputs - k), q);
            _mm_mask_storeu_epi8(target + k, lanes(width - k), _mm512_cvtepi32_epi8(q));
        }
        // An outlier's code stands for 0.0: its product is added in the epilogue.
        for (int j = 0; j < outliers; j++) target[header->index[j]] = (uint8_t)zero;
    }
}

// `rowCount` (≤ ROW_BLOCK) rows by `panels` (1 or 2) 16-column panels, over every input quad.
// Always inlined with constant `rowCount` and `panels`, so the accumulators live in registers.
INLINE_AVX512_VNNI void micro_kernel(
    const int rowCount, const int panels, const uint8_t *a, int quads, const int8_t *weights,
    const float *weight_scales, const int32_t *column_sums, const uint16_t *columns, const cek_int8_row_header *headers,
    const float *bias, const float *residual, int gelu, float *c, int outputs
) {
    __m512i acc[ROW_BLOCK][2];
#pragma clang loop unroll(full)
    for (int r = 0; r < ROW_BLOCK; r++) {
        acc[r][0] = _mm512_setzero_si512();
        acc[r][1] = _mm512_setzero_si512();
    }
    const int8_t *w0 = weights, *w1 = weights + (size_t)quads * 64;
    const u8_quad *row = (const u8_quad *)a;
    for (int p = 0; p < quads; p++) {
        cek_prefetch_weights(w0 + (size_t)p * 64);
        if (panels > 1) cek_prefetch_weights(w1 + (size_t)p * 64);
        const __m512i b0 = _mm512_loadu_si512(w0 + (size_t)p * 64);
        const __m512i b1 = panels > 1 ? _mm512_loadu_si512(w1 + (size_t)p * 64) : b0;
#pragma clang loop unroll(full)
        for (int r = 0; r < ROW_BLOCK; r++) {
            if (r < rowCount) {
                const __m512i quad = _mm512_set1_epi32(row[(size_t)r * quads + p]);
                acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], quad, b0);
                if (panels > 1) acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], quad, b1);
            }
        }
    }
#pragma clang loop unroll(full)
    for (int panel = 0; panel < 2; panel++) {
        if (panel < panels) {
#pragma clang loop unroll(full)
            for (int r = 0; r < ROW_BLOCK; r++) {
                if (r < rowCount) {
                    const size_t at = (size_t)r * outputs + panel * 16;
                    cek_int8_finish16(acc[r][panel], headers + r, weight_scales + panel * 16, column_sums + panel * 16,
                                      bias + panel * 16, columns + panel * 16, outputs, residual ? residual + at : NULL,
                                      gelu, c + at);
                }
            }
        }
    }
}

#define KERNEL_CASE(n) \
    case n: \
        if (panels == 2) micro_kernel(n, 2, a, quads, weights, weight_scales, column_sums, columns, headers, bias, residual, gelu, c, outputs); \
        else micro_kernel(n, 1, a, quads, weights, weight_scales, column_sums, columns, headers, bias, residual, gelu, c, outputs); \
        break;

AVX512_VNNI static void block(
    int rowCount, int panels, const uint8_t *a, int quads, const int8_t *weights,
    const float *weight_scales, const int32_t *column_sums, const uint16_t *columns, const cek_int8_row_header *headers,
    const float *bias, const float *residual, int gelu, float *c, int outputs
) {
    switch (rowCount) {
        KERNEL_CASE(1) KERNEL_CASE(2) KERNEL_CASE(3) KERNEL_CASE(4) KERNEL_CASE(5) KERNEL_CASE(6)
        KERNEL_CASE(7) KERNEL_CASE(8) KERNEL_CASE(9) KERNEL_CASE(10) KERNEL_CASE(11) KERNEL_CASE(12)
        default: break;
    }
}

AVX512_VNNI void cek_int8_multiply(
    const float *a, int rows, int inputs, const int8_t *packed, const float *weight_scales,
    const int32_t *column_sums, const uint16_t *columns, int outputs, const float *bias,
    const float *residual, int gelu, float *c, void *scratch
) {
    const int quads = quads_of(inputs), panelCount = outputs / 16;
    uint8_t *codes = scratch;
    cek_int8_row_header *headers = (cek_int8_row_header *)(codes + codes_bytes(rows, inputs));
    cek_int8_quantise_rows(a, rows, inputs, quads, codes, headers);
    for (int start = 0; start < rows; start += ROWS_PER_PASS) {
        const int end = start + ROWS_PER_PASS < rows ? start + ROWS_PER_PASS : rows;
        for (int panel = 0; panel < panelCount; panel += 2) {
            const int panels = panelCount - panel >= 2 ? 2 : 1;
            const int8_t *weights = packed + (size_t)panel * quads * 64;
            for (int r = start; r < end; r += ROW_BLOCK) {
                const int count = end - r < ROW_BLOCK ? end - r : ROW_BLOCK;
                const size_t offset = (size_t)r * outputs + panel * 16;
                block(count, panels, codes + (size_t)r * 4 * quads, quads, weights, weight_scales + panel * 16,
                      column_sums + panel * 16, columns + panel * 16, headers + r, bias + panel * 16,
                      residual ? residual + offset : NULL, gelu, c + offset, outputs);
            }
        }
    }
}

#else

int cek_has_avx512_vnni(void) { return 0; }

void cek_int8_multiply(const float *a, int rows, int inputs, const int8_t *packed, const float *weight_scales,
                       const int32_t *column_sums, const uint16_t *columns, int outputs, const float *bias,
                       const float *residual, int gelu, float *c, void *scratch) {
    // Never called: cek_has_avx512_vnni() is 0 here, so callers take another path.
    (void)a; (void)rows; (void)inputs; (void)packed; (void)weight_scales; (void)column_sums; (void)columns;
    (void)outputs; (void)bias; (void)residual; (void)gelu; (void)c; (void)scratch;
}

#endif
