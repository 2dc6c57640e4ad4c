import Foundation

/// Families of prompts for the traffic generator: each family is one request in several
/// wordings, drawn with a skewed popularity, so that exact repeats, paraphrases (semantic
/// hits), never-seen prompts, easy and hard prompts all show up as in real traffic.
package struct PromptCatalog: Sendable {
    package struct Family: Sendable {
        var wordings: [String]
        var hard: Bool
    }

    package let easy: [Family]
    package let hard: [Family]

    /// Zipf weights (s ≈ 1.1) as a cumulative table, so a draw is one binary search.
    private let easyCumulative: [Double]
    private let hardCumulative: [Double]

    package init() {
        easy = Self.expand(Self.easyTemplates, values: Self.easyValues, hard: false)
        hard = Self.expand(Self.hardTemplates, values: Self.hardValues, hard: true)
        easyCumulative = Self.zipf(count: easy.count)
        hardCumulative = Self.zipf(count: hard.count)
    }

    /// The share of prompts that are one-offs (random numbers make them unique): the long tail
    /// that no cache can serve, which keeps hit rates realistic.
    package static let tailShare = 0.4

    /// Draws one prompt.
    package func draw(hardShare: Double, using random: inout SeededRandom) -> (prompt: String, hard: Bool) {
        let isHard = random.unit() < hardShare
        if random.unit() < Self.tailShare {
            let a = 2 + random.next() % 997, b = 2 + random.next() % 997
            let templates = isHard ? Self.hardTail : Self.easyTail
            let template = templates[Int(random.next() % UInt64(templates.count))]
            return (template.replacingOccurrences(of: "{a}", with: "\(a)").replacingOccurrences(of: "{b}", with: "\(b)"), isHard)
        }
        let families = isHard ? hard : easy
        let cumulative = isHard ? hardCumulative : easyCumulative
        let family = families[Self.pick(cumulative, random.unit())]
        let wording = family.wordings[Int(random.next() % UInt64(family.wordings.count))]
        return (wording, isHard)
    }

    private static func pick(_ cumulative: [Double], _ draw: Double) -> Int {
        let target = draw * cumulative[cumulative.count - 1]
        var low = 0, high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] < target { low = mid + 1 } else { high = mid }
        }
        return low
    }

    private static func zipf(count: Int, exponent: Double = 1.1) -> [Double] {
        var total = 0.0
        return (1...count).map { rank in
            total += 1 / pow(Double(rank), exponent)
            return total
        }
    }

    /// Every template crossed with every value; the families are interleaved (value-major) so
    /// that popularity is spread across templates rather than concentrated in the first.
    private static func expand(_ templates: [[String]], values: [String], hard: Bool) -> [Family] {
        var families: [Family] = []
        for value in values {
            for template in templates {
                families.append(Family(wordings: template.map { $0.replacingOccurrences(of: "{}", with: value) }, hard: hard))
            }
        }
        return families
    }

    package static let easyTemplates: [[String]] = [
        ["What is {}?", "what's {}?", "What is {}, briefly?", "Can you tell me what {} is?"],
        ["Give me a one-line definition of {}.", "Give me a one line definition of {}", "One-line definition of {}, please."],
        ["Summarize {} in one sentence.", "Summarise {} in one sentence.", "Summarize {} in a single sentence."],
        ["Write a short tweet about {}.", "Write a short tweet about {} please", "Write a tweet about {}, keep it short."],
    ]
    package static let easyValues = [
        "photosynthesis", "inflation", "a black hole", "machine learning", "the stock market", "a vaccine",
        "blockchain", "climate change", "the immune system", "compound interest", "plate tectonics", "jazz",
        "the ocean tides", "recycling", "volcanoes", "the moon landing", "sourdough bread", "yoga", "chess",
        "rainbows", "electric cars", "the Roman Empire", "DNA", "gravity", "green tea", "bicycles",
    ]
    package static let easyTail = [
        "What is {a} times {b}?", "Convert {a} miles to kilometres.", "Write a haiku about the number {a}.",
        "Is {a} a prime number?", "Name a famous event from the year 1{a}.",
    ]
    package static let hardTail = [
        "Compute the derivative of x^{a} * sin({b}x) and explain each step of the proof.",
        "Write a Python function that returns the {a}th Fibonacci number modulo {b}, and analyze its complexity.",
        "Design a sharding strategy for {a} million rows across {b} nodes and evaluate the trade-offs in depth.",
    ]
    package static let hardTemplates: [[String]] = [
        [
            "Implement {} in Swift with unit tests and explain its complexity step by step.",
            "Implement {} in Swift, with unit tests, and explain its complexity step by step.",
            "Please implement {} in Swift with unit tests and explain its complexity step by step.",
        ],
        [
            "Prove that {} is correct and analyze the trade-offs in depth.",
            "Prove {} is correct, and analyze the trade-offs in depth.",
            "Prove that {} is correct, then analyze its trade-offs in depth.",
        ],
        [
            "Design a production architecture around {}; evaluate the failure modes.",
            "Design a production architecture around {} and evaluate the failure modes.",
        ],
    ]
    package static let hardValues = [
        "a lock-free multi-producer queue with bounded capacity",
        "consistent hashing with virtual nodes for cache sharding",
        "Dijkstra's shortest path over a weighted road graph",
        "a copy-on-write B-tree for an embedded key-value store",
        "a counting Bloom filter that supports deletions",
        "a token-bucket rate limiter shared across regions",
        "Raft leader election with pre-vote and leases",
        "an LRU cache with per-entry expiry and size accounting",
        "a compressed trie for IP routing table lookups",
        "a lock-free skip list for ordered concurrent maps",
        "an in-place quicksort with median-of-three pivots",
        "Merkle trees for anti-entropy repair between replicas",
        "a circuit breaker with half-open probing and jittered backoff",
        "a write-ahead log with group commit and crash recovery",
    ]
}
