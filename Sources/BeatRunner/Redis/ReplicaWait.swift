/// `WAIT replicas timeout` after each commit (`--wait-replicas`): the commit's replies come back
/// only once that many replicas hold it, or the timeout passed.
///
/// Redis replicates asynchronously, so a commit the master acknowledged can be lost when the
/// master dies before sending it on; its entries then fire again after the failover (README,
/// "Failover"). Waiting narrows that window to commits that reached fewer replicas than asked,
/// which the beat logs. It cannot close it: WAIT does not make Redis a consensus store, and a
/// replica that acknowledged may still not be the one promoted.
public struct ReplicaWait: Sendable, Equatable {
    public var replicas: Int
    public var timeout: Duration

    public init(replicas: Int, timeout: Duration) {
        self.replicas = replicas
        self.timeout = timeout
    }

    /// WAIT's timeout argument; at least 1, because 0 means wait forever.
    var timeoutMilliseconds: Int {
        let (seconds, attoseconds) = timeout.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
