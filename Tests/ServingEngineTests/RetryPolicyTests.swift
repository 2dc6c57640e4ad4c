import Testing
@testable import ServingEngine

@Suite("Retry policy")
struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttemptsPerProvider: 4, baseBackoff: .milliseconds(100), maxBackoff: .milliseconds(350), jitter: 0.5, maxRetryAfter: .seconds(2))

    @Test func backoffGrowsExponentiallyAndIsCapped() {
        #expect(policy.backoff(beforeRetry: 1, random: 0) == .milliseconds(100))
        #expect(policy.backoff(beforeRetry: 2, random: 0) == .milliseconds(200))
        #expect(policy.backoff(beforeRetry: 3, random: 0) == .milliseconds(350))
        #expect(policy.backoff(beforeRetry: 9, random: 0) == .milliseconds(350))
    }

    @Test func jitterShortensTheWaitByAtMostTheJitterShare() {
        #expect(policy.backoff(beforeRetry: 2, random: 1) == .milliseconds(100))
        #expect(policy.backoff(beforeRetry: 2, random: 0.5) == .milliseconds(150))
    }

    @Test func retryAfterIsAFloor() {
        #expect(policy.backoff(beforeRetry: 1, retryAfter: .milliseconds(700), random: 0) == .milliseconds(700))
        #expect(policy.backoff(beforeRetry: 1, retryAfter: .milliseconds(10), random: 0) == .milliseconds(100))
    }

    @Test func aRetryAfterLongerThanTheLimitMeansDoNotWait() {
        #expect(policy.backoff(beforeRetry: 1, retryAfter: .seconds(30), random: 0) == nil)
    }
}
