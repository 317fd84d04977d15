using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Client.Configuration;
using Samsa.Client.Errors;
using Samsa.Client.Metadata;
using Samsa.Protocol;
using Samsa.Protocol.Errors;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Primitives;

namespace Samsa.Client.Network;

/// <summary>
/// The request/response engine under the producer, consumer and admin clients (Java's
/// NetworkClient). Use: <see cref="Ready"/> a node (connects if needed), <see cref="Send"/> a
/// <see cref="ClientRequest"/> when it is ready, and call <see cref="Poll"/> in a loop: it refreshes
/// metadata, does the I/O, and completes requests through their callbacks.
/// </summary>
/// <remarks>
/// Not thread-safe, by design: one owner thread calls everything except <see cref="Wakeup"/>.
/// <see cref="NetworkClientDriver"/> runs a client on its own thread for callers that want to await.
/// Every connection negotiates versions with ApiVersions first (KIP-511 client name and version),
/// and each request then goes out at the highest version both sides support.
/// </remarks>
public sealed partial class NetworkClient : IDisposable
{
    /// <summary>The name sent in ApiVersions (KIP-511).</summary>
    public const string ClientSoftwareName = "samsa-dotnet";

    // Completed sends kept for reuse: enough for max.in.flight requests to a few nodes.
    private const int MaxPooledSends = 32;

    private readonly ISelectable _selector;
    private readonly IMetadataUpdater _metadataUpdater;
    private readonly ClusterConnectionStates _connectionStates;
    private readonly InFlightRequests _inFlightRequests;
    private readonly ApiVersions _apiVersions;
    private readonly Dictionary<int, short> _nodesNeedingApiVersionsFetch = [];
    private readonly Dictionary<int, Node> _nodes = [];
    private readonly List<ClientResponse> _abortedSends = [];
    private readonly List<ClientResponse> _responses = [];
    private readonly List<ClientRequest> _scratchRequests = [];
    private readonly List<int> _scratchNodes = [];
    private readonly List<int> _closedThisPoll = [];
    private readonly Stack<NetworkSend> _sendPool = new();
    private readonly List<byte[]> _pooledFrames = [];
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly string _logPrefix;
    private readonly string _clientId;
    private readonly int _clientIdSize;
    private readonly int _socketSendBuffer;
    private readonly int _socketReceiveBuffer;
    private readonly int _defaultRequestTimeoutMs;
    private readonly long _reconnectBackoffMs;
    private readonly bool _discoverBrokerVersions;
    private readonly Random _random;
    private int _correlation;
    private bool _closed;

    /// <summary>Creates a client over an I/O layer (tests pass a fake <see cref="ISelectable"/>).</summary>
    /// <param name="selector">The I/O layer; owned (disposed) by the client.</param>
    /// <param name="metadata">Cluster metadata kept current by a default updater; ignored when <paramref name="metadataUpdater"/> is given.</param>
    /// <param name="options">Common client settings.</param>
    /// <param name="time">Clock.</param>
    /// <param name="loggerFactory">Logging.</param>
    /// <param name="metadataUpdater">A custom updater (e.g. <see cref="ManualMetadataUpdater"/>).</param>
    /// <param name="apiVersions">Shared version table; a new one when null.</param>
    /// <param name="maxInFlightRequestsPerConnection">Overrides the option (the consumer uses 100).</param>
    /// <param name="discoverBrokerVersions">False skips ApiVersions and uses each request's latest allowed version.</param>
    /// <param name="hostResolver">Name resolution.</param>
    /// <param name="random">Jitter and least-loaded start point (tests pass a seeded one).</param>
    /// <param name="logPrefix">Prefix of every log line; defaults to "[Client clientId=...] ".</param>
    public NetworkClient(
        ISelectable selector,
        ClientMetadata? metadata,
        ClientOptions options,
        TimeProvider? time = null,
        ILoggerFactory? loggerFactory = null,
        IMetadataUpdater? metadataUpdater = null,
        ApiVersions? apiVersions = null,
        int? maxInFlightRequestsPerConnection = null,
        bool discoverBrokerVersions = true,
        IHostResolver? hostResolver = null,
        Random? random = null,
        string? logPrefix = null)
    {
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentNullException.ThrowIfNull(options);
        _selector = selector;
        _time = time ?? TimeProvider.System;
        _log = (ILogger?)loggerFactory?.CreateLogger<NetworkClient>() ?? NullLogger.Instance;
        _clientId = options.ClientId;
        _clientIdSize = 2 + System.Text.Encoding.UTF8.GetByteCount(_clientId);
        _logPrefix = logPrefix ?? $"[Client clientId={options.ClientId}] ";
        _random = random ?? new Random();
        _socketSendBuffer = options.SendBufferBytes;
        _socketReceiveBuffer = options.ReceiveBufferBytes;
        _defaultRequestTimeoutMs = (int)options.RequestTimeout.TotalMilliseconds;
        _reconnectBackoffMs = (long)options.ReconnectBackoff.TotalMilliseconds;
        _discoverBrokerVersions = discoverBrokerVersions;
        _apiVersions = apiVersions ?? new ApiVersions();
        _inFlightRequests = new InFlightRequests(maxInFlightRequestsPerConnection ?? options.MaxInFlightRequestsPerConnection);
        _connectionStates = new ClusterConnectionStates(
            _reconnectBackoffMs,
            (long)options.ReconnectBackoffMax.TotalMilliseconds,
            (long)options.SocketConnectionSetupTimeout.TotalMilliseconds,
            (long)options.SocketConnectionSetupTimeoutMax.TotalMilliseconds,
            hostResolver,
            _log,
            _random);
        if (metadataUpdater is not null)
        {
            _metadataUpdater = metadataUpdater;
        }
        else
        {
            ArgumentNullException.ThrowIfNull(metadata);
            Metadata = metadata;
            _metadataUpdater = new DefaultMetadataUpdater(this, metadata, options.MetadataRecoveryStrategy, hostResolver, options.ClientDnsLookup, _log, _logPrefix);
        }
    }

    /// <summary>
    /// Creates a socket-backed client. When <paramref name="metadata"/> has not been bootstrapped yet,
    /// it is bootstrapped from <c>bootstrap.servers</c> (each resolved address becomes one node).
    /// </summary>
    /// <exception cref="ArgumentException">Invalid options, or no bootstrap address resolves.</exception>
    public static NetworkClient Create(
        ClientOptions options,
        ClientMetadata? metadata = null,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? time = null,
        int? maxInFlightRequestsPerConnection = null,
        ApiVersions? apiVersions = null,
        int maxReceiveSize = Selector.DefaultMaxReceiveSize,
        string? logPrefix = null)
    {
        options.Validate();
        time ??= TimeProvider.System;
        var log = (ILogger?)loggerFactory?.CreateLogger<NetworkClient>() ?? NullLogger.Instance;
        metadata ??= CreateMetadata(options, loggerFactory);
        if (metadata.Fetch().Nodes.Count == 0)
        {
            var servers = BootstrapServers.Parse(options.BootstrapServers);
            metadata.Bootstrap(BootstrapServers.Resolve(servers, options.ClientDnsLookup, null, log), servers);
        }
        var selector = new Selector((long)options.ConnectionsMaxIdle.TotalMilliseconds, time, log, maxReceiveSize);
        return new NetworkClient(selector, metadata, options, time, loggerFactory,
            apiVersions: apiVersions, maxInFlightRequestsPerConnection: maxInFlightRequestsPerConnection, logPrefix: logPrefix);
    }

    /// <summary>
    /// Creates a socket-backed client that talks only to the given nodes and sends no metadata
    /// requests (a <see cref="ManualMetadataUpdater"/>): e.g. the consumer's separate connection to
    /// its group coordinator, so fetch long-polls never delay heartbeats.
    /// </summary>
    public static NetworkClient Create(
        ClientOptions options,
        IMetadataUpdater metadataUpdater,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? time = null,
        int? maxInFlightRequestsPerConnection = null,
        ApiVersions? apiVersions = null,
        int maxReceiveSize = Selector.DefaultMaxReceiveSize,
        string? logPrefix = null)
    {
        time ??= TimeProvider.System;
        var log = (ILogger?)loggerFactory?.CreateLogger<NetworkClient>() ?? NullLogger.Instance;
        var selector = new Selector((long)options.ConnectionsMaxIdle.TotalMilliseconds, time, log, maxReceiveSize);
        return new NetworkClient(selector, null, options, time, loggerFactory, metadataUpdater,
            apiVersions, maxInFlightRequestsPerConnection, logPrefix: logPrefix);
    }

    /// <summary>A metadata holder configured from the options (all topics).</summary>
    public static ClientMetadata CreateMetadata(ClientOptions options, ILoggerFactory? loggerFactory = null, bool allTopics = true)
        => new((long)options.RetryBackoff.TotalMilliseconds, (long)options.RetryBackoffMax.TotalMilliseconds,
            (long)options.MetadataMaxAge.TotalMilliseconds, allTopics, loggerFactory?.CreateLogger<ClientMetadata>());

    /// <summary>The version sent in ApiVersions (KIP-511).</summary>
    public static string ClientSoftwareVersion { get; } =
        typeof(NetworkClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>The metadata kept current by this client (null with a custom updater).</summary>
    public ClientMetadata? Metadata { get; }

    /// <summary>The broker version table.</summary>
    public ApiVersions ApiVersions => _apiVersions;

    /// <summary>The client id.</summary>
    public string ClientId => _clientId;

    /// <summary>The clock.</summary>
    public TimeProvider Time => _time;

    /// <summary>The default <c>request.timeout.ms</c>.</summary>
    public int DefaultRequestTimeoutMs => _defaultRequestTimeoutMs;

    internal ClusterConnectionStates ConnectionStates => _connectionStates;

    internal InFlightRequests InFlight => _inFlightRequests;

    internal long ReconnectBackoffMsValue => _reconnectBackoffMs;

    internal ILogger Log => _log;

    internal string LogPrefix => _logPrefix;

    /// <summary>Now in milliseconds, from the client's clock.</summary>
    public long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// True when a request can be sent to the node now; otherwise starts connecting when allowed
    /// and returns false.
    /// </summary>
    /// <exception cref="ArgumentException">The node has no address.</exception>
    public bool Ready(Node node, long nowMs)
    {
        if (node.IsEmpty)
            throw new ArgumentException($"Cannot connect to empty node {node}", nameof(node));
        if (IsReady(node, nowMs))
            return true;
        if (_connectionStates.CanConnect(node.Id, nowMs))
            InitiateConnect(node, nowMs);
        return false;
    }

    /// <summary>
    /// True when the node's connection is ready, it can take another request, and no metadata update
    /// is due (a due update goes first: the cluster may have changed).
    /// </summary>
    public bool IsReady(Node node, long nowMs) => !_metadataUpdater.IsUpdateDue(nowMs) && CanSendRequest(node.Id, nowMs);

    /// <summary>Milliseconds before a connection to the node may be attempted (see <see cref="ClusterConnectionStates.ConnectionDelay"/>).</summary>
    public long ConnectionDelay(Node node, long nowMs) => _connectionStates.ConnectionDelay(node.Id, nowMs);

    /// <summary>How long the owner may sleep before the node could become sendable.</summary>
    public long PollDelayMs(Node node, long nowMs) => _connectionStates.ConnectionDelay(node.Id, nowMs);

    /// <summary>True when the last connection attempt to the node failed (it is disconnected).</summary>
    public bool ConnectionFailed(Node node) => _connectionStates.IsDisconnected(node.Id);

    /// <summary>True when the node is disconnected and inside its reconnect backoff.</summary>
    public bool IsBlackedOut(Node node, long nowMs) => _connectionStates.IsBlackedOut(node.Id, nowMs);

    /// <summary>The connection state of a node.</summary>
    public ConnectionState ConnectionStateOf(int nodeId) => _connectionStates.ConnectionStateOf(nodeId);

    /// <summary>Requests in flight, all nodes.</summary>
    public int InFlightRequestCount() => _inFlightRequests.Count;

    /// <summary>Requests in flight to one node.</summary>
    public int InFlightRequestCount(int nodeId) => _inFlightRequests.CountFor(nodeId);

    /// <summary>True when anything is in flight.</summary>
    public bool HasInFlightRequests() => _inFlightRequests.Count > 0;

    /// <summary>True when anything is in flight to the node.</summary>
    public bool HasInFlightRequests(int nodeId) => !_inFlightRequests.IsEmpty(nodeId);

    /// <summary>True when some node's connection is ready.</summary>
    public bool HasReadyNodes() => _connectionStates.HasReadyNodes();

    /// <summary>Makes a blocked <see cref="Poll"/> return. Safe from any thread.</summary>
    public void Wakeup() => _selector.Wakeup();

    /// <summary>Creates a request; its version is chosen when it is sent.</summary>
    /// <param name="nodeId">Destination broker.</param>
    /// <param name="request">The body (version-independent).</param>
    /// <param name="callback">Called when it completes.</param>
    /// <param name="expectResponse">False for acks=0 produce: completes once written.</param>
    /// <param name="requestTimeoutMs">Overrides <c>request.timeout.ms</c> (e.g. longer for fetch long-polls).</param>
    /// <param name="oldestAllowedVersion">Lowest acceptable version (e.g. Produce v3 for record batch v2).</param>
    /// <param name="latestAllowedVersion">Highest acceptable version (at most what Samsa implements).</param>
    public ClientRequest NewClientRequest<TRequest, TResponse>(
        int nodeId,
        TRequest request,
        IRequestCompletionHandler? callback = null,
        bool expectResponse = true,
        int? requestTimeoutMs = null,
        short? oldestAllowedVersion = null,
        short? latestAllowedVersion = null)
        where TRequest : IKafkaRequest<TRequest, TResponse>
        where TResponse : IKafkaResponse<TResponse>
        => NewRequest<TRequest, TResponse>(nodeId, request, null, callback, expectResponse, requestTimeoutMs, oldestAllowedVersion, latestAllowedVersion, false);

    /// <summary>Creates a request whose body depends on the version (built once the version is known).</summary>
    public ClientRequest NewClientRequest<TRequest, TResponse>(
        int nodeId,
        Func<short, TRequest> buildForVersion,
        IRequestCompletionHandler? callback = null,
        bool expectResponse = true,
        int? requestTimeoutMs = null,
        short? oldestAllowedVersion = null,
        short? latestAllowedVersion = null)
        where TRequest : IKafkaRequest<TRequest, TResponse>
        where TResponse : IKafkaResponse<TResponse>
        => NewRequest<TRequest, TResponse>(nodeId, default, v => buildForVersion(v), callback, expectResponse, requestTimeoutMs, oldestAllowedVersion, latestAllowedVersion, false);

    internal ClientRequest NewRequest<TRequest, TResponse>(
        int nodeId,
        TRequest? request,
        Func<short, IKafkaRequest>? buildForVersion,
        IRequestCompletionHandler? callback,
        bool expectResponse,
        int? requestTimeoutMs,
        short? oldestAllowedVersion,
        short? latestAllowedVersion,
        bool isInternal)
        where TRequest : IKafkaRequest<TRequest, TResponse>
        where TResponse : IKafkaResponse<TResponse>
    {
        var oldest = Math.Max(TRequest.LowestVersion, oldestAllowedVersion ?? TRequest.LowestVersion);
        var latest = Math.Min(TRequest.HighestVersion, latestAllowedVersion ?? TRequest.HighestVersion);
        return new ClientRequest(nodeId, TRequest.Key, request, buildForVersion, (short)oldest, (short)latest,
            TRequest.FlexibleFrom, TResponse.FlexibleFrom, ResponseReaders<TResponse>.Instance, _clientId, NowMs(),
            expectResponse, requestTimeoutMs ?? _defaultRequestTimeoutMs, callback)
        { IsInternalRequest = isInternal };
    }

    /// <summary>Queues a request for sending.</summary>
    /// <exception cref="InvalidOperationException">The node is not ready (check <see cref="Ready"/> first).</exception>
    public void Send(ClientRequest request, long nowMs) => DoSend(request, false, nowMs);

    /// <summary>
    /// Does the I/O and completes requests: metadata update if due, wait up to
    /// min(<paramref name="timeoutMs"/>, metadata timeout, request timeout) for network events, then
    /// handle completed sends, receives, disconnects, new connections, ApiVersions, and timeouts, and
    /// finally run each completed request's callback (one failing callback does not stop the others).
    /// </summary>
    /// <returns>The completed requests; the list is reused by the next poll.</returns>
    public IReadOnlyList<ClientResponse> Poll(long timeoutMs, long nowMs)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        _responses.Clear();
        _closedThisPoll.Clear();
        if (_abortedSends.Count > 0)
        {
            // Version mismatches and client-side disconnects complete at once, without waiting for I/O.
            _responses.AddRange(_abortedSends);
            _abortedSends.Clear();
            CompleteResponses();
            return _responses;
        }

        var metadataTimeout = _metadataUpdater.MaybeUpdate(nowMs);
        var pollTimeout = Math.Min(Math.Min(timeoutMs, metadataTimeout), Math.Min(_defaultRequestTimeoutMs, _inFlightRequests.NextTimeoutMs(nowMs)));
        if (_connectionStates.ConnectingNodeCount > 0)
            pollTimeout = Math.Min(pollTimeout, _connectionStates.NextConnectionSetupTimeoutMs(nowMs));
        if (_abortedSends.Count > 0)
            pollTimeout = 0;
        try
        {
            _selector.Poll(Math.Max(0, pollTimeout));
        }
        catch (Exception e) when (e is not ObjectDisposedException)
        {
            _log.LogError(e, "{Prefix}Unexpected error during I/O", _logPrefix);
        }

        var now = NowMs();
        if (_abortedSends.Count > 0)
        {
            _responses.AddRange(_abortedSends);
            _abortedSends.Clear();
        }
        HandleCompletedSends(now);
        HandleCompletedReceives(now);
        HandleDisconnections(now);
        HandleConnections();
        HandleInitiateApiVersionRequests(now);
        HandleTimedOutConnections(now);
        HandleTimedOutRequests(now);
        CompleteResponses();
        return _responses;
    }

    /// <summary>
    /// Closes the connection to a node; its in-flight requests complete as disconnected on the next
    /// poll and the reconnect backoff applies.
    /// </summary>
    public void Disconnect(int nodeId)
    {
        if (_connectionStates.IsDisconnected(nodeId))
        {
            _log.LogDebug("{Prefix}Client requested disconnect from node {NodeId}, which is already disconnected", _logPrefix, nodeId);
            return;
        }
        _log.LogInformation("{Prefix}Client requested disconnect from node {NodeId}", _logPrefix, nodeId);
        _selector.Close(nodeId);
        var now = NowMs();
        CancelInFlightRequests(nodeId, now, _abortedSends, timedOut: false, cause: null);
        if (_connectionStates.Contains(nodeId))
            _connectionStates.Disconnected(nodeId, now);
        _apiVersions.Remove(nodeId);
        _nodesNeedingApiVersionsFetch.Remove(nodeId);
    }

    /// <summary>Closes the connection to a node and forgets it; in-flight requests are dropped without callbacks.</summary>
    public void Close(int nodeId)
    {
        _selector.Close(nodeId);
        _inFlightRequests.ClearAll(nodeId, _scratchRequests);
        _scratchRequests.Clear();
        _connectionStates.Remove(nodeId);
        _nodes.Remove(nodeId);
        _apiVersions.Remove(nodeId);
        _nodesNeedingApiVersionsFetch.Remove(nodeId);
    }

    /// <summary>
    /// The node with the fewest in-flight requests among those usable now: a ready connection is
    /// preferred, then one being set up, then one that may be connected (least recently tried
    /// first); blacked-out nodes are skipped. Starts at a random node so load spreads.
    /// </summary>
    public LeastLoadedNode LeastLoadedNode(long nowMs)
    {
        var nodes = _metadataUpdater.FetchNodes();
        if (nodes.Count == 0)
            throw new InvalidOperationException("There are no nodes in the Kafka cluster");
        var inflight = int.MaxValue;
        Node? foundConnecting = null, foundCanConnect = null, foundReady = null;
        var atLeastOneConnectionReady = false;
        var offset = _random.Next(nodes.Count);
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[(offset + i) % nodes.Count];
            if (!atLeastOneConnectionReady && _connectionStates.IsReady(node.Id) && _selector.IsChannelReady(node.Id))
                atLeastOneConnectionReady = true;
            if (CanSendRequest(node.Id, nowMs))
            {
                var current = _inFlightRequests.CountFor(node.Id);
                if (current == 0)
                    return new LeastLoadedNode(node, true);
                if (current < inflight)
                {
                    inflight = current;
                    foundReady = node;
                }
            }
            else if (_connectionStates.IsPreparingConnection(node.Id))
            {
                foundConnecting = node;
            }
            else if (_connectionStates.CanConnect(node.Id, nowMs))
            {
                if (foundCanConnect is null || _connectionStates.LastConnectAttemptMs(foundCanConnect.Id) > _connectionStates.LastConnectAttemptMs(node.Id))
                    foundCanConnect = node;
            }
        }
        return new LeastLoadedNode(foundReady ?? foundConnecting ?? foundCanConnect, atLeastOneConnectionReady);
    }

    /// <summary>Closes every connection; in-flight requests are dropped.</summary>
    public void Dispose()
    {
        if (_closed)
            return;
        _closed = true;
        _metadataUpdater.Close();
        _selector.Dispose();
    }

    internal bool CanSendRequest(int nodeId, long nowMs)
        => _connectionStates.IsReady(nodeId) && _selector.IsChannelReady(nodeId) && _inFlightRequests.CanSendMore(nodeId);

    internal bool IsAnyNodeConnecting() => _connectionStates.ConnectingNodeCount > 0;

    internal void InitiateConnect(Node node, long nowMs)
    {
        _nodes[node.Id] = node;
        try
        {
            _connectionStates.Connecting(node.Id, nowMs, node.Host);
            var address = _connectionStates.CurrentAddress(node.Id);
            _log.LogDebug("{Prefix}Initiating connection to node {Node} using address {Address}", _logPrefix, node, address);
            _selector.Connect(node.Id, new IPEndPoint(address, node.Port), _socketSendBuffer, _socketReceiveBuffer);
        }
        catch (Exception e) when (e is SocketException or IOException or ArgumentException)
        {
            _log.LogWarning("{Prefix}Error connecting to node {Node}: {Error}", _logPrefix, node, e.Message);
            // Attempt failed; try again after the backoff. Maybe the metadata is stale.
            _connectionStates.Disconnected(node.Id, nowMs);
            _metadataUpdater.HandleServerDisconnect(nowMs, node.Id);
        }
    }

    internal void DoSend(ClientRequest request, bool isInternalRequest, long nowMs)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        var nodeId = request.Destination;
        if (!isInternalRequest && !CanSendRequest(nodeId, nowMs))
            throw new InvalidOperationException($"Attempt to send a request to node {nodeId} which is not ready.");

        short version;
        var versionInfo = _apiVersions.Get(nodeId);
        if (versionInfo is null)
        {
            // No broker information: the ApiVersions request itself, or discovery is off.
            version = request.LatestAllowedVersion;
        }
        else
        {
            version = versionInfo.LatestUsableVersion(request.ApiKey, request.OldestAllowedVersion, request.LatestAllowedVersion);
            if (version < 0)
            {
                var error = versionInfo.TryGetRange(request.ApiKey, out var min, out var max)
                    ? ExceptionFactory.UnsupportedVersion(_clientId, nodeId, request.ApiKey, request.OldestAllowedVersion, request.LatestAllowedVersion, min, max)
                    : ExceptionFactory.UnsupportedApi(_clientId, nodeId, request.ApiKey);
                AbortSend(request, isInternalRequest, nowMs, error);
                return;
            }
        }

        NetworkSend send;
        var correlationId = NextCorrelationId();
        try
        {
            var body = request.BodyForVersion?.Invoke(version) ?? request.Body
                ?? throw new InvalidOperationException($"{request.ApiKey} request has no body");
            request.Body = body;
            send = Serialize(request, body, version, correlationId);
        }
        catch (KafkaException e)
        {
            // A field the chosen version cannot express: like Java's UnsupportedVersionException from build().
            _log.LogDebug(e, "{Prefix}Version mismatch when attempting to send {Api} v{Version} to node {NodeId}", _logPrefix, request.ApiKey, version, nodeId);
            AbortSend(request, isInternalRequest, nowMs, e.Code == ErrorCode.UnsupportedVersion ? e : new KafkaException(ErrorCode.UnsupportedVersion, e.Message, e));
            return;
        }

        request.Version = version;
        request.CorrelationId = correlationId;
        request.SendTimeMs = nowMs;
        request.SendCompleted = false;
        _inFlightRequests.Add(request);
        if (_log.IsEnabled(LogLevel.Trace))
            _log.LogTrace("{Prefix}Sending {Api} v{Version} with correlation id {CorrelationId} to node {NodeId}", _logPrefix, request.ApiKey, version, correlationId, nodeId);
        _selector.Send(send);
    }

    private NetworkSend Serialize(ClientRequest request, IKafkaRequest body, short version, int correlationId)
    {
        // Size the buffer exactly (ComputeSize is a cheap walk) so a frame is written without the
        // grow-and-copy steps a small initial buffer costs: a 16 KiB produce request would
        // otherwise be copied through 256 B, 512 B, ... 32 KiB rentals.
        var flexible = version >= request.RequestFlexibleFrom;
        var size = 4 + 2 + 2 + 4 + ClientIdSize(request.ClientId) + (flexible ? 1 : 0) + body.ComputeSize(version);
        var send = _sendPool.Count > 0 ? _sendPool.Pop() : null;
        var buffer = send?.Writer ?? new ByteBufferWriter(size);
        buffer.Reinitialize(size);
        try
        {
            var writer = new KafkaWriter(buffer);
            var sizePosition = writer.ReserveInt32();
            // Request header v1 (v2 adds tagged fields for flexible versions). The client id stays a
            // classic nullable string even in v2. ControlledShutdown v0's header v0 is never sent by a client.
            writer.WriteInt16((short)request.ApiKey);
            writer.WriteInt16(version);
            writer.WriteInt32(correlationId);
            writer.WriteNullableString(request.ClientId, compact: false);
            if (flexible)
                writer.WriteUnsignedVarInt(0);
            body.Write(ref writer, version);
            buffer.WriteInt32At(sizePosition, buffer.WrittenCount - sizePosition - 4);
        }
        catch
        {
            buffer.Dispose();
            if (send is not null)
                RecycleSend(send);
            throw;
        }
        if (send is null)
            return new NetworkSend(request.Destination, buffer, request);
        send.Reset(request.Destination, request);
        return send;
    }

    private int ClientIdSize(string? clientId)
    {
        if (clientId is null)
            return 2;
        if (ReferenceEquals(clientId, _clientId))
            return _clientIdSize;
        return 2 + System.Text.Encoding.UTF8.GetByteCount(clientId);
    }

    /// <summary>
    /// Takes back a send the selector reported complete (its buffer already went back to the array
    /// pool); the next request reuses the object and its writer. Bounded so a burst of requests does
    /// not keep its peak in memory.
    /// </summary>
    private void RecycleSend(NetworkSend send)
    {
        send.Release();
        send.Clear();
        if (_sendPool.Count < MaxPooledSends)
            _sendPool.Push(send);
    }

    private void AbortSend(ClientRequest request, bool isInternalRequest, long nowMs, KafkaException error)
    {
        request.Version = request.LatestAllowedVersion;
        var response = new ClientResponse(request, nowMs, null, error: error);
        if (!isInternalRequest)
            _abortedSends.Add(response);
        else if (request.ApiKey == ApiKey.Metadata)
            _metadataUpdater.HandleFailedRequest(nowMs, error);
    }

    private int NextCorrelationId()
    {
        var id = _correlation;
        _correlation = id == int.MaxValue ? 0 : id + 1;
        return id;
    }

    private string? AddressOf(int nodeId) => _nodes.TryGetValue(nodeId, out var node) ? node.Address : null;
}
