// What the bf16 products share — AVX512_BF16's `vdpbf16ps` (BF16Kernels.c) and AMX's
// `tdpbf16ps` (AMXKernels.c): the weights' packing and the rounding of activation rows. Private
// to the target.
#ifndef CEK_BF16_ROWS_H
#define CEK_BF16_ROWS_H

#include <stdint.h>

// Packs a row-major `outputs × inputs` fp32 weight as bfloat16 (round to nearest even) in panels
// of 16 output columns of `pairs` input pairs each (`pairs` ≥ ⌈inputs / 2⌉; the padding 0):
// element (k, column) sits in 32-bit lane `column` of pair k / 2, low half first, 64 bytes a pair.
void cek_bf16_pack_pairs(const float *weight, int outputs, int inputs, int pairs, uint16_t *packed);

// Rounds `rows` rows of `inputs` floats to bf16 rows of `2 · pairs` values (the padding 0).
// Needs AVX512F, AVX512BW and AVX512_BF16.
void cek_bf16_round_rows(const float *a, int rows, int inputs, int pairs, uint16_t *out);

#endif
