public import JSON

/// Celery's `task_routes`: a list of routers tried in order, each a mapping from a task name or
/// pattern to a route (celery/app/routes.py `MapRoute`, `prepare`).
///
/// Keys, as Celery reads them: a key with `*` is an fnmatch glob over the whole name (`proj.*`);
/// a key written `re:PATTERN` is a regular expression matched at the start of the name (Python's
/// `re.match`); it is how swiftbeat spells Celery's `re.compile(PATTERN)` keys, which JSON and YAML
/// cannot hold, and what `scripts/export-celery-config` writes for them. Any other key is an exact
/// task name. Within one mapping the exact name wins, then the patterns in the order written.
///
/// A route is a queue name or a mapping of options (`queue`, `exchange`, `routing_key`,
/// `priority`, and any other `apply_async` option). Class routers (a dotted path to a Python
/// function) cannot run here and are refused.
public struct TaskRoutes: Sendable {
    struct Router: Sendable {
        var exact: [String: JSONObject]
        var patterns: [(pattern: TaskNamePattern, route: JSONObject)]
    }

    var routers: [Router]

    public init() {
        routers = []
    }

    public var isEmpty: Bool { routers.isEmpty }

    /// Reads the setting's value: a mapping, or a list of mappings.
    public init(_ value: JSONValue) throws(RoutingError) {
        switch value {
        case .null: routers = []
        case .object(let mapping): routers = [try Self.router(mapping, position: nil)]
        case .array(let mappings):
            routers = []
            for (index, mapping) in mappings.enumerated() {
                guard let object = mapping.objectValue else {
                    throw RoutingError(
                        "item \(index + 1) must be a mapping from task name or pattern to route, not \(mapping.typeName)"
                            + (mapping.stringValue != nil ? " (class routers cannot run outside Python)" : ""))
                }
                routers.append(try Self.router(object, position: index + 1))
            }
        case .string:
            throw RoutingError("a router given by its Python path cannot run outside Python; write the routes as a mapping")
        default:
            throw RoutingError("expected a mapping from task name or pattern to route, or a list of them, not \(value.typeName)")
        }
    }

    private static func router(_ mapping: JSONObject, position: Int?) throws(RoutingError) -> Router {
        var router = Router(exact: [:], patterns: [])
        for member in mapping.members {
            let route: JSONObject
            do {
                route = try Self.route(member.value)
            } catch {
                let place = position.map { "item \($0), " } ?? ""
                throw RoutingError("\(place)route \"\(member.key)\": \(error.description)")
            }
            if member.key.hasPrefix("re:") {
                let pattern: TaskNamePattern
                do {
                    pattern = try .regularExpression(String(member.key.dropFirst(3)))
                } catch {
                    throw RoutingError("route \"\(member.key)\": \(error.description)")
                }
                router.patterns.append((pattern, route))
            } else if member.key.contains("*") {
                router.patterns.append((.glob(GlobPattern(member.key)), route))
            } else {
                router.exact[member.key] = route
            }
        }
        return router
    }

    /// A route as an options mapping: a queue name `q` is `{"queue": q}`. An empty name is an empty
    /// mapping, as Python's `dict("")` makes it: it matches, and leaves the task to the defaults.
    static func route(_ value: JSONValue) throws(RoutingError) -> JSONObject {
        switch value {
        case .string(let queue): return queue.isEmpty ? [:] : ["queue": .string(queue)]
        case .object(let options):
            _ = try RoutingOptions(reading: options)
            return options
        default: throw RoutingError("a route must be a queue name or a mapping of options, not \(value.typeName)")
        }
    }

    /// The route of the first router that has one for `task`, or nil. An empty route counts as
    /// found (later routers are not asked), as in Celery.
    func route(for task: String) -> JSONObject? {
        for router in routers {
            if let route = router.exact[task] { return route }
            for (pattern, route) in router.patterns where pattern.matches(task) { return route }
        }
        return nil
    }
}

/// A `task_routes` key that is not an exact name.
enum TaskNamePattern: @unchecked Sendable {
    case glob(GlobPattern)
    /// `@unchecked`: a compiled `Regex` is an immutable value; the standard library does not mark
    /// it `Sendable`.
    case regularExpression(Regex<AnyRegexOutput>)

    static func regularExpression(_ text: String) throws(RoutingError) -> TaskNamePattern {
        do {
            return .regularExpression(try Regex(text))
        } catch {
            throw RoutingError("not a regular expression swiftbeat can read: \(text)")
        }
    }

    func matches(_ name: String) -> Bool {
        switch self {
        case .glob(let glob): glob.matches(name)
        case .regularExpression(let regex): (try? regex.prefixMatch(in: name)) != nil
        }
    }
}
