import Foundation
import ServingEngine

/// The interactive dashboard: one thread owns the terminal and loops — wait up to 50 ms for
/// keys, drain them through ``DashboardState``, take an engine snapshot, render every pane into
/// an off-screen ``Canvas``, copy it to ncurses, and update the terminal once.
///
/// ```swift
/// let outcome = try await DashboardApp.run(engine: engine, options: DashboardOptions(themeName: "light"))
/// ```
package final class DashboardApp {
    /// Activity entries taken per frame: more than the tallest Routes pane shows, far fewer than the log keeps.
    package static let activityRows = 120
    /// Activity entries taken per frame while a filter hides some: the whole log the engine keeps.
    static let filteredActivityRows = 300
    private let engine: any DashboardEngine
    private let options: DashboardOptions
    private let screen: NCursesScreen
    private let console: ConsoleSession
    private let signals: SignalWatcher
    private var state: DashboardState
    private var canvas: Canvas
    private var themeNames: [String]
    private var theme: Theme
    private var messages: [String] = []
    private var statusSetAt: ContinuousClock.Instant?
    private let utcOffset: Int

    /// Runs the dashboard on a dedicated thread until the operator quits or a signal arrives,
    /// and restores the terminal in every case.
    ///
    /// - Parameters:
    ///   - engine: the engine to show and command.
    ///   - options: theme, gateway address, frame rate.
    package static func run(engine: any DashboardEngine, options: DashboardOptions) async throws(DashboardError) -> DashboardOutcome {
        let result: Result<DashboardOutcome, DashboardError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                do throws(DashboardError) {
                    let app = try DashboardApp(engine: engine, options: options)
                    continuation.resume(returning: .success(app.loop()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            thread.name = "switchboard-ui"
            thread.start()
        }
        return try result.get()
    }

    private init(engine: any DashboardEngine, options: DashboardOptions) throws(DashboardError) {
        self.engine = engine
        self.options = options
        signals = SignalWatcher()
        do {
            screen = try NCursesScreen()
        } catch {
            signals.stop()
            throw DashboardError(error.description)
        }
        console = ConsoleSession(engine: engine)
        let size = screen.size
        state = DashboardState(width: size.width, height: size.height)
        canvas = Canvas(width: size.width, height: size.height, glyphs: screen.glyphs)
        themeNames = options.themeCatalog.names()
        theme = .default
        utcOffset = TimeZone.current.secondsFromGMT()
        loadTheme(options.themeName ?? "default")
    }

    private func loadTheme(_ name: String) {
        let loaded = options.themeCatalog.load(name)
        theme = loaded.theme
        screen.apply(theme)
        canvas.monochrome = screen.isMonochrome
        messages.append(contentsOf: loaded.warnings.map { "theme: \($0)" })
        if let error = loaded.error {
            messages.append("theme: \(error); using the default theme")
            setStatus(StatusMessage("theme error: \(error) — using default", isError: true))
        } else {
            let depth = screen.colorDepth == .none ? "no colour (NO_COLOR or terminal)" : screen.colorDepth.description
            setStatus(StatusMessage("theme \(theme.name) · \(depth)" + (loaded.warnings.isEmpty ? "" : " · \(loaded.warnings.count) warning(s)")))
        }
    }

    private func setStatus(_ status: StatusMessage?) {
        state.status = status
        statusSetAt = status == nil ? nil : .now
    }

    private func loop() -> DashboardOutcome {
        defer {
            console.cancelAll()
            screen.close()
            signals.stop()
        }
        let frameInterval = Duration.milliseconds(1000 / max(1, options.framesPerSecond))
        var lastFrame = ContinuousClock.now - .seconds(1)
        var needsFull = false
        while true {
            if let signal = signals.receivedSignal { return DashboardOutcome(signal: signal, messages: messages) }
            var dirty = false
            var input = screen.readKey(timeoutMilliseconds: 50)
            var drained = 0
            while let current = input {
                dirty = true
                switch current {
                case .resize:
                    let size = screen.size
                    state.resize(width: size.width, height: size.height)
                    needsFull = true
                case .key(let key):
                    for action in state.handle(key) {
                        if case .quit = action { return DashboardOutcome(signal: nil, messages: messages) }
                        run(action)
                    }
                }
                drained += 1
                input = drained < 256 ? screen.readKey(timeoutMilliseconds: 0) : nil
            }
            let now = ContinuousClock.now
            if let setAt = statusSetAt, now - setAt > .seconds(6) { setStatus(nil) }
            if dirty || now - lastFrame >= frameInterval {
                if needsFull {
                    screen.invalidate()
                    needsFull = false
                }
                drawFrame()
                lastFrame = now
            }
        }
    }

    private func drawFrame() {
        // A filter or a frozen list needs more of the log to fill the pane.
        let snapshot = engine.snapshot(activityLimit: state.filter == nil ? Self.activityRows : Self.filteredActivityRows)
        state.update(from: snapshot)
        let frame = DashboardFrame(snapshot: snapshot, state: state, console: console.current(), themeName: theme.name, gatewayAddress: options.gatewayAddress, gatewayNote: options.gatewayNote, utcOffset: utcOffset, attachment: engine.attachment)
        DashboardRenderer.render(frame, into: &canvas)
        screen.present(canvas)
    }

    /// Writes `record` as JSON into the working directory (the temporary directory when that is
    /// not writable) and says where, or why it could not.
    static func write(_ record: DecisionRecord) -> StatusMessage {
        let candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath), FileManager.default.temporaryDirectory]
        var lastError = ""
        for directory in candidates where FileManager.default.isWritableFile(atPath: directory.path) {
            do {
                let url = try InspectedRecordFile.write(record, into: directory)
                return StatusMessage("wrote \(url.path)")
            } catch {
                lastError = "\(error.localizedDescription)"
            }
        }
        return StatusMessage("could not write request #\(record.id): \(lastError.isEmpty ? "no writable directory (working or temporary)" : lastError)", isError: true)
    }

    private func run(_ action: DashboardAction) {
        switch action {
        case .perform(let command):
            do {
                setStatus(StatusMessage(try engine.perform(command)))
            } catch {
                setStatus(StatusMessage(error.message, isError: true))
            }
        case .submit(let prompt):
            let number = console.submit(prompt)
            setStatus(StatusMessage("sent #\(number) (\(prompt.directiveSummary))"))
        case .writeRecord(let record):
            setStatus(Self.write(record))
        case .cycleTheme:
            let index = themeNames.firstIndex(of: theme.name).map { ($0 + 1) % themeNames.count } ?? 0
            loadTheme(themeNames[index])
        case .quit:
            break
        }
    }
}
