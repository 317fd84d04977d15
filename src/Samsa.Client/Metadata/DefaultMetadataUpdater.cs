using Microsoft.Extensions.Logging;
using Samsa.Client.Configuration;
using Samsa.Client.Network;
using Samsa.Protocol;
using Samsa.Protocol.Errors;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Metadata;

/// <summary>
/// Keeps a <see cref="ClientMetadata"/> current through its <see cref="NetworkClient"/> (Java's
/// NetworkClient.DefaultMetadataUpdater): one Metadata request in flight at a time, sent to the
/// least loaded node; backs off when no node is available; falls back to the bootstrap servers
/// when none of the known brokers can be reached (KIP-899).
/// </summary>
internal sealed class DefaultMetadataUpdater : IMetadataUpdater
{
    private readonly NetworkClient _client;
    private readonly ClientMetadata _metadata;
    private readonly MetadataRecoveryStrategy _recoveryStrategy;
    private readonly IHostResolver? _hostResolver;
    private readonly ClientDnsLookup _dnsLookup;
    private readonly ILogger _log;
    private readonly string _prefix;
    private long _lastNoNodeAvailableMs = long.MinValue / 2;
    private long _noNodeBackoffMs;
    private bool _inProgress;
    private int _inProgressRequestVersion;

    public DefaultMetadataUpdater(NetworkClient client, ClientMetadata metadata, MetadataRecoveryStrategy recoveryStrategy,
        IHostResolver? hostResolver, ClientDnsLookup dnsLookup, ILogger log, string prefix)
    {
        _hostResolver = hostResolver;
        _dnsLookup = dnsLookup;
        _client = client;
        _metadata = metadata;
        _recoveryStrategy = recoveryStrategy;
        _log = log;
        _prefix = prefix;
    }

    /// <summary>True while a metadata request is outstanding.</summary>
    public bool HasFetchInProgress => _inProgress;

    public IReadOnlyList<Node> FetchNodes() => _metadata.Fetch().Nodes;

    public bool IsUpdateDue(long nowMs) => !_inProgress && _metadata.TimeToNextUpdate(nowMs) == 0;

    public long MaybeUpdate(long nowMs)
    {
        var timeToNextUpdate = _metadata.TimeToNextUpdate(nowMs);
        // With no node to ask, wait before looking again instead of spinning.
        var timeToNextReconnectAttempt = Math.Max(_lastNoNodeAvailableMs + _noNodeBackoffMs - nowMs, 0);
        var waitForMetadataFetch = _inProgress ? _client.DefaultRequestTimeoutMs : 0;
        var metadataTimeout = Math.Max(Math.Max(timeToNextUpdate, timeToNextReconnectAttempt), waitForMetadataFetch);
        if (metadataTimeout > 0)
            return metadataTimeout;
        if (FetchNodes().Count == 0)
            return _client.ReconnectBackoffMsValue;

        var leastLoaded = _client.LeastLoadedNode(nowMs);
        if (_recoveryStrategy == MetadataRecoveryStrategy.Rebootstrap
            && !_metadata.Fetch().IsBootstrapConfigured
            && _metadata.BootstrapAddresses.Count > 0
            && (!leastLoaded.HasNodeAvailableOrConnectionReady || AllKnownNodesUnreachable()))
        {
            _log.LogInformation("{Prefix}No known broker can be reached; rebootstrapping", _prefix);
            _metadata.Rebootstrap(ResolveBootstrapServersAgain());
            leastLoaded = _client.LeastLoadedNode(nowMs);
        }
        if (leastLoaded.Node is null)
        {
            _log.LogDebug("{Prefix}Give up sending metadata request since no node is available", _prefix);
            _lastNoNodeAvailableMs = nowMs;
            _noNodeBackoffMs = _metadata.RefreshBackoffMs();
            return _noNodeBackoffMs;
        }
        return MaybeUpdate(nowMs, leastLoaded.Node);
    }

    /// <summary>
    /// Resolves <c>bootstrap.servers</c> again (client.dns.lookup rules), as Java's re-bootstrap does:
    /// the cluster may have moved to new addresses behind the same names. Null (keep the current
    /// addresses) when the metadata was bootstrapped from addresses only or no name resolves now. When
    /// only some names fail, the previous addresses are kept after the new ones, so a DNS hiccup never
    /// leaves fewer brokers to try. Blocking, like the first resolution (and Java's, on its network thread).
    /// </summary>
    private IReadOnlyList<(string Host, int Port)>? ResolveBootstrapServersAgain()
    {
        if (_metadata.BootstrapServerNames is not { Count: > 0 } servers)
            return null;
        var resolved = BootstrapServers.ResolveEach(servers, _dnsLookup, _hostResolver, _log, out var anyFailed);
        var previous = _metadata.BootstrapAddresses;
        if (resolved.Count == 0)
        {
            _log.LogWarning("{Prefix}No bootstrap server resolves; rebootstrapping with the previous addresses {Addresses}",
                _prefix, string.Join(",", previous));
            return null;
        }
        if (anyFailed)
        {
            foreach (var address in previous)
            {
                if (!resolved.Contains(address))
                    resolved.Add(address);
            }
        }
        return resolved;
    }

    /// <summary>
    /// True when every broker of the current metadata has failed or dropped its connection since the
    /// last successful update (the cluster may have moved to new addresses).
    /// </summary>
    private bool AllKnownNodesUnreachable()
    {
        var states = _client.ConnectionStates;
        var since = _metadata.LastSuccessfulUpdateMs;
        foreach (var node in FetchNodes())
        {
            if (!states.IsDisconnected(node.Id) || states.LastConnectAttemptMs(node.Id) < since)
                return false;
        }
        return true;
    }

    private long MaybeUpdate(long nowMs, Node node)
    {
        if (_client.CanSendRequest(node.Id, nowMs))
        {
            var target = _metadata.NewMetadataRequestTarget();
            _log.LogDebug("{Prefix}Sending metadata request for {Topics} to node {Node}", _prefix,
                target.Topics is null ? "all topics" : string.Join(",", target.Topics), node);
            _inProgress = true;
            _inProgressRequestVersion = target.RequestVersion;
            _client.SendInternalMetadataRequest(node.Id, target, nowMs);
            return _client.DefaultRequestTimeoutMs;
        }
        // A connection being set up will produce an event; don't open more meanwhile.
        if (_client.IsAnyNodeConnecting())
            return _client.ReconnectBackoffMsValue;
        if (_client.ConnectionStates.CanConnect(node.Id, nowMs))
        {
            _log.LogDebug("{Prefix}Initialize connection to node {Node} for sending metadata request", _prefix, node);
            _client.InitiateConnect(node, nowMs);
            return _client.ReconnectBackoffMsValue;
        }
        // Connected but busy, or checking versions: a network event will tell us when it is usable.
        return long.MaxValue;
    }

    public void HandleServerDisconnect(long nowMs, int nodeId)
    {
        var cluster = _metadata.Fetch();
        if (cluster.IsBootstrapConfigured && cluster.NodeById(nodeId) is { } node)
            _log.LogWarning("{Prefix}Bootstrap broker {Node} disconnected", _prefix, node);
        // A disconnect while an update is due counts as a failed update, so the backoff applies.
        if (IsUpdateDue(nowMs))
            HandleFailedRequest(nowMs, null);
        // The disconnect may be the result of stale metadata.
        _metadata.RequestUpdate();
    }

    public void HandleFailedRequest(long nowMs, KafkaException? error)
    {
        if (error is not null)
            _log.LogWarning("{Prefix}Metadata request failed: {Error}", _prefix, error.Message);
        _metadata.FailedUpdate(nowMs);
        _inProgress = false;
    }

    public void HandleSuccessfulResponse(ClientRequest request, long nowMs, IKafkaResponse response)
    {
        _inProgress = false;
        var cluster = MetadataResponseConverter.ToCluster((MetadataResponse)response, request.Version);
        List<string>? errors = null;
        foreach (var topic in cluster.TopicsWithErrors)
            (errors ??= []).Add($"{topic.Name}={topic.Error}");
        if (errors is not null)
            _log.LogWarning("{Prefix}The metadata response from the cluster reported a recoverable issue with correlation id {CorrelationId} : {Errors}", _prefix, request.CorrelationId, string.Join(", ", errors));
        // A broker that is starting up may return no brokers; retry later rather than forget the cluster.
        if (cluster.Nodes.Count == 0)
        {
            _log.LogTrace("{Prefix}Ignoring empty metadata response with correlation id {CorrelationId}.", _prefix, request.CorrelationId);
            _metadata.FailedUpdate(nowMs);
            return;
        }
        _metadata.Update(_inProgressRequestVersion, cluster, nowMs);
    }

    public void Close() => _metadata.Close();
}
