#ifndef C_EMBEDDING_KERNELS_H
#define C_EMBEDDING_KERNELS_H

#include <stddef.h>
#include <stdint.h>

// The minilm encoder's bf16 matrix product for CPUs with AVX512_BF16 (AMD Zen 4 and later, Intel
// Cooper Lake and Sapphire Rapids and later): weights and activations rounded to bfloat16, pairs
// of them multiplied and summed into fp32 accumulators by `vdpbf16ps`, twice the multiply-adds per
// instruction of an fp32 FMA. Everything else (bias, residual, GELU, the output) stays fp32.
//
// Only the product itself needs AVX-512, and it is compiled for it function by function, so the
// rest of the program still runs on any x86-64: call cek_has_avx512_bf16() first and use the fp32
// kernels when it returns 0. On other architectures it always returns 0.

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when both the CPU and the operating system support AVX512F, AVX512BW, AVX512VL and
/// AVX512_BF16 (the OS must save the AVX-512 registers on a context switch), else 0.
int cek_has_avx512_bf16(void);

/// How many 16-bit values cek_bf16_pack writes for an `outputs × inputs` weight.
size_t cek_bf16_packed_count(int outputs, int inputs);

/// Packs a row-major `outputs × inputs` fp32 weight (PyTorch's `nn.Linear.weight`) as bfloat16,
/// rounded to nearest even: panels of 16 output columns, each a run of input pairs, so the
/// product streams every panel front to back. `outputs` must be a multiple of 16; an odd
/// `inputs` is padded with a zero. Runs on any CPU.
void cek_bf16_pack(const float *weight, int outputs, int inputs, uint16_t *packed);

/// How many 16-bit values of scratch cek_bf16_multiply needs for `rows × inputs` activations.
size_t cek_bf16_scratch_count(int rows, int inputs);

/// `c[rows × outputs] = a[rows × inputs] · weightᵀ + bias`, then `+ residual` (same shape as c)
/// when `residual` is not NULL, then the exact GELU when `gelu` is not 0. Rows are row-major
/// and contiguous; any row count works (there is no padding to a block size). `a` is rounded to
/// bfloat16 into `scratch` first. Requires cek_has_avx512_bf16() == 1.
void cek_bf16_multiply(const float *a, int rows, int inputs, const uint16_t *packed, int outputs,
                       const float *bias, const float *residual, int gelu, float *c,
                       uint16_t *scratch);

#ifdef __cplusplus
}
#endif

#endif
