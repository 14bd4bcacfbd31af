import Foundation
import RapportStore
import Synchronization

/// Writes drafts beside the store off the interface's thread: one serial queue, so saves
/// and removals land in the order they were asked for, and a keypress never waits on the
/// disk. Failures are kept, one line each, for the loop to show.
final class DraftWriter: Sendable {
    let files: DraftFiles
    private let queue = DispatchQueue(label: "rapport.drafts")
    private let problems = Mutex<[String]>([])

    init(files: DraftFiles) { self.files = files }

    func save(_ text: String, for id: UUID) {
        queue.async { [self] in
            do {
                try self.files.save(text, for: id)
            } catch {
                self.problems.withLock { $0.append("Draft not saved: \(error)") }
            }
        }
    }

    func remove(_ id: UUID) {
        queue.async { [self] in
            do {
                try self.files.remove(id)
            } catch {
                self.problems.withLock { $0.append("Saved draft not removed: \(error)") }
            }
        }
    }

    /// The failures since the last call.
    func takeProblems() -> [String] {
        problems.withLock { p in
            defer { p.removeAll() }
            return p
        }
    }

    /// Returns once every write asked for so far is done.
    func wait() { queue.sync {} }
}
