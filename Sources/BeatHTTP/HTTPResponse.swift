/// A complete answer: the server copies it out, so it holds no reference to the beat's state.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]

    public init(status: Int, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    public static func text(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }

    public static let notFound = text("not found\n", status: 404)
    public static let methodNotAllowed = text("only GET and HEAD\n", status: 405)
}
