import Logging

/// A handler whose metadata is its plain `metadata` dictionary: the text and the JSON handlers
/// share the subscript that swift-log requires from here.
protocol StoredMetadataLogHandler: LogHandler {}

extension StoredMetadataLogHandler {
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
}
