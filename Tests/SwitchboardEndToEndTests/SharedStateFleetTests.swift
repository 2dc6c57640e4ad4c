import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Several real `switchboard serve` processes sharing one PostgreSQL database (the server that
/// `scripts/with-postgres` starts; each test makes its own database). One test at a time: each
/// starts several processes, and all at once would starve the timing-sensitive tests beside them.
@Suite("A fleet of switchboard serve replicas sharing PostgreSQL", .serialized)
struct SharedStateFleetTests {
    @Test func anAnswerCachedOnOneReplicaIsAHitOnAnotherAndAnOverrideMovesTrafficEverywhere() async throws {
        guard let postgres = TestPostgres.current else {
            Issue.record(Comment(rawValue: TestPostgres.missing))
            return
        }
        let database = try await postgres.createDatabase(prefix: "fleet")
        async let startA = FleetReplica.serve(["--state", database.url])
        async let startB = FleetReplica.serve(["--state", database.url])
        async let startC = FleetReplica.serve(["--state", database.url])
        let (a, b, c) = try await (startA, startB, startC)
        defer { [a, b, c].forEach { $0.stop() } }

        let prompt = "What is the capital of Portugal in one word"
        let first = try await a.chat(prompt)
        #expect(first.status == 200, "\(first.body)")
        #expect(first.headers["x-switchboard-cache"] == "miss")
        // B is asked once, after it applied A's entry: a miss would store B's own answer, and a
        // later hit would prove nothing.
        let applied = try await eventually(within: .seconds(15)) { try await Self.applied(by: b) >= 1 }
        #expect(applied, "B never applied A's entry; B's log:\n\(b.log)")
        let onB = try await b.chat(prompt)
        #expect(onB.headers["x-switchboard-cache"] == "hit-exact", "\(onB.headers)")
        #expect(Self.content(of: onB.body) == Self.content(of: first.body))

        let override = try await b.request("POST", "admin/providers/distilled-local/down")
        #expect(override.status == 200, "\(override.body)")
        let started = ContinuousClock.now
        for replica in [a, c] {
            let seen = try await eventually(within: .seconds(10)) {
                let providers = try await replica.request("GET", "admin/providers").body
                return providers.contains(#""name":"distilled-local""#) && Self.provider("distilled-local", in: providers)?.contains(#""override":"forced-down""#) == true
            }
            #expect(seen, "the override set on B never reached \(replica.baseURL)")
            let providers = try await replica.request("GET", "admin/providers").body
            #expect(Self.provider("distilled-local", in: providers)?.contains(#""override_set_by":""#) == true, "\(providers)")
            let moved = try await replica.chat("Name one prime number below ten \(replica.baseURL.port ?? 0)", model: "small")
            #expect(moved.status == 200, "\(moved.body)")
            #expect(moved.headers["x-switchboard-provider"] == "tiny-fallback", "\(moved.headers)")
        }
        print("override on B visible on A and C after \(ContinuousClock.now - started)")

        // A block set through B's admin API refuses the tenant on A and C; lifted through C, it
        // serves again everywhere.
        #expect(try await b.request("POST", "admin/tenants/default/limits", json: #"{"blocked": true}"#).status == 200)
        for replica in [a, c] {
            let refused = try await eventually(within: .seconds(10)) { try await replica.chat("Are you there \(replica.baseURL.port ?? 0)").status == 429 }
            #expect(refused, "the block set on B never reached \(replica.baseURL)")
        }
        #expect(try await c.request("POST", "admin/tenants/default/limits", json: #"{"blocked": false, "requests_per_minute": 12}"#).status == 200)
        for replica in [a, b] {
            let limited = try await eventually(within: .seconds(10)) { try await replica.request("GET", "admin/tenants").body.contains(#""requests_per_minute":12"#) }
            #expect(limited, "the limit set on C never reached \(replica.baseURL)")
        }
        for replica in [a, b, c] {
            // Slices are sized for the replicas each one counts.
            let counted = try await eventually(within: .seconds(10)) { try await replica.request("GET", "metrics").body.contains("switchboard_shared_state_replicas 3") }
            #expect(counted, "\(replica.baseURL) never counted three replicas")
        }
        // 12 a minute across the fleet: 36 requests at once through the three replicas admit at
        // most 12 + 3 × ⌈12 / (4 × 3)⌉ = 15 in a UTC minute (started early in one, so that the
        // burst stays inside it).
        let second = Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 60)
        if second > 45 { try await Task.sleep(for: .seconds(61 - second)) }
        let replies = try await withThrowingTaskGroup(of: FleetReplica.HTTPReply.self) { group in
            for index in 0..<36 {
                let replica = [a, b, c][index % 3]
                group.addTask { try await replica.chat("Count to \(index) in French") }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let admitted = replies.filter { $0.status == 200 }.count
        let refused = replies.filter { $0.status == 429 }
        // A refusal is the fleet's limit used up, or (on a loaded machine) a request that gave up
        // waiting for its replica's next lease; either way it names the per-minute limit.
        let gaveUp = refused.filter { $0.body.contains("waiting for its next share") }.count
        // Requests a replica decided alone because a query to the database failed (on a loaded
        // machine, its timeout) are outside the bound by design, and counted: read the counts.
        var failedOpen = 0
        for replica in [a, b, c] {
            let body = try await replica.request("GET", "admin/tenants").body
            let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
            failedOpen += ((object?["fleet"] as? [String: Any])?["failed_open"] as? Int) ?? 0
        }
        print("fleet of 3 at 12 requests per minute: \(admitted) of 36 admitted, \(refused.count) refused (\(gaveUp) gave up waiting for a lease), \(failedOpen) decided failing open")
        #expect(admitted <= 15 + failedOpen, "\(replies.map(\.status)); \(failedOpen) failed open")
        #expect(admitted >= 12 || gaveUp > 0, "\(replies.map(\.status))")
        #expect(refused.count + admitted == 36, "\(replies.map(\.status))")
        #expect(refused.allSatisfy { $0.body.contains("12 requests per minute") && $0.body.contains("rate_limit_exceeded") }, "\(refused.first?.body ?? "")")

        let metrics = try await eventually(within: .seconds(10)) {
            try await a.request("GET", "metrics").body.contains("switchboard_shared_state_replicas 3")
        }
        #expect(metrics, "A's /metrics never listed three replicas")
        #expect(try await a.request("GET", "metrics").body.contains(#"switchboard_shared_state{state="connected"} 1"#))
    }

    @Test func losingTheDatabaseFailsNoRequestAndEverythingWrittenMeanwhileArrivesAfterwards() async throws {
        guard let postgres = TestPostgres.current else {
            Issue.record(Comment(rawValue: TestPostgres.missing))
            return
        }
        let database = try await postgres.createDatabase(prefix: "outage")
        async let startA = FleetReplica.serve(["--state", database.url])
        async let startB = FleetReplica.serve(["--state", database.url])
        let (a, b) = try await (startA, startB)
        defer { [a, b].forEach { $0.stop() } }
        let connected = try await eventually(within: .seconds(15)) {
            try await a.request("GET", "metrics").body.contains(#"switchboard_shared_state{state="connected"} 1"#)
        }
        #expect(connected, "A never connected: \(a.log)")
        // A shared limit for the tenant, so that the outage has something to decide about.
        #expect(try await a.request("POST", "admin/tenants/default/limits", json: #"{"requests_per_minute": 6000}"#).status == 200)

        try await postgres.cutOff(database.name)
        let disconnected = try await eventually(within: .seconds(15)) {
            try await a.request("GET", "metrics").body.contains(#"switchboard_shared_state{state="disconnected"} 1"#)
        }
        #expect(disconnected, "A never noticed the database was gone: \(a.log)")
        let prompts = (1...12).map { "Explain topic number \($0) of the outage drill briefly" }
        for prompt in prompts {
            let reply = try await a.chat(prompt)
            #expect(reply.status == 200, "a request failed while the database was away: \(reply.body)")
        }
        // on_unavailable is open by default: all twelve were admitted on A's own limits, counted.
        let tenants = try await a.request("GET", "admin/tenants").body
        #expect(tenants.contains(#""on_unavailable":"open""#) && tenants.contains(#""failed_open":12"#), "\(tenants)")
        #expect(try await a.request("GET", "metrics").body.contains(#"switchboard_tenant_shared_state_unavailable_total{tenant="default",outcome="failed_open"} 12"#))
        #expect(try await a.request("POST", "admin/providers/gpt-cloud/down").status == 200)
        let queued = try await a.request("GET", "metrics").body
        #expect(queued.contains("switchboard_shared_state_queued_writes"), "\(queued)")

        try await postgres.restore(database.name)
        // Twelve entries and one override were written while the database was away.
        let arrived = try await eventually(within: .seconds(30)) { try await Self.applied(by: b) >= prompts.count + 1 }
        #expect(arrived, "what A wrote during the outage never reached B; A's log:\n\(a.log)")
        for prompt in prompts {
            let reply = try await b.chat(prompt)
            #expect(reply.headers["x-switchboard-cache"] == "hit-exact", "\(prompt) is not shared: \(reply.headers)")
        }
        let overridden = Self.provider("gpt-cloud", in: try await b.request("GET", "admin/providers").body)?.contains(#""override":"forced-down""#) == true
        #expect(overridden, "the override set on A during the outage never reached B")
        #expect(try await a.request("GET", "metrics").body.contains(#"switchboard_shared_state{state="connected"} 1"#))
    }

    @Test func failingClosedWhileTheDatabaseIsAwayRefusesWhatNoLeaseCoversAndServesAgainAfterwards() async throws {
        guard let postgres = TestPostgres.current else {
            Issue.record(Comment(rawValue: TestPostgres.missing))
            return
        }
        let database = try await postgres.createDatabase(prefix: "closed")
        // The demo deployment, failing closed, with a per-minute limit for callers without a key.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-closed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let example = try String(contentsOf: GatewayPythonClientTests.repository.appendingPathComponent("examples/tenant-budgets.yaml"), encoding: .utf8)
        let config = directory.appendingPathComponent("closed.yaml")
        try (example + "  - name: default\n    requests_per_minute: 60\nshared_state: { on_unavailable: closed }\n").write(to: config, atomically: true, encoding: .utf8)
        async let startA = FleetReplica.serve(["--config", config.path, "--state", database.url])
        async let startB = FleetReplica.serve(["--config", config.path, "--state", database.url])
        let (a, b) = try await (startA, startB)
        defer { [a, b].forEach { $0.stop() } }
        let connected = try await eventually(within: .seconds(15)) {
            try await a.request("GET", "metrics").body.contains(#"switchboard_shared_state{state="connected"} 1"#)
        }
        #expect(connected, "A never connected: \(a.log)")
        #expect(try await a.chat("Say hello before the outage").status == 200)

        try await postgres.cutOff(database.name)
        let disconnected = try await eventually(within: .seconds(15)) {
            try await a.request("GET", "metrics").body.contains(#"switchboard_shared_state{state="disconnected"} 1"#)
        }
        #expect(disconnected, "A never noticed the database was gone: \(a.log)")
        // Whatever A still held of its lease is used up, then it refuses rather than guess.
        var statuses: [Int] = []
        var refusal = ""
        for index in 0..<100 {
            let reply = try await a.chat("Outage question number \(index)")
            statuses.append(reply.status)
            if reply.status == 429 {
                refusal = reply.body
                break
            }
        }
        #expect(statuses.last == 429, "A never refused while failing closed: \(statuses.count) answered")
        #expect(refusal.contains("on_unavailable is closed") && refusal.contains("rate_limit_exceeded"), "\(refusal)")
        let tenants = try await a.request("GET", "admin/tenants").body
        #expect(tenants.contains(#""on_unavailable":"closed""#) && tenants.contains(#""failed_closed":1"#), "\(tenants)")
        print("failing closed: \(statuses.count - 1) answered from A's lease after the database went away, then 429")

        try await postgres.restore(database.name)
        let served = try await eventually(within: .seconds(30)) { try await a.chat("Back after the outage \(Int.random(in: 0...1_000_000))").status == 200 }
        #expect(served, "A never served again after the database returned: \(a.log)")
    }

    @Test func aBadURLAMissingDatabaseAndANewerSchemaStopServeWithTheReason() async throws {
        guard let postgres = TestPostgres.current else {
            Issue.record(Comment(rawValue: TestPostgres.missing))
            return
        }
        let badScheme = try await SwitchboardBinary.run(["serve", "--listen", "127.0.0.1:0", "--state", "mysql://switchboard@127.0.0.1/switchboard"], timeout: .seconds(60))
        #expect(badScheme.status != 0)
        #expect(badScheme.standardError.contains("the scheme must be postgres://"), "\(badScheme.standardError)")

        var missing = URLComponents(string: postgres.serverURL)!
        missing.path = "/no_such_database_here"
        let noDatabase = try await SwitchboardBinary.run(["serve", "--listen", "127.0.0.1:0", "--state", missing.string!], timeout: .seconds(60))
        #expect(noDatabase.status != 0)
        #expect(noDatabase.standardError.contains("does not exist"), "\(noDatabase.standardError)")

        let database = try await postgres.createDatabase(prefix: "future")
        _ = try await postgres.sql(database.name, "CREATE TABLE switchboard_schema (only_row boolean PRIMARY KEY DEFAULT true, version integer NOT NULL); INSERT INTO switchboard_schema VALUES (true, 99)")
        let tooNew = try await SwitchboardBinary.run(["serve", "--listen", "127.0.0.1:0", "--state", database.url], timeout: .seconds(60))
        #expect(tooNew.status != 0)
        #expect(tooNew.standardError.contains("schema is at version 99"), "\(tooNew.standardError)")
    }

    /// A console attached to one replica of a fleet: the header lists both replicas with their
    /// health, and an override the operator sets in the console reaches the other replica.
    @Test(.enabled(if: Tmux.isInstalled, "tmux is not installed; install it (apt-get install tmux) to run the console end-to-end test"))
    func aConsoleAttachedToOneReplicaListsTheFleetAndItsOverrideReachesTheOther() async throws {
        guard let postgres = TestPostgres.current else {
            Issue.record(Comment(rawValue: TestPostgres.missing))
            return
        }
        let database = try await postgres.createDatabase(prefix: "console")
        async let startA = FleetReplica.serve(["--state", database.url])
        async let startB = FleetReplica.serve(["--state", database.url])
        let (a, b) = try await (startA, startB)
        defer { [a, b].forEach { $0.stop() } }
        let listed = try await eventually(within: .seconds(15)) {
            try await a.request("GET", "metrics").body.contains("switchboard_shared_state_replicas 2")
        }
        #expect(listed, "A never listed two replicas: \(a.log)")
        let ids = try await postgres.sql(database.name, "SELECT replica FROM switchboard_replicas ORDER BY replica").split(separator: "\n").map(String.init)
        #expect(ids.count == 2, "\(ids)")
        // A's own id, from its feed's first frame ("server": "ADDRESS · replica ID").
        let baseURL = a.baseURL.absoluteString.hasSuffix("/") ? String(a.baseURL.absoluteString.dropLast()) : a.baseURL.absoluteString
        let (data, _) = try await URLSession.shared.data(from: URL(string: baseURL + "/admin/stream?frames=1")!)
        let frame = String(decoding: data, as: UTF8.self)
        let ownID = try #require(ids.first { frame.contains("replica \($0)") }, "A's feed names none of \(ids): \(frame.prefix(400))")
        let otherID = try #require(ids.first { $0 != ownID })

        let tmux = Tmux()
        defer { tmux.killServer() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-fleet-console-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let exitFile = directory.appendingPathComponent("console.exit")
        let command = "cd '\(directory.path)' && LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color '\(SwitchboardBinary.url.path)' console --connect '\(baseURL)'; echo EXIT=$? > '\(exitFile.path)'"
        try tmux.run(["new-session", "-d", "-x", "160", "-y", "48", "-s", "dash", "sh", "-c", command])

        // The header: attached to A, live, both replicas with their health, A starred.
        try await tmux.waitFor("the header listing both replicas", timeout: .seconds(30)) { screen in
            let header = screen.split(separator: "\n").first.map(String.init) ?? ""
            return header.contains("attached \(baseURL)") && header.contains("live") && header.contains("2 replicas: ")
                && header.contains("\(ownID)* ok") && header.contains("\(otherID) ok")
        }

        // Force the first provider down from the console: B's admin API shows the override, set by A.
        try tmux.sendKeys(["1"])
        try tmux.sendKeys(["f"])
        let forced = try await eventually(within: .seconds(15)) {
            Self.provider("distilled-local", in: try await b.request("GET", "admin/providers").body)?.contains(#""override":"forced-down""#) == true
        }
        #expect(forced, "the override set from the console on A never reached B; B's log:\n\(b.log)")
        let onB = try await b.request("GET", "admin/providers").body
        #expect(Self.provider("distilled-local", in: onB)?.contains(#""override_set_by":"\#(ownID)""#) == true, "B names A as the override's origin: \(onB)")
        try await tmux.waitFor("the console showing the override", timeout: .seconds(10)) { screen in
            screen.split(separator: "\n").contains { $0.contains("distilled-local") && $0.contains("forced down") }
        }
        // And back to automatic, on B too.
        try tmux.sendKeys(["a"])
        let automatic = try await eventually(within: .seconds(15)) {
            Self.provider("distilled-local", in: try await b.request("GET", "admin/providers").body)?.contains(#""override":"auto""#) == true
        }
        #expect(automatic, "returning the provider to automatic from the console never reached B")

        try tmux.sendKeys(["q"])
        let exited = try await eventually(within: .seconds(15)) {
            (try? String(contentsOf: exitFile, encoding: .utf8))?.hasPrefix("EXIT=0") == true
        }
        #expect(exited, "the console did not exit cleanly after q; last screen:\n\((try? tmux.capture()) ?? "")")
    }

    /// How many changes from other replicas `replica` applied, from its `/metrics`.
    static func applied(by replica: FleetReplica) async throws -> Int {
        let metrics = try await replica.request("GET", "metrics").body
        guard let line = metrics.split(separator: "\n").first(where: { $0.hasPrefix("switchboard_shared_state_applied_total ") }) else { return 0 }
        return Int(line.split(separator: " ").last ?? "") ?? 0
    }

    /// The answer text of a chat completion body.
    static func content(of body: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let choices = object["choices"] as? [[String: Any]], let message = choices.first?["message"] as? [String: Any]
        else { return nil }
        return message["content"] as? String
    }

    /// The JSON object of `name` in an `/admin/providers` body.
    static func provider(_ name: String, in body: String) -> Substring? {
        guard let start = body.range(of: #"{"#, options: .backwards, range: body.startIndex..<(body.range(of: #""name":"\#(name)""#)?.lowerBound ?? body.startIndex)),
              let end = body[start.lowerBound...].firstIndex(of: "}")
        else { return nil }
        return body[start.lowerBound...end]
    }

    /// Polls `check` every 200 ms until it holds or `limit` passes.
    func eventually(within limit: Duration, _ check: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await check() { return true }
            try await Task.sleep(for: .milliseconds(200))
        }
        return try await check()
    }
}
