// What the AVX-512 GEMMs (bf16, int8 and 16-bit) share in their fp32 epilogues. It needs only
// AVX512F, so it inlines into functions compiled for either instruction set. Private to the target.
#ifndef CEK_AVX512_MATH_H
#define CEK_AVX512_MATH_H

#include "ErfCoefficients.h"
#include <immintrin.h>

#define INLINE_AVX512F static inline __attribute__((always_inline, target("avx512f")))

// erf to within a few float ulps (ErfCoefficients.h).
INLINE_AVX512F __m512 erf16(__m512 value) {
    const __m512 x = _mm512_min_ps(_mm512_max_ps(value, _mm512_set1_ps(-4.0f)), _mm512_set1_ps(4.0f));
    const __m512 x2 = _mm512_mul_ps(x, x);
    __m512 p = _mm512_fmadd_ps(x2, _mm512_set1_ps(CEK_ERF_P6), _mm512_set1_ps(CEK_ERF_P5));
    p = _mm512_fmadd_ps(x2, p, _mm512_set1_ps(CEK_ERF_P4));
    p = _mm512_fmadd_ps(x2, p, _mm512_set1_ps(CEK_ERF_P3));
    p = _mm512_fmadd_ps(x2, p, _mm512_set1_ps(CEK_ERF_P2));
    p = _mm512_fmadd_ps(x2, p, _mm512_set1_ps(CEK_ERF_P1));
    p = _mm512_fmadd_ps(x2, p, _mm512_set1_ps(CEK_ERF_P0));
    __m512 q = _mm512_fmadd_ps(x2, _mm512_set1_ps(CEK_ERF_Q4), _mm512_set1_ps(CEK_ERF_Q3));
    q = _mm512_fmadd_ps(x2, q, _mm512_set1_ps(CEK_ERF_Q2));
    q = _mm512_fmadd_ps(x2, q, _mm512_set1_ps(CEK_ERF_Q1));
    q = _mm512_fmadd_ps(x2, q, _mm512_set1_ps(CEK_ERF_Q0));
    return _mm512_div_ps(_mm512_mul_ps(x, p), q);
}

INLINE_AVX512F __m512 gelu16(__m512 x) {
    const __m512 half_x = _mm512_mul_ps(x, _mm512_set1_ps(0.5f));
    return _mm512_fmadd_ps(half_x, erf16(_mm512_mul_ps(x, _mm512_set1_ps(0.70710678118654752f))), half_x);
}

// The integer products' outliers: adds value[j] times sixteen bf16 weights of column index[j]
// (`columns` already offset to the panel; rows of `outputs`), widened to fp32, for each of the
// `count` outliers of a row.
INLINE_AVX512F __m512 add_outliers16(__m512 sum, int count, const int32_t *index, const float *value, const uint16_t *columns, int outputs) {
    for (int j = 0; j < count; j++) {
        const __m256i w = _mm256_loadu_si256((const __m256i *)(columns + (size_t)index[j] * outputs));
        const __m512 column = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(w), 16));
        sum = _mm512_fmadd_ps(_mm512_set1_ps(value[j]), column, sum);
    }
    return sum;
}

// The end of every AVX-512 product's epilogue for sixteen outputs of one row: `+ residual`
// when not NULL (offset like `c`), then GELU when `gelu`, stored to `c`.
INLINE_AVX512F void finish16(__m512 value, const float *residual, int gelu, float *c) {
    if (residual) value = _mm512_add_ps(value, _mm512_loadu_ps(residual));
    if (gelu) value = gelu16(value);
    _mm512_storeu_ps(c, value);
}

#endif
