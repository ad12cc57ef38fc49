import BeatCore
import ScheduleStore

extension CommandFailure {
    /// Invalid entries and keys of the wrong type are bad input (1); Redis trouble is 2.
    init(_ error: ScheduleStoreError) {
        switch error.kind {
        case .invalidEntry, .notAString: self = .badInput(error.description)
        case .unavailable, .conflict: self = .unavailable(error.description)
        }
    }

    init(_ error: EntryError) {
        self = .badInput(error.description)
    }
}

/// Runs a store operation, turning its failure into the command's one line and exit code.
func storeCall<T>(_ body: () throws(ScheduleStoreError) -> T) throws(CommandFailure) -> T {
    do {
        return try body()
    } catch {
        throw CommandFailure(error)
    }
}
