using System.Net;
using Microsoft.Extensions.Logging;

namespace Samsa.Client.Network;

/// <summary>
/// Connection state per broker (Java's ClusterConnectionStates): which nodes are connecting, ready
/// or backing off, the jittered exponential reconnect backoff (<c>reconnect.backoff.ms</c> up to
/// <c>reconnect.backoff.max.ms</c>), the growing connection setup timeout (KIP-601), and the
/// resolved addresses of each node, tried in turn (<c>client.dns.lookup=use_all_dns_ips</c>).
/// A pure state machine: it does no I/O besides name resolution, and is used by one thread.
/// </summary>
public sealed class ClusterConnectionStates
{
    private const int BackoffMultiplier = 2;
    private const double Jitter = 0.2;

    private readonly Dictionary<int, NodeConnectionState> _nodeState = [];
    private readonly HashSet<int> _connectingNodes = [];
    private readonly ExponentialBackoff _reconnectBackoff;
    private readonly ExponentialBackoff _connectionSetupTimeout;
    private readonly IHostResolver _hostResolver;
    private readonly ILogger _log;

    /// <summary>Creates the table.</summary>
    public ClusterConnectionStates(
        long reconnectBackoffMs,
        long reconnectBackoffMaxMs,
        long connectionSetupTimeoutMs,
        long connectionSetupTimeoutMaxMs,
        IHostResolver? hostResolver = null,
        ILogger? logger = null,
        Random? random = null)
    {
        _reconnectBackoff = new ExponentialBackoff(reconnectBackoffMs, BackoffMultiplier, reconnectBackoffMaxMs, Jitter, random);
        _connectionSetupTimeout = new ExponentialBackoff(connectionSetupTimeoutMs, BackoffMultiplier, connectionSetupTimeoutMaxMs, Jitter, random);
        _hostResolver = hostResolver ?? DefaultHostResolver.Instance;
        _log = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    /// <summary>True when a new connection to the node may be opened now: never tried, or disconnected and past its backoff.</summary>
    public bool CanConnect(int id, long nowMs)
    {
        if (!_nodeState.TryGetValue(id, out var state))
            return true;
        return state.State == ConnectionState.Disconnected && nowMs - state.LastConnectAttemptMs >= state.ReconnectBackoffMs;
    }

    /// <summary>True when the node is disconnected and still inside its reconnect backoff.</summary>
    public bool IsBlackedOut(int id, long nowMs)
    {
        if (!_nodeState.TryGetValue(id, out var state))
            return false;
        return state.State == ConnectionState.Disconnected && nowMs - state.LastConnectAttemptMs < state.ReconnectBackoffMs;
    }

    /// <summary>
    /// Milliseconds until a connection attempt is allowed: the remaining backoff when disconnected,
    /// 0 for unknown nodes, and <see cref="long.MaxValue"/> when connecting or connected (a network
    /// event, not time, changes things then).
    /// </summary>
    public long ConnectionDelay(int id, long nowMs)
    {
        if (!_nodeState.TryGetValue(id, out var state))
            return 0;
        if (state.State == ConnectionState.Disconnected)
        {
            var waited = nowMs - state.LastConnectAttemptMs;
            return Math.Max(state.ReconnectBackoffMs - waited, 0);
        }
        return long.MaxValue;
    }

    /// <summary>True while a TCP connect to the node is in progress.</summary>
    public bool IsConnecting(int id) => _nodeState.TryGetValue(id, out var s) && s.State == ConnectionState.Connecting;

    /// <summary>True while the node's ApiVersions exchange is running.</summary>
    public bool IsPreparingConnection(int id) => _nodeState.TryGetValue(id, out var s) && s.State == ConnectionState.CheckingApiVersions;

    /// <summary>
    /// Records a connection attempt starting now. A new host for a known id (the broker moved)
    /// starts a fresh state; otherwise the next resolved address of the node is used.
    /// </summary>
    public void Connecting(int id, long nowMs, string host)
    {
        _connectingNodes.Add(id);
        if (_nodeState.TryGetValue(id, out var state) && state.Host == host)
        {
            state.LastConnectAttemptMs = nowMs;
            state.State = ConnectionState.Connecting;
            state.MoveToNextAddress();
            return;
        }
        if (state is not null)
            _log.LogInformation("Hostname for node {NodeId} changed from {OldHost} to {NewHost}", id, state.Host, host);
        _nodeState[id] = new NodeConnectionState(host, _hostResolver)
        {
            State = ConnectionState.Connecting,
            LastConnectAttemptMs = nowMs,
            ReconnectBackoffMs = _reconnectBackoff.Backoff(0),
            ConnectionSetupTimeoutMs = _connectionSetupTimeout.Backoff(0),
        };
    }

    /// <summary>The address the current connection attempt should use (resolving the host when needed).</summary>
    /// <exception cref="System.Net.Sockets.SocketException">The host does not resolve.</exception>
    public IPAddress CurrentAddress(int id) => NodeState(id).CurrentAddress();

    /// <summary>Records a disconnect (or failed connect) now: the reconnect backoff grows.</summary>
    public void Disconnected(int id, long nowMs)
    {
        var state = NodeState(id);
        state.LastConnectAttemptMs = nowMs;
        state.ReconnectBackoffMs = _reconnectBackoff.Backoff(state.FailedAttempts);
        state.FailedAttempts++;
        if (state.State == ConnectionState.Connecting)
        {
            state.FailedConnectAttempts++;
            state.ConnectionSetupTimeoutMs = _connectionSetupTimeout.Backoff(state.FailedConnectAttempts);
            _connectingNodes.Remove(id);
        }
        else
        {
            ResetConnectionSetupTimeout(state);
            // A connection that had been established may have broken because the broker moved:
            // resolve its name again next time.
            if (state.State is ConnectionState.CheckingApiVersions or ConnectionState.Ready)
                state.ClearAddresses();
        }
        state.State = ConnectionState.Disconnected;
    }

    /// <summary>The TCP connection is up; the ApiVersions exchange starts.</summary>
    public void CheckingApiVersions(int id)
    {
        var state = NodeState(id);
        state.State = ConnectionState.CheckingApiVersions;
        ResetConnectionSetupTimeout(state);
        _connectingNodes.Remove(id);
    }

    /// <summary>The connection is usable: backoffs reset.</summary>
    public void Ready(int id)
    {
        var state = NodeState(id);
        state.State = ConnectionState.Ready;
        state.FailedAttempts = 0;
        state.ReconnectBackoffMs = _reconnectBackoff.Backoff(0);
        ResetConnectionSetupTimeout(state);
        _connectingNodes.Remove(id);
    }

    /// <summary>True when the node's connection is ready for requests.</summary>
    public bool IsReady(int id) => _nodeState.TryGetValue(id, out var s) && s.State == ConnectionState.Ready;

    /// <summary>True when any node in the table is ready.</summary>
    public bool HasReadyNodes()
    {
        foreach (var state in _nodeState.Values)
        {
            if (state.State == ConnectionState.Ready)
                return true;
        }
        return false;
    }

    /// <summary>True when the node has a TCP connection (ready or checking versions).</summary>
    public bool IsConnected(int id) => _nodeState.TryGetValue(id, out var s) && s.State is ConnectionState.Ready or ConnectionState.CheckingApiVersions;

    /// <summary>True when the node is known and disconnected.</summary>
    public bool IsDisconnected(int id) => _nodeState.TryGetValue(id, out var s) && s.State == ConnectionState.Disconnected;

    /// <summary>The node's state, or <see cref="ConnectionState.Disconnected"/> for unknown nodes.</summary>
    public ConnectionState ConnectionStateOf(int id) => _nodeState.TryGetValue(id, out var s) ? s.State : ConnectionState.Disconnected;

    /// <summary>The current reconnect backoff of the node in milliseconds (for tests and logs).</summary>
    public long ReconnectBackoffMs(int id) => NodeState(id).ReconnectBackoffMs;

    /// <summary>The current connection setup timeout of the node in milliseconds.</summary>
    public long ConnectionSetupTimeoutMs(int id) => NodeState(id).ConnectionSetupTimeoutMs;

    /// <summary>Forgets a node (it left the cluster).</summary>
    public void Remove(int id)
    {
        _nodeState.Remove(id);
        _connectingNodes.Remove(id);
    }

    /// <summary>True when the node has been connecting for longer than its setup timeout.</summary>
    public bool IsConnectionSetupTimeout(int id, long nowMs)
    {
        var state = NodeState(id);
        if (state.State != ConnectionState.Connecting)
            throw new InvalidOperationException($"Node {id} is not in connecting state");
        return nowMs - state.LastConnectAttemptMs > state.ConnectionSetupTimeoutMs;
    }

    /// <summary>Nodes whose connection attempt has exceeded its setup timeout, into <paramref name="result"/>.</summary>
    public void NodesWithConnectionSetupTimeout(long nowMs, List<int> result)
    {
        foreach (var id in _connectingNodes)
        {
            if (IsConnectionSetupTimeout(id, nowMs))
                result.Add(id);
        }
    }

    /// <summary>Number of nodes currently connecting.</summary>
    public int ConnectingNodeCount => _connectingNodes.Count;

    /// <summary>The last time a connection to the node was attempted (or it disconnected).</summary>
    public long LastConnectAttemptMs(int id) => _nodeState.TryGetValue(id, out var s) ? s.LastConnectAttemptMs : 0;

    private void ResetConnectionSetupTimeout(NodeConnectionState state)
    {
        state.FailedConnectAttempts = 0;
        state.ConnectionSetupTimeoutMs = _connectionSetupTimeout.Backoff(0);
    }

    private NodeConnectionState NodeState(int id)
        => _nodeState.TryGetValue(id, out var state) ? state : throw new InvalidOperationException($"No entry found for connection {id}");

    private sealed class NodeConnectionState(string host, IHostResolver resolver)
    {
        private IPAddress[] _addresses = [];
        private int _addressIndex;

        public ConnectionState State;
        public long LastConnectAttemptMs;
        public long FailedAttempts;
        public long FailedConnectAttempts;
        public long ReconnectBackoffMs;
        public long ConnectionSetupTimeoutMs;

        public string Host { get; } = host;

        public IPAddress CurrentAddress()
        {
            if (_addresses.Length == 0)
            {
                // (Re-)initialise the list: each reconnect walks to the next address, and once all
                // were tried the name is resolved again (the broker may have moved).
                _addresses = resolver.Resolve(Host);
                _addressIndex = 0;
                if (_addresses.Length == 0)
                    throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound);
            }
            return _addresses[_addressIndex];
        }

        public void MoveToNextAddress()
        {
            if (_addresses.Length == 0)
                return;
            _addressIndex = (_addressIndex + 1) % _addresses.Length;
            if (_addressIndex == 0)
                _addresses = [];
        }

        public void ClearAddresses() => _addresses = [];
    }
}
