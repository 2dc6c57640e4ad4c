// bf16 rounding shared by the kernel paths' packing, which runs on any CPU. Private to the target.
#ifndef CEK_BF16_ROUNDING_H
#define CEK_BF16_ROUNDING_H

#include <stdint.h>
#include <string.h>

// Round to nearest even, as vcvtne2ps2bf16 does, so packed weights and activations round alike;
// NaN stays a (quiet) NaN.
static inline uint16_t cek_to_bf16(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits >> 16) | 0x40);
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return (uint16_t)(bits >> 16);
}

// The int8 paths' copy of a row-major `outputs × inputs` weight for outlier activations:
// transposed (`columns[k · outputs + o]`), so one input's column is contiguous, and in bf16.
static inline void cek_bf16_columns(const float *weight, int outputs, int inputs, uint16_t *columns) {
    for (int o = 0; o < outputs; o++) {
        for (int k = 0; k < inputs; k++) columns[(size_t)k * outputs + o] = cek_to_bf16(weight[(size_t)o * inputs + k]);
    }
}

#endif
