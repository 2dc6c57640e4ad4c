// Dot products for the semantic cache's vector index, with the instruction set chosen at run
// time. The package is built for baseline x86-64 (SSE2), where a 384-d int8 product takes about
// 20 ns; with AVX2 it takes 8 and with AVX-512 VNNI 6 (one core of an EPYC Zen 4, CPU time,
// call included). Machines without either, and other architectures, get the portable loops.
#include "CVectorKernels.h"

#include <stdlib.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#if defined(__x86_64__)
#include <immintrin.h>
#define SBVK_X86 1
#endif

static int32_t dot_i8_portable(const int8_t *a, const int8_t *b, size_t n) {
    int32_t sum = 0;
    for (size_t i = 0; i < n; i++) sum += (int32_t)a[i] * (int32_t)b[i];
    return sum;
}

static float dot_f32_portable(const float *a, const float *b, size_t n) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
    }
    for (; i < n; i++) s0 += a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}

#ifdef SBVK_X86
// |a| × (b with a's sign) equals a × b and puts the unsigned operand first, as vpmaddubsw and
// vpdpbusd want; codes in [-127, 127] keep vpmaddubsw's 16-bit pair sums from saturating.
__attribute__((target("avx2")))
static int32_t dot_i8_avx2(const int8_t *a, const int8_t *b, size_t n) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i acc0 = _mm256_setzero_si256(), acc1 = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m256i x0 = _mm256_loadu_si256((const __m256i *)(a + i));
        __m256i y0 = _mm256_loadu_si256((const __m256i *)(b + i));
        __m256i x1 = _mm256_loadu_si256((const __m256i *)(a + i + 32));
        __m256i y1 = _mm256_loadu_si256((const __m256i *)(b + i + 32));
        __m256i p0 = _mm256_maddubs_epi16(_mm256_abs_epi8(x0), _mm256_sign_epi8(y0, x0));
        __m256i p1 = _mm256_maddubs_epi16(_mm256_abs_epi8(x1), _mm256_sign_epi8(y1, x1));
        acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(p0, ones));
        acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(p1, ones));
    }
    for (; i + 32 <= n; i += 32) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(a + i));
        __m256i y = _mm256_loadu_si256((const __m256i *)(b + i));
        acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_abs_epi8(x), _mm256_sign_epi8(y, x)), ones));
    }
    __m256i acc = _mm256_add_epi32(acc0, acc1);
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(s) + dot_i8_portable(a + i, b + i, n - i);
}

__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
static int32_t dot_i8_vnni(const int8_t *a, const int8_t *b, size_t n) {
    const __m512i zero = _mm512_setzero_si512();
    __m512i acc0 = zero, acc1 = zero;
    size_t i = 0;
    for (; i + 128 <= n; i += 128) {
        __m512i x0 = _mm512_loadu_si512((const void *)(a + i));
        __m512i y0 = _mm512_loadu_si512((const void *)(b + i));
        __m512i x1 = _mm512_loadu_si512((const void *)(a + i + 64));
        __m512i y1 = _mm512_loadu_si512((const void *)(b + i + 64));
        acc0 = _mm512_dpbusd_epi32(acc0, _mm512_abs_epi8(x0), _mm512_mask_sub_epi8(y0, _mm512_movepi8_mask(x0), zero, y0));
        acc1 = _mm512_dpbusd_epi32(acc1, _mm512_abs_epi8(x1), _mm512_mask_sub_epi8(y1, _mm512_movepi8_mask(x1), zero, y1));
    }
    for (; i < n; i += 64) {
        __mmask64 m = n - i >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << (n - i)) - 1);
        __m512i x = _mm512_maskz_loadu_epi8(m, (const void *)(a + i));
        __m512i y = _mm512_maskz_loadu_epi8(m, (const void *)(b + i));
        acc0 = _mm512_dpbusd_epi32(acc0, _mm512_abs_epi8(x), _mm512_mask_sub_epi8(y, _mm512_movepi8_mask(x), zero, y));
    }
    return _mm512_reduce_add_epi32(_mm512_add_epi32(acc0, acc1));
}

__attribute__((target("avx2,fma")))
static float dot_f32_avx2(const float *a, const float *b, size_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
    }
    __m256 acc = _mm256_add_ps(acc0, acc1);
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    float sum = _mm_cvtss_f32(s);
    for (; i < n; i++) sum += a[i] * b[i];
    return sum;
}
#endif

int sbvk_kernel_supported(sbvk_kernel kernel) {
    switch (kernel) {
    case SBVK_PORTABLE: return 1;
#ifdef SBVK_X86
    case SBVK_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case SBVK_AVX512_VNNI:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")
            && __builtin_cpu_supports("avx512vnni");
#endif
    default: return 0;
    }
}

typedef int32_t (*dot_i8_fn)(const int8_t *, const int8_t *, size_t);
typedef float (*dot_f32_fn)(const float *, const float *, size_t);

static dot_i8_fn dot_i8_for(sbvk_kernel kernel) {
#ifdef SBVK_X86
    if (kernel == SBVK_AVX512_VNNI) return dot_i8_vnni;
    if (kernel == SBVK_AVX2) return dot_i8_avx2;
#endif
    (void)kernel;
    return dot_i8_portable;
}

static dot_f32_fn dot_f32_for(sbvk_kernel kernel) {
#ifdef SBVK_X86
    if (kernel != SBVK_PORTABLE) return dot_f32_avx2;  // AVX-512 adds nothing measurable for floats here
#endif
    (void)kernel;
    return dot_f32_portable;
}

// Chosen once. Threads that race to choose all choose the same, so relaxed atomics suffice.
static int chosen_plus_one;

sbvk_kernel sbvk_chosen_kernel(void) {
    int chosen = __atomic_load_n(&chosen_plus_one, __ATOMIC_RELAXED) - 1;
    if (chosen < 0) {
        chosen = sbvk_kernel_supported(SBVK_AVX512_VNNI) ? SBVK_AVX512_VNNI
            : sbvk_kernel_supported(SBVK_AVX2)           ? SBVK_AVX2
                                                         : SBVK_PORTABLE;
        __atomic_store_n(&chosen_plus_one, chosen + 1, __ATOMIC_RELAXED);
    }
    return (sbvk_kernel)chosen;
}

int32_t sbvk_dot_i8(const int8_t *a, const int8_t *b, size_t n) {
    return dot_i8_for(sbvk_chosen_kernel())(a, b, n);
}

int32_t sbvk_dot_i8_with(sbvk_kernel kernel, const int8_t *a, const int8_t *b, size_t n) {
    return dot_i8_for(kernel)(a, b, n);
}

float sbvk_dot_f32(const float *a, const float *b, size_t n) {
    return dot_f32_for(sbvk_chosen_kernel())(a, b, n);
}

static inline void prefetch(const void *address, size_t bytes) {
    const char *p = (const char *)address;
    for (size_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(p + offset, 0, 3);
}

void sbvk_prefetch(const void *address, size_t bytes) {
    prefetch(address, bytes);
}

// Rows are prefetched this many ahead of the product: one row (6 cache lines of int8) is not
// enough to cover a miss to memory; 4 was measurably faster than 1 and no slower than 8.
enum { PREFETCH_AHEAD = 4 };

void sbvk_similarities_i8(const int8_t *query, float query_scale, const int8_t *rows, const float *scales, size_t n,
                          const int32_t *ids, size_t count, float *out) {
    const dot_i8_fn dot = dot_i8_for(sbvk_chosen_kernel());
    for (size_t i = 0; i < count && i < PREFETCH_AHEAD; i++) prefetch(rows + (size_t)ids[i] * n, n);
    for (size_t i = 0; i < count; i++) {
        if (i + PREFETCH_AHEAD < count) prefetch(rows + (size_t)ids[i + PREFETCH_AHEAD] * n, n);
        const size_t row = (size_t)ids[i];
        out[i] = (float)dot(query, rows + row * n, n) * query_scale * scales[row];
    }
}

void sbvk_similarities_f32(const float *query, const float *rows, size_t n, const int32_t *ids, size_t count, float *out) {
    const dot_f32_fn dot = dot_f32_for(sbvk_chosen_kernel());
    for (size_t i = 0; i < count && i < PREFETCH_AHEAD; i++) prefetch(rows + (size_t)ids[i] * n, n * sizeof(float));
    for (size_t i = 0; i < count; i++) {
        if (i + PREFETCH_AHEAD < count) prefetch(rows + (size_t)ids[i + PREFETCH_AHEAD] * n, n * sizeof(float));
        out[i] = dot(query, rows + (size_t)ids[i] * n, n);
    }
}

void sbvk_return_freed_memory(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}
