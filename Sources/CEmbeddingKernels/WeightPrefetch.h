// What the GEMM micro-kernels share about reading their weights. Private to the target.
#ifndef CEK_WEIGHT_PREFETCH_H
#define CEK_WEIGHT_PREFETCH_H

// How far ahead of the multiply-adds the micro-kernels ask for the weight panels they stream.
// The first row block over each panel reads it from L3 or memory, and for the few rows of a lone
// query the loads waited on it whatever the hardware prefetchers did: asking 2 KB ahead took a
// third off a short query's encoder pass on a 2-core AMD EPYC VM (int8-vnni, p50 1.16 → 0.74 ms,
// medians of twelve pairs) and 8 % off a long prompt's; 4 KB was no better. A prefetch past the
// end of the weights is only a hint and never faults.
#define CEK_WEIGHT_PREFETCH_BYTES 2048

// Asks for the cache line `CEK_WEIGHT_PREFETCH_BYTES` past `weights` (a read, kept in every level).
static inline __attribute__((always_inline)) void cek_prefetch_weights(const void *weights) {
    __builtin_prefetch((const char *)weights + CEK_WEIGHT_PREFETCH_BYTES, 0, 3);
}

#endif
