import Dashboard
import ServingEngine
import Testing

@Suite struct CachePaneEmbedderTests {
    func cachePane(embedderFailures: Int = 0, embedder: String = "hashing", variant: String? = nil) -> String {
        var frame = Fixtures.frame(width: 160, height: 48)
        frame.snapshot.totals.embedderFailures = embedderFailures
        frame.snapshot.cache.embedder = embedder
        frame.snapshot.cache.embedderVariant = variant
        let rect = frame.state.layout.rect(.cache)
        var canvas = Canvas(width: rect.width, height: rect.height, monochrome: true)
        DashboardRenderer.draw(.cache, frame: frame, in: Rect(x: 0, y: 0, width: rect.width, height: rect.height), on: &canvas)
        return SnapshotText.of(canvas)
    }

    @Test func embedderFailuresAreShownOnlyWhenThereAreSome() {
        #expect(cachePane(embedderFailures: 37).contains("hits: cosine ≥ 0.85 · failures 37"))
        #expect(!cachePane(embedderFailures: 0).contains("failures"))
    }

    @Test func theEmbeddersKernelPathIsNamedWhenItHasOne() {
        #expect(cachePane(embedder: "minilm", variant: "avx512-bf16").contains("embedder minilm (avx512-bf16) · hits:"))
        #expect(cachePane(embedder: "hashing").contains("embedder hashing · hits:"))
    }
}
