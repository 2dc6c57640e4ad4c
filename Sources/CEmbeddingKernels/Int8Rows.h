// What the unsigned-by-signed 8-bit products share — AVX-512 VNNI's `vpdpbusd` (Int8Kernels.c)
// and AMX's `tdpbusd` (AMXKernels.c): the weights' packing, the activation rows' quantiser and
// the dequantising epilogue, so both compute the same int32 sums and the same floats from
// them. Private to the target.
#ifndef CEK_INT8_ROWS_H
#define CEK_INT8_ROWS_H

#include <stddef.h>
#include <stdint.h>

// A value is an outlier above this multiple of its row's root mean square.
#define CEK_INT8_OUTLIER_RATIO 4.0f
// At most this many outliers a row; any further ones are quantised with the rest.
#define CEK_INT8_MAX_OUTLIERS 32

// What quantising a row records besides its codes.
typedef struct {
    float scale;
    int32_t zero_point;
    int32_t outliers;
    int32_t index[CEK_INT8_MAX_OUTLIERS];
    float value[CEK_INT8_MAX_OUTLIERS];
} cek_int8_row_header;

// Quantises a row-major `outputs × inputs` fp32 weight per output channel, symmetric, to codes in
// [-127, 127], packed in panels of 16 output columns of `quads` input quads each (`quads` ≥
// ⌈inputs / 4⌉; the padding 0): element (k, column) of a panel sits in byte k % 4 of 32-bit lane
// `column` of quad k / 4, 64 bytes a quad. Writes each channel's scale and the sum of its codes.
void cek_int8_pack_quads(const float *weight, int outputs, int inputs, int quads, int8_t *packed, float *scales,
                         int32_t *column_sums);

// Quantises each of `rows` rows of `inputs` floats to `4 · quads` unsigned codes with a zero point
// (the padding 0; its weights are 0), recording the row's scale, zero point and outliers (whose
// codes are the zero point) in `headers`. Needs AVX512F and AVX512BW.
void cek_int8_quantise_rows(const float *a, int rows, int inputs, int quads, uint8_t *codes, cek_int8_row_header *headers);

#if defined(__x86_64__)

#include "AVX512Math.h"

// Sixteen outputs of one row from their int32 sums: undoes the row's zero point against the
// channels' code sums (exact in int32: |za · Σ qw| ≤ 255 · 127 · inputs), scales, adds the bias
// and the row's outliers, then the rest of the epilogue (finish16). Every pointer but `header`
// is already offset to the sixteen columns.
INLINE_AVX512F void cek_int8_finish16(__m512i sums, const cek_int8_row_header *header, const float *weight_scales,
                                      const int32_t *column_sums, const float *bias, const uint16_t *columns,
                                      int outputs, const float *residual, int gelu, float *c) {
    const __m512i exact = _mm512_sub_epi32(sums, _mm512_mullo_epi32(_mm512_set1_epi32(header->zero_point), _mm512_loadu_si512(column_sums)));
    const __m512 scale = _mm512_mul_ps(_mm512_loadu_ps(weight_scales), _mm512_set1_ps(header->scale));
    __m512 value = _mm512_fmadd_ps(_mm512_cvtepi32_ps(exact), scale, _mm512_loadu_ps(bias));
    value = add_outliers16(value, header->outliers, header->index, header->value, columns, outputs);
    finish16(value, residual, gelu, c);
}

#endif

#endif
