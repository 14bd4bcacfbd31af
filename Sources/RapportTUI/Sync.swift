import Foundation
import RapportCore
import RapportText

// Sync in the TUI: `Y` runs a sync in the background (the effect runner's ports own the
// thread), the title bar says when the last one was and what is unsent, and a
// recruiter's open conflicts show under the thread's header until `C` clears them.

extension Keymap {
    static let syncRows: [Binding] = [
        Binding([.char("Y")], .sync, section: "Sync", help: "sync with your other devices (rapport sync)"),
        Binding([.char("C")], .acknowledgeConflicts, section: "Sync", help: "clear the recruiter's sync conflicts (read)"),
    ]
}

/// `Y` and `C` in the panes.
func syncCommand(_ state: inout AppState, _ command: Command) -> [Effect] {
    switch command {
    case .sync:
        return startSync(&state, automatic: false)
    case .acknowledgeConflicts:
        guard let id = state.selectedRecruiterID else { return [] }
        let name = state.db.recruiter(id)?.name ?? "this recruiter"
        let n = state.conflicts(of: id).count
        guard n > 0 else {
            state.statusMessage = StatusMessage("No sync conflicts on \(name)")
            return []
        }
        state.statusMessage = StatusMessage("\(n) sync conflict\(n == 1 ? "" : "s") on \(name) cleared")
        return [.acknowledgeConflicts(id)]
    default:
        return []
    }
}

private func startSync(_ state: inout AppState, automatic: Bool) -> [Effect] {
    if state.syncRunning {
        if !automatic { state.statusMessage = StatusMessage("A sync is already running") }
        return []
    }
    if state.sync == nil {
        if !automatic {
            state.statusMessage = StatusMessage("Sync is not set up: run rapport sync init REMOTE (see docs/sync.md)", isError: true)
        }
        return []
    }
    state.syncRunning = true
    state.lastSyncAttempt = state.now
    if !automatic { state.statusMessage = StatusMessage("Syncing…") }
    return [.sync]
}

/// On the tick: with `[sync] autoSyncMinutes`, a sync once that long has passed since the
/// last one (or the last attempt, so a failing remote is not retried every second).
func autoSync(_ state: inout AppState) -> [Effect] {
    guard state.autoSyncMinutes > 0, !state.syncRunning, state.sync != nil else { return [] }
    let last = [state.sync?.lastSync, state.lastSyncAttempt].compactMap { $0 }.max()
    if let last, state.now.timeIntervalSince(last) < Double(state.autoSyncMinutes) * 60 { return [] }
    return startSync(&state, automatic: true)
}

func synced(_ state: inout AppState, _ outcome: SyncOutcome) {
    state.syncRunning = false
    switch outcome {
    case .done(let summary):
        state.statusMessage = StatusMessage(Text.visible(oneLine(summary)))
    case .failed(let why):
        state.statusMessage = StatusMessage("Sync failed: " + Text.visible(oneLine(why)), isError: true)
    }
}

private func oneLine(_ s: String) -> String {
    s.split(whereSeparator: \.isNewline).map(String.init).joined(separator: " · ")
}

extension AppState {
    /// The open sync conflicts on recruiter `id`, oldest first.
    public func conflicts(of id: UUID) -> [RecordedConflict] {
        sync?.conflicts.filter { $0.conflict.recruiter == id } ?? []
    }

    /// For the title bar: "syncing…", "synced 5m ago", "↑ 3 unsent", "2 conflicts"
    /// (nil when sync is not set up).
    public var syncLabel: String? {
        guard let s = sync else { return nil }
        var parts: [String] = []
        if syncRunning {
            parts.append("syncing…")
        } else if let t = s.lastSync {
            parts.append("synced " + Format.ago(t, now: now))
        } else {
            parts.append("never synced")
        }
        if s.unsent > 0 { parts.append("↑ \(s.unsent) unsent") }
        if !s.conflicts.isEmpty { parts.append("\(s.conflicts.count) conflict\(s.conflicts.count == 1 ? "" : "s")") }
        return parts.joined(separator: " · ")
    }

    /// Lines under the thread's header: the selected recruiter's conflicts, at most
    /// `limit` (the last saying how many more).
    public func conflictLines(limit: Int = 2) -> [String] {
        guard let id = selectedRecruiterID else { return [] }
        let cs = conflicts(of: id)
        guard !cs.isEmpty else { return [] }
        var out = cs.prefix(limit).map { "⚠ conflict: " + Text.visible($0.line) }
        if cs.count > limit { out[out.count - 1] += " (+\(cs.count - limit) more)" }
        out[out.count - 1] += " · C clears"
        return out
    }
}
