import CEmbeddingKernels

/// Tells the core that the caller is spinning on a value another core will change, so that a
/// sibling thread on the same core gets its resources meanwhile.
@inline(__always)
package func spinPause() {
    cek_spin_pause()
}
