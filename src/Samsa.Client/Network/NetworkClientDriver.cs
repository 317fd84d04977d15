using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Client.Errors;
using Samsa.Client.Metadata;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Network;

/// <summary>
/// Runs a <see cref="NetworkClient"/> on a dedicated thread and lets any thread await responses:
/// <c>await driver.SendAsync&lt;MetadataRequest, MetadataResponse&gt;(nodeId, request)</c>. Requests
/// are handed over through a queue; the owner thread connects, sends when the node is ready, polls,
/// and completes each task (continuations run on the thread pool, never on the network thread).
/// Used by the admin client, the CLI and tests; the producer and consumer drive their clients
/// directly from their own threads.
/// </summary>
public sealed class NetworkClientDriver : IDisposable, IAsyncDisposable
{
    private const long MaxPollMs = 1000;

    private readonly NetworkClient _client;
    private readonly ConcurrentQueue<IPendingRequest> _incoming = new();
    private readonly List<IPendingRequest> _waiting = [];
    private readonly Thread _thread;
    private readonly ILogger _log;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _running = true;

    /// <summary>Starts the network thread for <paramref name="client"/> (owned: disposed with the driver).</summary>
    public NetworkClientDriver(NetworkClient client, ILoggerFactory? loggerFactory = null, string? threadName = null)
    {
        _client = client;
        _log = (ILogger?)loggerFactory?.CreateLogger<NetworkClientDriver>() ?? NullLogger.Instance;
        _thread = new Thread(Run)
        {
            IsBackground = true,
            Name = threadName ?? ("samsa-network-thread" + (client.ClientId.Length > 0 ? " | " + client.ClientId : "")),
        };
        _thread.Start();
    }

    /// <summary>The client; touch it only from callbacks running on the network thread.</summary>
    public NetworkClient Client => _client;

    /// <summary>The latest cluster snapshot (safe from any thread).</summary>
    public Cluster Cluster => _client.Metadata?.Fetch() ?? Cluster.Empty;

    /// <summary>
    /// Sends a request to a broker by id (looked up in the metadata) and completes with its
    /// response. Waits for the connection, within the request timeout.
    /// </summary>
    /// <exception cref="Protocol.Errors.KafkaException">Connection lost, timed out, no common version, or a bad response.</exception>
    public Task<TResponse> SendAsync<TRequest, TResponse>(int nodeId, TRequest request, int? requestTimeoutMs = null, short? oldestAllowedVersion = null,
        short? latestAllowedVersion = null, CancellationToken cancellationToken = default)
        where TRequest : IKafkaRequest<TRequest, TResponse>
        where TResponse : class, IKafkaResponse<TResponse>
        => Enqueue(new PendingRequest<TRequest, TResponse>(nodeId, null, request, requestTimeoutMs, oldestAllowedVersion, latestAllowedVersion, cancellationToken));

    /// <summary>Sends a request to a given node (e.g. a coordinator from FindCoordinator).</summary>
    public Task<TResponse> SendAsync<TRequest, TResponse>(Node node, TRequest request, int? requestTimeoutMs = null, short? oldestAllowedVersion = null,
        short? latestAllowedVersion = null, CancellationToken cancellationToken = default)
        where TRequest : IKafkaRequest<TRequest, TResponse>
        where TResponse : class, IKafkaResponse<TResponse>
        => Enqueue(new PendingRequest<TRequest, TResponse>(node.Id, node, request, requestTimeoutMs, oldestAllowedVersion, latestAllowedVersion, cancellationToken));

    /// <summary>Sends a request to the least loaded broker.</summary>
    public Task<TResponse> SendToAnyAsync<TRequest, TResponse>(TRequest request, int? requestTimeoutMs = null, short? oldestAllowedVersion = null,
        short? latestAllowedVersion = null, CancellationToken cancellationToken = default)
        where TRequest : IKafkaRequest<TRequest, TResponse>
        where TResponse : class, IKafkaResponse<TResponse>
        => Enqueue(new PendingRequest<TRequest, TResponse>(AnyNode, null, request, requestTimeoutMs, oldestAllowedVersion, latestAllowedVersion, cancellationToken));

    /// <summary>Asks for a metadata refresh and completes with the updated cluster.</summary>
    public async Task<Cluster> RefreshMetadataAsync(CancellationToken cancellationToken = default)
    {
        var metadata = _client.Metadata ?? throw new InvalidOperationException("This client has no metadata (custom updater)");
        var version = metadata.RequestUpdate();
        _client.Wakeup();
        await metadata.WaitForUpdateAsync(version, cancellationToken).ConfigureAwait(false);
        return metadata.Fetch();
    }

    /// <summary>Completes once metadata from a real broker (not just bootstrap addresses) is known.</summary>
    public async Task<Cluster> WaitForMetadataAsync(CancellationToken cancellationToken = default)
    {
        var metadata = _client.Metadata ?? throw new InvalidOperationException("This client has no metadata (custom updater)");
        while (true)
        {
            var version = metadata.UpdateVersion;
            var cluster = metadata.Fetch();
            if (!cluster.IsBootstrapConfigured && cluster.Nodes.Count > 0)
                return cluster;
            _client.Wakeup();
            await metadata.WaitForUpdateAsync(version, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the thread, fails whatever is pending, and closes the client.</summary>
    public void Dispose()
    {
        if (!_running)
            return;
        _running = false;
        _client.Wakeup();
        if (Thread.CurrentThread != _thread)
            _thread.Join();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_running)
        {
            _running = false;
            _client.Wakeup();
        }
        await _stopped.Task.ConfigureAwait(false);
    }

    internal const int AnyNode = int.MinValue;

    private Task<TResponse> Enqueue<TResponse>(PendingRequestBase<TResponse> pending)
        where TResponse : class, IKafkaResponse<TResponse>
    {
        if (!_running)
        {
            pending.Fail(new ObjectDisposedException(nameof(NetworkClientDriver)));
            return pending.Task;
        }
        _incoming.Enqueue(pending);
        _client.Wakeup();
        if (!_running && _thread.ThreadState.HasFlag(ThreadState.Stopped))
            pending.Fail(new ObjectDisposedException(nameof(NetworkClientDriver)));
        return pending.Task;
    }

    private void Run()
    {
        try
        {
            while (_running)
            {
                try
                {
                    RunOnce();
                }
                catch (Exception e)
                {
                    _log.LogError(e, "{Prefix}Uncaught error in network thread", _client.LogPrefix);
                }
            }
        }
        finally
        {
            var disposed = new ObjectDisposedException(nameof(NetworkClientDriver));
            foreach (var p in _waiting)
                p.Fail(disposed);
            _waiting.Clear();
            while (_incoming.TryDequeue(out var p))
                p.Fail(disposed);
            try
            {
                _client.Dispose();
            }
            catch (Exception e)
            {
                _log.LogError(e, "{Prefix}Failed to close network client", _client.LogPrefix);
            }
            _stopped.TrySetResult();
        }
    }

    private void RunOnce()
    {
        var now = _client.NowMs();
        while (_incoming.TryDequeue(out var p))
        {
            p.CreatedMs = now;
            _waiting.Add(p);
        }
        var pollTimeout = MaxPollMs;
        for (var i = 0; i < _waiting.Count; i++)
        {
            var p = _waiting[i];
            if (TrySend(p, now, ref pollTimeout))
            {
                _waiting.RemoveAt(i);
                i--;
            }
        }
        _client.Poll(pollTimeout, now);
    }

    /// <summary>Sends or fails the request; false to keep waiting for its node.</summary>
    private bool TrySend(IPendingRequest p, long now, ref long pollTimeout)
    {
        if (p.IsCompleted)
            return true;
        var deadline = p.CreatedMs + (p.RequestTimeoutMs ?? _client.DefaultRequestTimeoutMs);
        Node? node;
        if (p.NodeId == AnyNode)
        {
            if (_client.Metadata is { } m && m.Fetch().Nodes.Count == 0)
                node = null;
            else
                node = _client.LeastLoadedNode(now).Node;
        }
        else
        {
            node = p.Node ?? _client.Metadata?.Fetch().NodeById(p.NodeId);
        }

        if (node is not null && _client.Ready(node, now))
        {
            _client.Send(p.CreateClientRequest(_client, node.Id), now);
            return true;
        }
        if (now >= deadline)
        {
            var what = node is null ? (p.NodeId == AnyNode ? "any broker" : $"node {p.NodeId} (not in metadata)") : $"node {node}";
            p.Fail(new KafkaConnectionException(
                $"{_client.LogPrefix}Could not send {p.ApiKey} to {what} within {deadline - p.CreatedMs} ms: no ready connection",
                null, Protocol.ErrorCode.RequestTimedOut) { NodeId = node?.Id });
            return true;
        }
        if (node is null)
            _client.Metadata?.RequestUpdate();
        var delay = node is null ? 50 : _client.PollDelayMs(node, now);
        pollTimeout = Math.Min(pollTimeout, Math.Max(1, Math.Min(delay, deadline - now)));
        return false;
    }

    private interface IPendingRequest
    {
        int NodeId { get; }
        Node? Node { get; }
        Protocol.ApiKey ApiKey { get; }
        int? RequestTimeoutMs { get; }
        long CreatedMs { get; set; }
        bool IsCompleted { get; }
        ClientRequest CreateClientRequest(NetworkClient client, int destination);
        void Fail(Exception error);
    }

    private abstract class PendingRequestBase<TResponse> : IPendingRequest, IRequestCompletionHandler
        where TResponse : class, IKafkaResponse<TResponse>
    {
        private readonly TaskCompletionSource<TResponse> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenRegistration _registration;

        protected PendingRequestBase(int nodeId, Node? node, int? requestTimeoutMs, CancellationToken cancellationToken)
        {
            NodeId = nodeId;
            Node = node;
            RequestTimeoutMs = requestTimeoutMs;
            if (cancellationToken.CanBeCanceled)
                _registration = cancellationToken.Register(static s => ((PendingRequestBase<TResponse>)s!)._tcs.TrySetCanceled(), this);
        }

        public int NodeId { get; }

        public Node? Node { get; }

        public abstract Protocol.ApiKey ApiKey { get; }

        public int? RequestTimeoutMs { get; }

        public long CreatedMs { get; set; }

        public bool IsCompleted => _tcs.Task.IsCompleted;

        public Task<TResponse> Task => _tcs.Task;

        public abstract ClientRequest CreateClientRequest(NetworkClient client, int destination);

        public void Fail(Exception error)
        {
            _registration.Dispose();
            _tcs.TrySetException(error);
        }

        public void OnComplete(ClientResponse response)
        {
            _registration.Dispose();
            if (response.Body is TResponse body)
                _tcs.TrySetResult(body);
            else
                _tcs.TrySetException((Exception?)response.Error ?? new InvalidOperationException($"{response.Request} completed without a response"));
        }
    }

    private sealed class PendingRequest<TRequest, TResponse>(
        int nodeId, Node? node, TRequest request, int? requestTimeoutMs, short? oldest, short? latest, CancellationToken cancellationToken)
        : PendingRequestBase<TResponse>(nodeId, node, requestTimeoutMs, cancellationToken)
        where TRequest : IKafkaRequest<TRequest, TResponse>
        where TResponse : class, IKafkaResponse<TResponse>
    {
        public override Protocol.ApiKey ApiKey => TRequest.Key;

        public override ClientRequest CreateClientRequest(NetworkClient client, int destination)
            => client.NewClientRequest<TRequest, TResponse>(destination, request, this, true, RequestTimeoutMs, oldest, latest);
    }
}
