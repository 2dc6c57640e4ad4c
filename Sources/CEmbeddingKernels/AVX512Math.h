// Vector math both AVX-512 GEMMs (bf16 and int8) share in their fp32 epilogues. It needs only
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

#endif
