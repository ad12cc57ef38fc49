/// A request as a handler sees it. Valid only while the handler runs (its query arguments are
/// read from the server's buffers on demand).
public struct HTTPRequest {
    public var method: String
    /// The path without the query string.
    public var path: String
    private let argument: (String) -> String?

    public init(method: String, path: String, argument: @escaping (String) -> String?) {
        self.method = method
        self.path = path
        self.argument = argument
    }

    /// The decoded value of a query argument (`?page=2`), nil when absent.
    public func query(_ name: String) -> String? {
        argument(name)
    }
}
