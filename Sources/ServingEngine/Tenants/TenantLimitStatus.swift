/// Where a tenant stands against its limits after a request was admitted: what the
/// `x-ratelimit-*` headers carry.
public struct TenantLimitStatus: Sendable, Hashable, Codable {
    /// One per-minute limit: its size, what is left and when it is full again.
    public struct Window: Sendable, Hashable, Codable {
        public var limit: Int
        public var remaining: Int
        /// Seconds until the bucket is full again.
        public var resetSeconds: Double

        /// Creates a window's figures.
        public init(limit: Int, remaining: Int, resetSeconds: Double) {
            self.limit = limit
            self.remaining = remaining
            self.resetSeconds = resetSeconds
        }
    }

    /// The requests-per-minute limit, if the tenant has one.
    public var requests: Window?
    /// The tokens-per-minute limit, if the tenant has one.
    public var tokens: Window?
    /// The most-used budget's share in percent (spent plus reserved by requests in flight), if
    /// the tenant has a budget.
    public var budgetUsedPercent: Double?

    /// Creates a status; a limit the tenant does not have is nil.
    public init(requests: Window? = nil, tokens: Window? = nil, budgetUsedPercent: Double? = nil) {
        self.requests = requests
        self.tokens = tokens
        self.budgetUsedPercent = budgetUsedPercent
    }

    /// `1s`, `6m0s`, `20ms`: OpenAI's duration format for `x-ratelimit-reset-*`.
    public static func format(seconds: Double) -> String {
        if seconds <= 0 { return "0s" }
        if seconds < 1 { return "\(max(1, Int((seconds * 1000).rounded(.up))))ms" }
        let whole = Int(seconds.rounded(.up))
        if whole < 60 { return "\(whole)s" }
        let hours = whole / 3600, minutes = (whole % 3600) / 60, rest = whole % 60
        return hours > 0 ? "\(hours)h\(minutes)m\(rest)s" : "\(minutes)m\(rest)s"
    }
}
