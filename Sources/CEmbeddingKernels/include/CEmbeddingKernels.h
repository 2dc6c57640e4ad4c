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
//
// The int8 product (AVX-512 VNNI, `vpdpbusd`) is built the same way: call cek_has_avx512_vnni()
// first; so is the int8 product for AVX2-only CPUs (`vpmaddwd`): call cek_has_avx2_fma() first.

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

/// 1 when both the CPU and the operating system support AVX512F, AVX512BW, AVX512VL and
/// AVX512_VNNI, else 0 (always 0 on other architectures).
int cek_has_avx512_vnni(void);

/// How many bytes cek_int8_pack writes for an `outputs × inputs` weight.
size_t cek_int8_packed_count(int outputs, int inputs);

/// Quantises a row-major `outputs × inputs` fp32 weight to int8, per output channel and
/// symmetric (`scales[o] = max |w[o][·]| / 127`, codes in [-127, 127], rounded to nearest), and
/// packs it in panels of 16 output columns, each a run of input quads (the last padded with
/// zeros), for `vpdpbusd`. Also writes each channel's scale and the sum of its codes to
/// `scales[outputs]` and `column_sums[outputs]`, and the weight transposed and rounded to bf16
/// to `columns[inputs × outputs]` (for the activations too large to quantise with their row).
/// `outputs` must be a multiple of 16. Runs on any CPU.
void cek_int8_pack(const float *weight, int outputs, int inputs, int8_t *packed, float *scales,
                   int32_t *column_sums, uint16_t *columns);

/// How many bytes of scratch cek_int8_multiply needs for `rows × inputs` activations.
size_t cek_int8_scratch_bytes(int rows, int inputs);

/// As cek_bf16_multiply, on int8: each row of `a` is quantised to unsigned 8-bit codes with its
/// own scale and zero point (its range, 0 included, in 255 steps) into `scratch` (64-byte
/// aligned), multiplied with the packed weight by `vpdpbusd` into int32 accumulators, and
/// dequantised into the same fp32 epilogue (bias, then residual, then GELU). A row's outliers,
/// values above 4 times its root mean square (at most 32 a row), are left out of its range and
/// its codes and multiplied in fp32 with their bf16 `columns` instead. Requires
/// cek_has_avx512_vnni() == 1.
void cek_int8_multiply(const float *a, int rows, int inputs, const int8_t *packed,
                       const float *weight_scales, const int32_t *column_sums,
                       const uint16_t *columns, int outputs, const float *bias,
                       const float *residual, int gelu, float *c, void *scratch);

/// 1 when both the CPU and the operating system support AVX2 and FMA (the OS must save the AVX
/// registers), else 0 (always 0 on other architectures).
int cek_has_avx2_fma(void);

/// How many bytes cek_int8_avx2_pack writes for an `outputs × inputs` weight.
size_t cek_int8_avx2_packed_count(int outputs, int inputs);

/// Quantises a weight as cek_int8_pack does (per output channel, symmetric, codes in [-127, 127])
/// and packs it in panels of 8 output columns, each a run of input pairs (the last padded with a
/// zero), for `vpmaddwd` once widened to 16 bits. Writes each channel's scale to
/// `scales[outputs]` and the weight transposed in bf16 to `columns[inputs × outputs]`. `outputs`
/// must be a multiple of 16. Runs on any CPU.
void cek_int8_avx2_pack(const float *weight, int outputs, int inputs, int8_t *packed, float *scales,
                        uint16_t *columns);

/// How many bytes of scratch cek_int8_avx2_multiply needs for `rows × inputs` activations.
size_t cek_int8_avx2_scratch_bytes(int rows, int inputs);

/// As cek_int8_multiply, on AVX2: each row of `a` is quantised symmetrically to 13-bit codes
/// (its largest magnitude, outliers left out, in 4,095 steps) stored as 16 bits into `scratch`
/// (64-byte aligned), multiplied with the int8 weight widened to 16 bits by `vpmaddwd` into int32
/// accumulators, and dequantised into the fp32 epilogue (bias, then residual, then GELU). A row's
/// outliers (above 4 times its root mean square, at most 32) multiply their bf16 `columns` in
/// fp32. Requires cek_has_avx2_fma() == 1.
void cek_int8_avx2_multiply(const float *a, int rows, int inputs, const int8_t *packed,
                            const float *weight_scales, const uint16_t *columns, int outputs,
                            const float *bias, const float *residual, int gelu, float *c,
                            void *scratch);

/// How many 16-bit values cek_int16_avx2_pack writes for an `outputs × inputs` weight.
size_t cek_int16_avx2_packed_count(int outputs, int inputs);

/// The largest weight code cek_int16_avx2_pack uses for `inputs` inputs: 511 (10 bits) up to
/// 2,052 inputs, fewer beyond, so that no int32 sum of cek_int16_avx2_multiply can overflow.
int cek_int16_avx2_weight_levels(int inputs);

/// As cek_int8_avx2_pack, with codes in [-cek_int16_avx2_weight_levels(inputs), …] stored as
/// 16 bits. Runs on any CPU.
void cek_int16_avx2_pack(const float *weight, int outputs, int inputs, int16_t *packed, float *scales,
                         uint16_t *columns);

/// As cek_int8_avx2_multiply, with the 16-bit weight codes of cek_int16_avx2_pack and 12-bit
/// activation codes (2,047 steps); the same scratch (cek_int8_avx2_scratch_bytes). Requires
/// cek_has_avx2_fma() == 1.
void cek_int16_avx2_multiply(const float *a, int rows, int inputs, const int16_t *packed,
                             const float *weight_scales, const uint16_t *columns, int outputs,
                             const float *bias, const float *residual, int gelu, float *c,
                             void *scratch);

/// How many 16-bit values cek_int16_vnni_pack writes for an `outputs × inputs` weight.
size_t cek_int16_vnni_packed_count(int outputs, int inputs);

/// The codes of cek_int16_avx2_pack (per output channel, symmetric, in
/// cek_int16_avx2_weight_levels(inputs) steps, stored as 16 bits) packed in panels of 16 output
/// columns, each a run of input pairs (the last padded with a zero), for `vpdpwssd`. Writes each
/// channel's scale to `scales[outputs]` and the weight transposed in bf16 to
/// `columns[inputs × outputs]`. `outputs` must be a multiple of 16. Runs on any CPU.
void cek_int16_vnni_pack(const float *weight, int outputs, int inputs, int16_t *packed, float *scales,
                         uint16_t *columns);

/// How many bytes of scratch cek_int16_vnni_multiply needs for `rows × inputs` activations.
size_t cek_int16_vnni_scratch_bytes(int rows, int inputs);

/// As cek_int16_avx2_multiply (12-bit activation codes per row, outliers in fp32 against their
/// bf16 `columns`, the same fp32 epilogue), on AVX-512 VNNI's `vpdpwssd` with the weight of
/// cek_int16_vnni_pack; `scratch` 64-byte aligned. Requires cek_has_avx512_vnni() == 1.
void cek_int16_vnni_multiply(const float *a, int rows, int inputs, const int16_t *packed,
                             const float *weight_scales, const uint16_t *columns, int outputs,
                             const float *bias, const float *residual, int gelu, float *c,
                             void *scratch);

/// 1 when the CPU has AMX-TILE, AMX-INT8 and AMX-BF16 (with the AVX-512 VNNI and BF16 the
/// epilogues use), the operating system saves the tile registers, and it lets this process use
/// them — on Linux this asks for them (`arch_prctl(ARCH_REQ_XCOMP_PERM)`, granted to every
/// thread of the process) — else 0 (always 0 on other architectures and systems). Call it
/// before any other cek_*_amx_multiply.
int cek_amx_enable(void);

/// How many bytes cek_int8_amx_pack writes for an `outputs × inputs` weight.
size_t cek_int8_amx_packed_count(int outputs, int inputs);

/// cek_int8_pack's codes, scales, column sums and bf16 columns, each channel's inputs padded
/// with zeros to a multiple of 64 (whole AMX tiles). `outputs` must be a multiple of 16. Runs
/// on any CPU.
void cek_int8_amx_pack(const float *weight, int outputs, int inputs, int8_t *packed, float *scales,
                       int32_t *column_sums, uint16_t *columns);

/// How many bytes of scratch cek_int8_amx_multiply needs for `rows × inputs` activations.
size_t cek_int8_amx_scratch_bytes(int rows, int inputs);

/// As cek_int8_multiply — the same activation codes, weight codes and epilogue, so the same
/// result to the bit — with the products on AMX's `tdpbusd`; `scratch` 64-byte aligned.
/// Requires cek_amx_enable() == 1.
void cek_int8_amx_multiply(const float *a, int rows, int inputs, const int8_t *packed,
                           const float *weight_scales, const int32_t *column_sums,
                           const uint16_t *columns, int outputs, const float *bias,
                           const float *residual, int gelu, float *c, void *scratch);

/// How many 16-bit values cek_bf16_amx_pack writes for an `outputs × inputs` weight.
size_t cek_bf16_amx_packed_count(int outputs, int inputs);

/// cek_bf16_pack's panels, each channel's inputs padded with zeros to a multiple of 32 (whole
/// AMX tiles). `outputs` must be a multiple of 16. Runs on any CPU.
void cek_bf16_amx_pack(const float *weight, int outputs, int inputs, uint16_t *packed);

/// How many 16-bit values of scratch cek_bf16_amx_multiply needs for `rows × inputs` activations.
size_t cek_bf16_amx_scratch_count(int rows, int inputs);

/// As cek_bf16_multiply (activations rounded to bf16 alike, the same fp32 epilogue), with the
/// products on AMX's `tdpbf16ps`; `scratch` 64-byte aligned. Requires cek_amx_enable() == 1.
void cek_bf16_amx_multiply(const float *a, int rows, int inputs, const uint16_t *packed, int outputs,
                           const float *bias, const float *residual, int gelu, float *c,
                           uint16_t *scratch);

/// 1 when both the CPU and the operating system support AVX512F, AVX512BW and AVX512VL (what
/// cek_attention needs), else 0.
int cek_has_avx512f(void);

/// How many floats of scratch cek_attention needs for a sequence of `length` rows and heads of
/// `head_size` dimensions.
size_t cek_attention_scratch_count(int length, int head_size);

/// Scaled dot-product attention of one sequence of `length` rows, every head, for the query rows
/// [first_query, end_query): reads queries (already scaled by 1/sqrt(head_size)), keys and values
/// from `qkv` (row stride 3 * hidden) and writes each head's context into its columns of
/// `context` (row stride hidden). hidden / heads must be a multiple of 16; `scratch` holds
/// cek_attention_scratch_count(length, hidden / heads) floats. Each query row's result does not
/// depend on the range it is computed in. Requires cek_has_avx512f() == 1.
void cek_attention(const float *qkv, float *context, int length, int first_query, int end_query,
                   int hidden, int heads, float *scratch);

/// A hint to the core that the caller is spinning on a value another core will change (x86's
/// `pause`; nothing elsewhere): it yields the core's shared resources to a sibling thread.
static inline void cek_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

#ifdef __cplusplus
}
#endif

#endif
