// What the 16-bit integer products share — AVX2's `vpmaddwd` (Int8AVX2Kernels.c) and AVX-512
// VNNI's `vpdpwssd` (Int16VNNIKernels.c): symmetric codes for weight channels and activation
// rows, and activation rows read in pairs. Private to the target.
#ifndef CEK_PAIR_ROWS_H
#define CEK_PAIR_ROWS_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

// A value is an outlier above this multiple of its row's root mean square.
#define CEK_PAIR_OUTLIER_RATIO 4.0f
// At most this many outliers a row; any further ones are quantised with the rest.
#define CEK_PAIR_MAX_OUTLIERS 32
// The largest activation code beside 16-bit (wide) weight codes: 12 bits, symmetric.
#define CEK_WIDE_ACTIVATION_LEVELS 2047

// What quantising a row records besides its codes.
typedef struct {
    float scale;
    int32_t outliers;
    int32_t index[CEK_PAIR_MAX_OUTLIERS];
    float value[CEK_PAIR_MAX_OUTLIERS];
} cek_pair_row_header;

// Two 16-bit codes read as one 32-bit value to broadcast.
typedef int32_t __attribute__((may_alias)) cek_i16_pair;

static inline int cek_pairs_of(int inputs) { return (inputs + 1) / 2; }

// How many codes a weight of `outputs × inputs` packs into, each channel padded to whole pairs
// (bytes for int8 codes, 16-bit values for wide ones).
static inline size_t cek_pair_packed_count(int outputs, int inputs) {
    return (size_t)outputs * (size_t)cek_pairs_of(inputs) * 2;
}

// The bytes of the rows' codes (each row padded to whole pairs), 64-byte aligned; the headers
// follow them in the scratch.
static inline size_t cek_pair_codes_bytes(int rows, int inputs) {
    return ((size_t)rows * (size_t)cek_pairs_of(inputs) * 4 + 63) / 64 * 64;
}

// The scratch a product over pair rows needs: the rows' codes, then a header a row.
static inline size_t cek_pair_scratch_bytes(int rows, int inputs) {
    return cek_pair_codes_bytes(rows, inputs) + (size_t)rows * sizeof(cek_pair_row_header);
}

// Quantises one output channel's `inputs` weights symmetrically to codes in [-levels, levels],
// `width` of them (the padding 0); returns its scale.
static inline float cek_quantise_channel(const float *row, int inputs, int width, int levels, int16_t *codes) {
    float largest = 0;
    for (int k = 0; k < inputs; k++) largest = fmaxf(largest, fabsf(row[k]));
    const float scale = largest > 0 ? largest / (float)levels : 1.0f;
    for (int k = 0; k < width; k++) {
        const float q = k < inputs ? nearbyintf(row[k] / scale) : 0;
        codes[k] = (int16_t)(q > levels ? levels : q < -levels ? -levels : q);
    }
    return scale;
}

// Quantises each of `rows` rows of `inputs` floats to `2 · pairs` symmetric codes in
// [-levels, levels] (the padding 0), recording its scale and outliers (their codes 0) in
// `headers`. Needs AVX2 and FMA (every AVX-512 CPU has them).
void cek_pair_quantise_rows(const float *a, int rows, int inputs, int pairs, int levels, int16_t *codes,
                            cek_pair_row_header *headers);

#endif
