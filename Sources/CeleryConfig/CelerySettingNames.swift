/// Celery's two spellings of every setting: the lowercase names of Celery 4 and later
/// (`task_default_queue`) and the old uppercase ones (`CELERY_DEFAULT_QUEUE`) that celerybeat-redis
/// users still have in their `celeryconfig.py`.
enum CelerySettingNames {
    /// Old name to lowercase name.
    static let newName: [String: String] = Dictionary(uniqueKeysWithValues: table.map { ($0.oldName, $0.name) })
    /// Lowercase name to old name.
    static let oldName: [String: String] = Dictionary(uniqueKeysWithValues: table.map { ($0.name, $0.oldName) })

    /// Celery's `detect_settings`: a file is in the style most of its Celery names are in, and a
    /// name in the other style is an error unless its counterpart is given too. Returns the names
    /// to rename (as "OLD to new"), empty when the file is consistent, and the file's style.
    static func mixedNames(in keys: [String]) -> (oldStyle: Bool, renames: [String]) {
        let have = Set(keys)
        let new = have.filter { oldName[$0] != nil }
        let old = have.filter { newName[$0] != nil }
        let oldStyle = old.count > new.count
        let left = oldStyle ? new : old
        let renames = left.sorted().compactMap { name -> String? in
            let counterpart = (oldStyle ? oldName[name] : newName[name]) ?? name
            return have.contains(counterpart) ? nil : "\(name) to \(counterpart)"
        }
        return (oldStyle, renames)
    }
}
