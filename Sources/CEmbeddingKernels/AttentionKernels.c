#include "CEmbeddingKernels.h"

// Scaled dot-product attention on AVX-512F, for every AVX-512 kernel path. The portable kernel
// (MatrixKernels.attention in Swift) takes one query against one key at a time, so every score
// ends in a horizontal sum and a scalar `expf`: a fifth of a long prompt's encoder time on a
// 2-core AMD EPYC VM. Here each head's keys are first copied transposed (head_size rows of `padded`
// keys), so sixteen scores are one vector of broadcast-FMAs over the head's dimensions; softmax
// runs sixteen scores at a time with a vector exp; and QUERIES queries share every load of a key
// and of a value, each with accumulators of its own (independent FMA chains). A query's
// arithmetic does not depend on which other queries share its group, so any split of the query
// rows between threads computes the same result to the bit.

// Queries computed together: their accumulators, four FMA chains deep, keep the FMA units busy.
#define QUERIES 4

static inline int padded_length(int length) { return (length + 15) / 16 * 16; }

size_t cek_attention_scratch_count(int length, int head_size) {
    return (size_t)padded_length(length) * (size_t)(head_size + QUERIES);
}

#if defined(__x86_64__)

#include "AVX512Math.h"
#include "AVX512Support.h"

#define TARGET __attribute__((target("avx512f,avx512bw,avx512vl")))
int cek_has_avx512f(void) { return cek_has_avx512_base(); }

// e^x for x ≤ 0 (scores minus their row's largest), to about one ulp: x = k·ln 2 + r with
// |r| ≤ ln 2 / 2, e^r by its Taylor polynomial to degree 6 (error below 1.3e-7 relative), then
// scaled by 2^k. Below −87.3 the result is e^−87.3 ≈ 1e-38, not 0, which a softmax over at least
// one score of e^0 = 1 cannot tell apart.
INLINE_AVX512F __m512 exp16(__m512 x) {
    x = _mm512_max_ps(x, _mm512_set1_ps(-87.3f));
    const __m512 k = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(k, _mm512_set1_ps(0.693145751953125f), x);
    r = _mm512_fnmadd_ps(k, _mm512_set1_ps(1.428606765330187e-06f), r);
    __m512 p = _mm512_set1_ps(1.0f / 720);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, k);
}

// `count` (a constant where it is inlined) queries from `first` of one head: scores against the
// transposed keys, softmax, then the weighted sum of the values into `context`.
static inline __attribute__((always_inline)) TARGET
void attend(const float *query, const float *keys, const float *value, float *context, float *weights,
            int first, int count, int length, int padded, int head_size, int stride, int hidden) {
    const int blocks = padded / 16;
    const __mmask16 last = (__mmask16)(0xffffu >> (padded - length));
    for (int b = 0; b < blocks; b++) {
        __m512 score[QUERIES];
        for (int q = 0; q < count; q++) score[q] = _mm512_setzero_ps();
        for (int d = 0; d < head_size; d++) {
            const __m512 key = _mm512_loadu_ps(keys + (size_t)d * padded + b * 16);
            for (int q = 0; q < count; q++) score[q] = _mm512_fmadd_ps(_mm512_set1_ps(query[(size_t)(first + q) * stride + d]), key, score[q]);
        }
        for (int q = 0; q < count; q++) _mm512_storeu_ps(weights + (size_t)q * padded + b * 16, score[q]);
    }
    float inverse[QUERIES];
    for (int q = 0; q < count; q++) {
        float *w = weights + (size_t)q * padded;
        __m512 largest = _mm512_set1_ps(-__builtin_inff());
        for (int b = 0; b < blocks; b++) {
            const __mmask16 valid = b == blocks - 1 ? last : 0xffff;
            largest = _mm512_mask_max_ps(largest, valid, largest, _mm512_loadu_ps(w + b * 16));
        }
        const __m512 top = _mm512_set1_ps(_mm512_reduce_max_ps(largest));
        __m512 total = _mm512_setzero_ps();
        for (int b = 0; b < blocks; b++) {
            const __mmask16 valid = b == blocks - 1 ? last : 0xffff;
            const __m512 e = _mm512_maskz_mov_ps(valid, exp16(_mm512_sub_ps(_mm512_loadu_ps(w + b * 16), top)));
            _mm512_storeu_ps(w + b * 16, e);
            total = _mm512_add_ps(total, e);
        }
        inverse[q] = 1.0f / _mm512_reduce_add_ps(total);
    }
    for (int c = 0; c < head_size; c += 16) {
        __m512 sum[QUERIES];
        for (int q = 0; q < count; q++) sum[q] = _mm512_setzero_ps();
        for (int j = 0; j < length; j++) {
            const __m512 v = _mm512_loadu_ps(value + (size_t)j * stride + c);
            for (int q = 0; q < count; q++) sum[q] = _mm512_fmadd_ps(_mm512_set1_ps(weights[(size_t)q * padded + j]), v, sum[q]);
        }
        for (int q = 0; q < count; q++) _mm512_storeu_ps(context + (size_t)(first + q) * hidden + c, _mm512_mul_ps(sum[q], _mm512_set1_ps(inverse[q])));
    }
}

TARGET void cek_attention(const float *qkv, float *context, int length, int first_query, int end_query,
                          int hidden, int heads, float *scratch) {
    const int head_size = hidden / heads, stride = 3 * hidden, padded = padded_length(length);
    float *keys = scratch, *weights = scratch + (size_t)head_size * padded;
    for (int head = 0; head < heads; head++) {
        const float *query = qkv + head * head_size, *key = qkv + hidden + head * head_size;
        const float *value = qkv + 2 * hidden + head * head_size;
        float *out = context + head * head_size;
        for (int j = 0; j < length; j++) {
            for (int d = 0; d < head_size; d++) keys[(size_t)d * padded + j] = key[(size_t)j * stride + d];
        }
        // The padding keys' scores are masked out; zeros keep them finite.
        for (int d = 0; d < head_size; d++) {
            for (int j = length; j < padded; j++) keys[(size_t)d * padded + j] = 0;
        }
        int i = first_query;
        for (; i + QUERIES <= end_query; i += QUERIES) attend(query, keys, value, out, weights, i, QUERIES, length, padded, head_size, stride, hidden);
        switch (end_query - i) {
        case 3: attend(query, keys, value, out, weights, i, 3, length, padded, head_size, stride, hidden); break;
        case 2: attend(query, keys, value, out, weights, i, 2, length, padded, head_size, stride, hidden); break;
        case 1: attend(query, keys, value, out, weights, i, 1, length, padded, head_size, stride, hidden); break;
        default: break;
        }
    }
}

#else

int cek_has_avx512f(void) { return 0; }

void cek_attention(const float *qkv, float *context, int length, int first_query, int end_query,
                   int hidden, int heads, float *scratch) {
    // Never called: cek_has_avx512f() is 0 here, so callers take the portable kernel.
    (void)qkv; (void)context; (void)length; (void)first_query; (void)end_query; (void)hidden; (void)heads; (void)scratch;
}

#endif
