#ifndef CVECTORKERNELS_H
#define CVECTORKERNELS_H

#include <stddef.h>
#include <stdint.h>

/// The instruction sets the kernels come in.
typedef enum {
    SBVK_PORTABLE = 0,
    SBVK_AVX2 = 1,
    SBVK_AVX512_VNNI = 2,
} sbvk_kernel;

/// The kernel chosen for this CPU (the widest it supports), chosen on first use.
sbvk_kernel sbvk_chosen_kernel(void);

/// Whether this CPU can run `kernel`.
int sbvk_kernel_supported(sbvk_kernel kernel);

/// The dot product of two int8 vectors of `n` codes, with 32-bit accumulation. Codes must lie in
/// [-127, 127] (symmetric quantisation never produces -128).
int32_t sbvk_dot_i8(const int8_t *a, const int8_t *b, size_t n);

/// ``sbvk_dot_i8`` with a given kernel, which must be supported (for tests that compare kernels).
int32_t sbvk_dot_i8_with(sbvk_kernel kernel, const int8_t *a, const int8_t *b, size_t n);

/// The dot product of two float vectors of `n` values.
float sbvk_dot_f32(const float *a, const float *b, size_t n);

/// For i < count: `out[i]` = `query_scale` × `scales[ids[i]]` × the dot product of `query` with
/// row `ids[i]` of `rows` (rows of `n` codes, one after another). Prefetches rows ahead while
/// computing the current one: a graph search reads rows scattered over a table much larger than
/// the caches, so most of a product's time would otherwise be spent waiting for memory.
void sbvk_similarities_i8(const int8_t *query, float query_scale, const int8_t *rows, const float *scales, size_t n,
                          const int32_t *ids, size_t count, float *out);

/// For i < count: `out[i]` = the dot product of `query` with row `ids[i]` of `rows` (rows of `n`
/// floats), prefetching as ``sbvk_similarities_i8`` does.
void sbvk_similarities_f32(const float *query, const float *rows, size_t n, const int32_t *ids, size_t count, float *out);

/// Asks the CPU to start loading the `bytes` bytes at `address` into its caches.
void sbvk_prefetch(const void *address, size_t bytes);

/// Asks the C library's allocator to hand memory it holds but nothing uses back to the system
/// (glibc's `malloc_trim`; nothing elsewhere), so that a benchmark's resident size counts live data.
void sbvk_return_freed_memory(void);

#endif
