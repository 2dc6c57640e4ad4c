/// What a key binding does; ``DashboardState/handle(_:)`` carries it out.
package enum KeyCommand: Sendable, Hashable {
    /// Select the previous row (provider, or scroll the log up).
    case selectPrevious
    /// Select the next row (provider, or scroll the log down).
    case selectNext
    /// Select the provider on the row of the digit pressed.
    case selectNumberedRow
    /// Scroll back to the newest log entries.
    case followNewest
    /// Scroll the log by a page.
    case pageUp
    /// Scroll the log by a page.
    case pageDown
    /// Focus the next pane.
    case focusNext
    /// Focus the previous pane.
    case focusPrevious
    /// Force the selected provider down.
    case forceDown
    /// Force the selected provider up.
    case forceUp
    /// Give the selected provider back to its circuit breaker.
    case returnToAuto
    /// Raise the traffic rate one step.
    case rateUp
    /// Lower the traffic rate one step.
    case rateDown
    /// Pause or resume traffic.
    case togglePause
    /// Step the selected provider's fault drill (off, half errors, all errors, slow).
    case cycleFaultDrill
    /// Raise the cheapest tier's router threshold (less traffic to bigger tiers).
    case raiseThreshold
    /// Lower the cheapest tier's router threshold (more traffic to bigger tiers).
    case lowerThreshold
    /// Drop every cached answer.
    case clearCache
    /// Focus the console and type.
    case focusConsole
    /// Leave the console.
    case leaveConsole
    /// Send the typed prompt.
    case submitPrompt
    /// The previous prompt from history.
    case historyPrevious
    /// The next prompt from history.
    case historyNext
    /// Line editing, handled by ``LineEditor`` (listed for help only).
    case editLine
    /// Show tenants (rate, tokens, spend against budget, refusals) in place of the providers, or back.
    case toggleTenants
    /// Switch theme.
    case cycleTheme
    /// Show or hide the help overlay.
    case toggleHelp
    /// Quit.
    case quit
    /// Open the request inspector on the Routes row under the cursor.
    case inspectSelected
    /// Close the inspector.
    case closeInspector
    /// Scroll the inspector up a line.
    case inspectorScrollUp
    /// Scroll the inspector down a line.
    case inspectorScrollDown
    /// Scroll the inspector up a page.
    case inspectorPageUp
    /// Scroll the inspector down a page.
    case inspectorPageDown
    /// Write the inspected record as JSON to a file.
    case writeInspectedRecord
    /// Open the Routes filter line.
    case openFilter
    /// Keep the filter and leave the filter line.
    case applyFilter
    /// Clear the filter and leave the filter line.
    case clearFilter
    /// Edit the filter line.
    case editFilter
    /// Freeze the Routes pane, or follow live again.
    case toggleFreeze
    /// Scroll the help overlay up a line (when it is taller than the screen).
    case helpScrollUp
    /// Scroll the help overlay down a line.
    case helpScrollDown
    /// Scroll the help overlay up a page.
    case helpPageUp
    /// Scroll the help overlay down a page.
    case helpPageDown
}
