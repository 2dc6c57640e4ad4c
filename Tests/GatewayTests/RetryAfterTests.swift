import Foundation
import Testing
@testable import Gateway

@Suite("Retry-After")
struct RetryAfterTests {
    let now = Date(timeIntervalSince1970: 1_445_412_470)  // Wed, 21 Oct 2015 07:27:50 GMT

    @Test func delaySecondsAreHonouredWithDecimals() {
        #expect(UpstreamStatus.parseRetryAfter("2", now: now) == .seconds(2))
        #expect(UpstreamStatus.parseRetryAfter(" 0.25 ", now: now) == .milliseconds(250))
    }

    @Test func anHTTPDateBecomesTheTimeLeftUntilIt() {
        #expect(UpstreamStatus.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now: now) == .seconds(10))
        #expect(UpstreamStatus.parseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now: now) == .zero, "a date in the past means retry now")
    }

    @Test func nonsenseAndAbsurdWaitsAreIgnored() {
        #expect(UpstreamStatus.parseRetryAfter("soon", now: now) == nil)
        #expect(UpstreamStatus.parseRetryAfter("-3", now: now) == nil)
        #expect(UpstreamStatus.parseRetryAfter("999999", now: now) == nil)
    }
}
