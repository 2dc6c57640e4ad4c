#include "CEmbeddingKernels.h"
#include "BF16Rounding.h"
#include "BF16Rows.h"
#include "Int8Rows.h"

#include <string.h>

// The matrix products on AMX (Intel Sapphire Rapids and later): eight tile registers of 16 rows ×
// 64 bytes, and one instruction multiplies a 16 × 64-byte tile of activations by a 64-byte × 16
// tile of weights into a 16 × 16 tile of 32-bit sums — `tdpbusd`, 16,384 u8 · s8 multiply-adds
// (256 `vpdpbusd`s' worth), or `tdpbf16ps`, 8,192 bf16 ones.
//
// The codes are those of the AVX-512 paths, so the numbers are too: the int8 product quantises
// its activation rows with int8-vnni's quantiser (Int8Rows.h) and multiplies them with the same
// weight codes in the same panels, so its int32 sums — and the floats the shared epilogue makes
// of them — are exactly int8-vnni's; the bf16 product rounds as avx512-bf16 does and differs
// from it only in the order of its fp32 additions. The weight panels are already laid out as
// AMX wants its second operand: a panel's 16 consecutive quads (pairs) are one 16-row tile of 64
// bytes a row. Only the padding differs: each channel's inputs are padded with zeros to a
// multiple of 64 bytes, and the activation rows to a multiple of 16 rows, so every tile is whole.
//
// A product of 32 rows by 32 output columns keeps four sums tiles (tmm0–3), two activation
// tiles (tmm4–5) and two weight tiles (tmm6–7). The tiles are configured at the start of each
// product and released at its end, so a thread holds no tile state between products.

// The input quads (pairs) of one tile row: 64 bytes.
#define TILE_QUADS 16
#define TILE_ROWS 16

static int amx_quads(int inputs) { return (inputs + 63) / 64 * TILE_QUADS; }
static int amx_pairs(int inputs) { return (inputs + 31) / 32 * TILE_QUADS; }
static int padded_rows(int rows) { return (rows + TILE_ROWS - 1) / TILE_ROWS * TILE_ROWS; }

size_t cek_int8_amx_packed_count(int outputs, int inputs) { return (size_t)outputs * (size_t)amx_quads(inputs) * 4; }

void cek_int8_amx_pack(const float *weight, int outputs, int inputs, int8_t *packed, float *scales, int32_t *column_sums, uint16_t *columns) {
    cek_bf16_columns(weight, outputs, inputs, columns);
    cek_int8_pack_quads(weight, outputs, inputs, amx_quads(inputs), packed, scales, column_sums);
}

// The codes of every row, padded to whole tiles, then a header per row.
static size_t int8_codes_bytes(int rows, int inputs) { return (size_t)padded_rows(rows) * (size_t)amx_quads(inputs) * 4; }

size_t cek_int8_amx_scratch_bytes(int rows, int inputs) {
    return int8_codes_bytes(rows, inputs) + (size_t)rows * sizeof(cek_int8_row_header);
}

size_t cek_bf16_amx_packed_count(int outputs, int inputs) { return (size_t)outputs * (size_t)amx_pairs(inputs) * 2; }

void cek_bf16_amx_pack(const float *weight, int outputs, int inputs, uint16_t *packed) {
    cek_bf16_pack_pairs(weight, outputs, inputs, amx_pairs(inputs), packed);
}

size_t cek_bf16_amx_scratch_count(int rows, int inputs) { return (size_t)padded_rows(rows) * (size_t)amx_pairs(inputs) * 2; }

#if defined(__x86_64__) && defined(__linux__)

#include "AVX512Support.h"
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>

// Linux's request for the tile data state (arch/x86/include/uapi/asm/prctl.h).
#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18

int cek_amx_enable(void) {
    if (!cek_has_avx512_vnni() || !cek_has_avx512_bf16()) return 0;
    unsigned eax, ebx, ecx, edx;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    const unsigned bf16 = 1u << 22, tile = 1u << 24, int8 = 1u << 25;
    if ((edx & (bf16 | tile | int8)) != (bf16 | tile | int8)) return 0;
    // XCR0: the OS saves the tile configuration and the tile data.
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0x60000u) != 0x60000u) return 0;
    // Linux hands out the 8 KiB of tile data per process on request; granting it twice is
    // harmless. Without it the first tile instruction faults.
    return syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0;
}

#define AMX __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx512bf16,amx-tile,amx-int8,amx-bf16")))
#define INLINE_AMX static inline __attribute__((always_inline)) AMX

// The layout `ldtilecfg` reads: palette 1, then each tile's bytes a row and rows.
typedef struct {
    uint8_t palette;
    uint8_t start_row;
    uint8_t reserved[14];
    uint16_t bytes_per_row[16];
    uint8_t rows[16];
} tile_config;

// Every tile full: 16 rows of 64 bytes.
AMX static void configure_tiles(void) {
    tile_config config;
    memset(&config, 0, sizeof config);
    config.palette = 1;
    for (int t = 0; t < 8; t++) {
        config.rows[t] = TILE_ROWS;
        config.bytes_per_row[t] = 64;
    }
    _tile_loadconfig(&config);
}

// One tile of sums, as stored: 16 rows of 16 32-bit values (int32 or fp32).
typedef struct { int32_t value[TILE_ROWS * 16]; } __attribute__((aligned(64))) sums_tile;

// The two products: u8 · s8 quads into int32 (`tdpbusd`), bf16 pairs into fp32 (`tdpbf16ps`).
enum tile_product { INT8_PRODUCT, BF16_PRODUCT };

// `rowTiles` × `panels` (each 1 or 2) tiles of sums over whole activation rows of `stride`
// bytes from `a` and weight panels from `w`. Both layouts take 64 bytes of a row (16 quads or
// pairs) against the 16 × 64 bytes of a panel that follow, so a panel is 16 · `stride` bytes.
// Always inlined with constant arguments, since a tile instruction names its tiles as immediates.
INLINE_AMX void product_tiles(const enum tile_product product, const int rowTiles, const int panels, const uint8_t *a,
                              size_t stride, const uint8_t *w, sums_tile out[4]) {
    const size_t panelStride = 16 * stride;
    _tile_zero(0);
    if (panels > 1) _tile_zero(1);
    if (rowTiles > 1) _tile_zero(2);
    if (rowTiles > 1 && panels > 1) _tile_zero(3);
    for (size_t k = 0; k < stride; k += 64) {
        _tile_loadd(4, a + k, stride);
        if (rowTiles > 1) _tile_loadd(5, a + TILE_ROWS * stride + k, stride);
        _tile_loadd(6, w + 16 * k, 64);
        if (panels > 1) _tile_loadd(7, w + panelStride + 16 * k, 64);
        if (product == INT8_PRODUCT) {
            _tile_dpbusd(0, 4, 6);
            if (panels > 1) _tile_dpbusd(1, 4, 7);
            if (rowTiles > 1) _tile_dpbusd(2, 5, 6);
            if (rowTiles > 1 && panels > 1) _tile_dpbusd(3, 5, 7);
        } else {
            _tile_dpbf16ps(0, 4, 6);
            if (panels > 1) _tile_dpbf16ps(1, 4, 7);
            if (rowTiles > 1) _tile_dpbf16ps(2, 5, 6);
            if (rowTiles > 1 && panels > 1) _tile_dpbf16ps(3, 5, 7);
        }
    }
    _tile_stored(0, out[0].value, 64);
    if (panels > 1) _tile_stored(1, out[1].value, 64);
    if (rowTiles > 1) _tile_stored(2, out[2].value, 64);
    if (rowTiles > 1 && panels > 1) _tile_stored(3, out[3].value, 64);
}

// What turns a product's sums into outputs: the fp32 epilogue's operands, and for the int8
// product the rows' headers and the channels' scales, code sums and bf16 columns.
typedef struct {
    int rows, outputs, gelu;
    const float *bias, *residual;
    float *c;
    const cek_int8_row_header *headers;
    const float *weight_scales;
    const int32_t *column_sums;
    const uint16_t *columns;
} epilogue_operands;

// Where a block of sums tiles belongs: its first row and first panel, and how many of each.
typedef struct {
    int start, panel, rowTiles, panels;
} tile_block;

// The epilogue of one block whose sums are in `out`.
INLINE_AMX void finish_block(const enum tile_product product, tile_block block, const sums_tile out[4],
                             const epilogue_operands *e) {
    for (int t = 0; t < 2 * block.rowTiles; t++) {
        if ((t & 1) >= block.panels) continue;
        const int column = (block.panel + (t & 1)) * 16;
        for (int i = 0; i < TILE_ROWS; i++) {
            const int r = block.start + (t >> 1) * TILE_ROWS + i;
            if (r >= e->rows) break;
            const size_t at = (size_t)r * e->outputs + column;
            const float *residual = e->residual ? e->residual + at : NULL;
            if (product == INT8_PRODUCT) {
                cek_int8_finish16(_mm512_load_si512(out[t].value + i * 16), e->headers + r, e->weight_scales + column,
                                  e->column_sums + column, e->bias + column, e->columns + column, e->outputs, residual,
                                  e->gelu, e->c + at);
            } else {
                const __m512 value = _mm512_add_ps(_mm512_load_ps((const float *)out[t].value + i * 16), _mm512_loadu_ps(e->bias + column));
                finish16(value, residual, e->gelu, e->c + at);
            }
        }
    }
}

// Multiplies `padded` activation rows of `stride` bytes (the rows past e->rows zero) by the
// weight panels in `packed`, block by block, 32 rows by 32 columns (or the 16 of a last row
// tile or panel), panels within rows. Each block's sums are stored, then finished only after
// the next block's products are issued: a vector load of what a tile store has just written
// waits for it to drain, and meanwhile the tile unit and the vector units work at once.
INLINE_AMX void multiply_blocks(const enum tile_product product, const uint8_t *a, int padded, size_t stride,
                                const uint8_t *packed, int panelCount, const epilogue_operands *e) {
    configure_tiles();
    sums_tile out[2][4];
    tile_block pending = {0, 0, 0, 0};
    int which = 0;
    for (int start = 0; start < padded; start += 2 * TILE_ROWS) {
        for (int panel = 0; panel < panelCount; panel += 2) {
            const tile_block block = {start, panel, padded - start >= 2 * TILE_ROWS ? 2 : 1, panelCount - panel >= 2 ? 2 : 1};
            const uint8_t *rows = a + (size_t)start * stride, *w = packed + (size_t)panel * 16 * stride;
            if (block.rowTiles == 2 && block.panels == 2) product_tiles(product, 2, 2, rows, stride, w, out[which]);
            else if (block.rowTiles == 2) product_tiles(product, 2, 1, rows, stride, w, out[which]);
            else if (block.panels == 2) product_tiles(product, 1, 2, rows, stride, w, out[which]);
            else product_tiles(product, 1, 1, rows, stride, w, out[which]);
            if (pending.rowTiles) finish_block(product, pending, out[which ^ 1], e);
            pending = block;
            which ^= 1;
        }
    }
    finish_block(product, pending, out[which ^ 1], e);
    _tile_release();
}

AMX void cek_int8_amx_multiply(
    const float *a, int rows, int inputs, const int8_t *packed, const float *weight_scales,
    const int32_t *column_sums, const uint16_t *columns, int outputs, const float *bias,
    const float *residual, int gelu, float *c, void *scratch
) {
    if (rows <= 0) return;
    const int quads = amx_quads(inputs), padded = padded_rows(rows);
    const size_t stride = (size_t)quads * 4;
    uint8_t *codes = scratch;
    cek_int8_row_header *headers = (cek_int8_row_header *)(codes + int8_codes_bytes(rows, inputs));
    cek_int8_quantise_rows(a, rows, inputs, quads, codes, headers);
    memset(codes + (size_t)rows * stride, 0, (size_t)(padded - rows) * stride);
    const epilogue_operands e = {rows, outputs, gelu, bias, residual, c, headers, weight_scales, column_sums, columns};
    multiply_blocks(INT8_PRODUCT, codes, padded, stride, (const uint8_t *)packed, outputs / 16, &e);
}

AMX void cek_bf16_amx_multiply(
    const float *a, int rows, int inputs, const uint16_t *packed, int outputs,
    const float *bias, const float *residual, int gelu, float *c, uint16_t *scratch
) {
    if (rows <= 0) return;
    const int pairs = amx_pairs(inputs), padded = padded_rows(rows);
    const size_t stride = (size_t)pairs * 4;
    cek_bf16_round_rows(a, rows, inputs, pairs, scratch);
    memset((uint8_t *)scratch + (size_t)rows * stride, 0, (size_t)(padded - rows) * stride);
    const epilogue_operands e = {rows, outputs, gelu, bias, residual, c, NULL, NULL, NULL, NULL};
    multiply_blocks(BF16_PRODUCT, (const uint8_t *)scratch, padded, stride, (const uint8_t *)packed, outputs / 16, &e);
}

#else

int cek_amx_enable(void) { return 0; }

void cek_int8_amx_multiply(const float *a, int rows, int inputs, const int8_t *packed, const float *weight_scales,
                           const int32_t *column_sums, const uint16_t *columns, int outputs, const float *bias,
                           const float *residual, int gelu, float *c, void *scratch) {
    // Never called: cek_amx_enable() is 0 here, so callers take another path.
    (void)a; (void)rows; (void)inputs; (void)packed; (void)weight_scales; (void)column_sums; (void)columns;
    (void)outputs; (void)bias; (void)residual; (void)gelu; (void)c; (void)scratch;
}

void cek_bf16_amx_multiply(const float *a, int rows, int inputs, const uint16_t *packed, int outputs,
                           const float *bias, const float *residual, int gelu, float *c, uint16_t *scratch) {
    // Never called: cek_amx_enable() is 0 here, so callers take another path.
    (void)a; (void)rows; (void)inputs; (void)packed; (void)outputs;
    (void)bias; (void)residual; (void)gelu; (void)c; (void)scratch;
}

#endif
