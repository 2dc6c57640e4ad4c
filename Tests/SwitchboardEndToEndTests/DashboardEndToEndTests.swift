import Foundation
import Testing

/// The real `switchboard` dashboard driven through tmux: panes, forcing a provider down, the
/// cascade answering from the next provider, a console prompt, resizing, and a clean exit.
@Suite("switchboard dashboard under tmux, end to end", .serialized)
struct DashboardEndToEndTests {
    @Test(.enabled(if: Tmux.isInstalled, "tmux is not installed; install it (apt-get install tmux) to run the dashboard end-to-end test"))
    func operatorForcesTheFrontierPrimaryDownAndTypesAPrompt() async throws {
        let tmux = Tmux()
        defer { tmux.killServer() }
        let exitFile = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-e2e-\(UUID().uuidString).exit")
        defer { try? FileManager.default.removeItem(at: exitFile) }
        let binary = SwitchboardBinary.url.path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "switchboard is not built at \(binary); run swift build --build-tests first")
        let command = "LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color '\(binary)' --rps 12 --listen 127.0.0.1:0; echo EXIT=$? > '\(exitFile.path)'"
        try tmux.run(["new-session", "-d", "-x", "160", "-y", "48", "-s", "dash", "sh", "-c", command])

        // Every pane title, the header and the footer.
        let start = try await tmux.waitFor("every pane title", timeout: .seconds(30)) { screen in
            ["─ Routes ", "─ Cache ", "─ Latency ", "─ Providers ", "─ Console "].allSatisfy(screen.contains) && screen.contains("Switchboard") && screen.contains("? help")
        }
        #expect(start.contains("finetuned-local") && start.contains("gpt-cloud"))
        #expect(start.contains("gateway 127.0.0.1:"), "the header shows the gateway's address")

        // Select finetuned-local (row 2) and force it down.
        try tmux.sendKeys(["2"])
        try tmux.sendKeys(["f"])
        try await tmux.waitFor("finetuned-local shown forced down", timeout: .seconds(10)) { screen in
            screen.split(separator: "\n").contains { $0.contains("finetuned-local") && $0.contains("forced down") && $0.contains("▶") }
        }
        // The action is logged in Routes (checked at once: newer decisions push it down the pane).
        try await tmux.waitFor("the operator event in Routes", timeout: .seconds(10)) { $0.contains("operator: finetuned-local forced down") }
        // Frontier traffic is now answered by gpt-cloud, after skipping the forced-down primary.
        try await tmux.waitFor("a frontier request answered by gpt-cloud in Routes", timeout: .seconds(30)) { screen in
            screen.split(separator: "\n").contains { $0.contains("frontier") && $0.contains("finetuned⊘ gpt-cloud") || $0.contains("frontier") && $0.contains("finetuned-local⊘ gpt-cloud") }
        }

        // A console prompt, forced to the frontier tier, answered by gpt-cloud with its route shown.
        try tmux.sendKeys(["/"])
        try tmux.sendKeys(["-l", "tier:frontier how do circuit breakers work"])
        try tmux.sendKeys(["Enter"])
        let answered = try await tmux.waitFor("the console answer and its route", timeout: .seconds(30)) { screen in
            screen.contains("#1 how do circuit breakers work") && screen.contains("finetuned-local skipped: forced down") && screen.contains("gpt-cloud#1 ok")
        }
        #expect(answered.contains("tier frontier"))
        try await tmux.waitFor("the console request in Routes", timeout: .seconds(10)) { screen in
            screen.split(separator: "\n").contains { $0.contains("console") && $0.contains("how do") }
        }
        try tmux.sendKeys(["Escape"])

        // Resize down and back; the dashboard redraws at each size.
        try tmux.run(["resize-window", "-t", "dash", "-x", "100", "-y", "30"])
        try await tmux.waitFor("the layout at 100x30", timeout: .seconds(10)) { screen in
            let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
            return lines.count >= 29 && screen.contains("─ Console ") && screen.contains("─ Latency ") && lines.allSatisfy { $0.count <= 100 }
        }
        try tmux.run(["resize-window", "-t", "dash", "-x", "60", "-y", "20"])
        try await tmux.waitFor("the too-small screen", timeout: .seconds(10)) { $0.contains("Terminal too small") && $0.contains("60x20") }
        try tmux.run(["resize-window", "-t", "dash", "-x", "160", "-y", "48"])
        try await tmux.waitFor("the layout back at 160x48", timeout: .seconds(10)) { screen in
            ["─ Routes ", "─ Cache ", "─ Latency ", "─ Providers ", "─ Console "].allSatisfy(screen.contains) && screen.contains("vs frontier-only")
        }

        // q quits and the process exits 0.
        try tmux.sendKeys(["q"])
        let deadline = ContinuousClock.now + .seconds(15)
        var status: String?
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: exitFile, encoding: .utf8), text.hasPrefix("EXIT=") {
                status = text.trimmingCharacters(in: .whitespacesAndNewlines)
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(status == "EXIT=0", "the dashboard did not exit cleanly after q; last screen:\n\((try? tmux.capture()) ?? "")")
    }
}

/// A private tmux server (its own socket) for one test.
struct Tmux {
    /// Whether a `tmux` executable is on the PATH.
    static let isInstalled: Bool = path != nil

    static let path: String? = {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") + ["/usr/bin", "/usr/local/bin"]
        return directories.map { "\($0)/tmux" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    let socket = "switchboard-e2e-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `tmux -L SOCKET ARGS` and returns its output.
    ///
    /// Spawned with posix_spawn and reaped with waitpid rather than with Foundation's Process,
    /// which on Linux notices a child's exit through a descriptor the child inherits: the tmux
    /// server that `new-session` forks keeps it open, so Process would wait for ever.
    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("tmux-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Restore default signal handling in the child (the test runner may ignore some).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGHUP, SIGINT, SIGTERM, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
        let argv = [Self.path ?? "/usr/bin/tmux", "-L", socket, "-f", "/dev/null"] + arguments
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, &attributes, &cArguments, environ)
        guard spawned == 0 else { throw Failure(description: "cannot start tmux: error \(spawned)") }
        var status: Int32 = 0
        let deadline = ContinuousClock.now + .seconds(20)
        while waitpid(pid, &status, WNOHANG) == 0 {
            guard ContinuousClock.now < deadline else {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                throw Failure(description: "tmux \(arguments.joined(separator: " ")) did not finish in 20 s")
            }
            usleep(10_000)
        }
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exited = status & 0x7F == 0
        let code = (status >> 8) & 0xFF
        guard exited, code == 0 else {
            throw Failure(description: "tmux \(arguments.joined(separator: " ")) failed (status \(status)): \(text)")
        }
        return text
    }

    func sendKeys(_ keys: [String]) throws {
        try run(["send-keys", "-t", "dash"] + keys)
    }

    func capture() throws -> String {
        try run(["capture-pane", "-p", "-t", "dash"])
    }

    /// Polls the screen every 200 ms until `condition` holds; fails with the last screen after `timeout`.
    /// It sleeps without holding a thread: the cooperative pool has one thread per core.
    @discardableResult
    func waitFor(_ what: String, timeout: Duration, _ condition: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var screen = ""
        while ContinuousClock.now < deadline {
            screen = (try? capture()) ?? screen
            if condition(screen) { return screen }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw Failure(description: "timed out after \(timeout) waiting for \(what); last screen:\n\(screen)")
    }

    /// Ends the dashboard (SIGTERM to the pane's process group, then SIGKILL) and the server.
    func killServer() {
        if let text = try? run(["display-message", "-p", "-t", "dash", "#{pane_pid}"]), let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1 {
            kill(-pid, SIGTERM)
            usleep(500_000)
            kill(-pid, SIGKILL)
        }
        _ = try? run(["kill-server"])
        // tmux can leave its socket file behind; remove ours.
        let directory = ProcessInfo.processInfo.environment["TMUX_TMPDIR"] ?? "/tmp"
        try? FileManager.default.removeItem(atPath: "\(directory)/tmux-\(getuid())/\(socket)")
    }
}
