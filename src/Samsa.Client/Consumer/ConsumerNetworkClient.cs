using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Samsa.Client.Errors;
using Samsa.Client.Metadata;
using Samsa.Client.Network;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Consumer;

/// <summary>
/// The consumer's layer over <see cref="NetworkClient"/> (Java's ConsumerNetworkClient, seed 003):
/// requests go into a thread-safe unsent queue per node and are handed to the network client by
/// <see cref="Poll(ConsumerTimer, Func{bool}?, bool)"/> once the node is ready. Request futures are
/// completed outside the lock (callbacks may send more requests or take other locks); unsent
/// requests older than their timeout fail; disconnects are checked right after each network poll,
/// before the next <c>Ready</c> resets them. Several threads may poll (the application and the
/// heartbeat thread share the coordinator's instance); <see cref="Wakeup"/> breaks a blocking poll.
/// </summary>
internal sealed class ConsumerNetworkClient : IDisposable
{
    readonly NetworkClient _client;
    readonly ClientMetadata _metadata;
    readonly TimeProvider _time;
    readonly ILogger _logger;
    readonly long _retryBackoffMs;
    readonly int _requestTimeoutMs;
    readonly Lock _lock = new();
    readonly Dictionary<int, (Node Node, Queue<(ClientRequest Request, RequestFuture Future)> Queue)> _unsent = [];
    readonly ConcurrentQueue<(RequestFuture Future, ClientResponse? Response, Exception? Error)> _pendingCompletion = new();
    readonly ConcurrentQueue<Node> _pendingDisconnects = new();
    int _wakeupRequested;
    int _wakeupDisabledDepth;
    CancellationToken _cancellation;

    public ConsumerNetworkClient(NetworkClient client, ClientMetadata metadata, TimeProvider time, ILogger logger, long retryBackoffMs, int requestTimeoutMs)
    {
        _client = client;
        _metadata = metadata;
        _time = time;
        _logger = logger;
        _retryBackoffMs = retryBackoffMs;
        _requestTimeoutMs = requestTimeoutMs;
    }

    public NetworkClient NetworkClient => _client;

    public ClientMetadata Metadata => _metadata;

    long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Queues a request for <paramref name="node"/>; it goes out on the next poll.</summary>
    public RequestFuture Send<TRequest, TResponse>(Node node, TRequest request, int? requestTimeoutMs = null)
        where TRequest : class, IKafkaRequest<TRequest, TResponse>
        where TResponse : class, IKafkaResponse<TResponse>
    {
        var future = new RequestFuture();
        var handler = new RequestCompletionHandler(response => OnComplete(future, response));
        var clientRequest = _client.NewClientRequest<TRequest, TResponse>(node.Id, request, handler, true, requestTimeoutMs ?? _requestTimeoutMs);
        Enqueue(node, clientRequest, future);
        return future;
    }

    /// <summary>Queues a request whose body depends on the version chosen when it is sent.</summary>
    public RequestFuture Send<TRequest, TResponse>(Node node, Func<short, TRequest> requestForVersion, short maxVersion, int? requestTimeoutMs = null)
        where TRequest : class, IKafkaRequest<TRequest, TResponse>
        where TResponse : class, IKafkaResponse<TResponse>
    {
        var future = new RequestFuture();
        var handler = new RequestCompletionHandler(response => OnComplete(future, response));
        var clientRequest = _client.NewClientRequest<TRequest, TResponse>(node.Id, requestForVersion, handler, true, requestTimeoutMs ?? _requestTimeoutMs, latestAllowedVersion: maxVersion);
        Enqueue(node, clientRequest, future);
        return future;
    }

    void Enqueue(Node node, ClientRequest clientRequest, RequestFuture future)
    {
        lock (_lock)
        {
            if (!_unsent.TryGetValue(node.Id, out var entry)) _unsent[node.Id] = entry = (node, new Queue<(ClientRequest, RequestFuture)>());
            entry.Queue.Enqueue((clientRequest, future));
        }
        // The request may be sent by a thread blocked in poll (e.g. the heartbeat thread).
        _client.Wakeup();
    }

    void OnComplete(RequestFuture future, ClientResponse response)
    {
        // Called inside NetworkClient.Poll under our lock: defer to firePendingCompletedRequests.
        _pendingCompletion.Enqueue((future, response, null));
    }

    /// <summary>The least loaded node with a connection or able to get one (Java's leastLoadedNode).</summary>
    public Node? LeastLoadedNode()
    {
        lock (_lock) return _client.LeastLoadedNode(NowMs).Node;
    }

    public bool HasPendingRequests(int nodeId)
    {
        lock (_lock)
        {
            if (_unsent.TryGetValue(nodeId, out var e) && e.Queue.Count > 0) return true;
            return _client.InFlightRequestCount(nodeId) > 0;
        }
    }

    public bool HasPendingRequests()
    {
        lock (_lock)
        {
            foreach (var e in _unsent.Values)
            {
                if (e.Queue.Count > 0) return true;
            }
            return _client.InFlightRequestCount() > 0;
        }
    }

    /// <summary>True when the node's connection failed and it is backing off (Java's isUnavailable).</summary>
    public bool IsUnavailable(Node node)
    {
        lock (_lock) return _client.ConnectionFailed(node) && _client.ConnectionDelay(node, NowMs) > 0;
    }

    /// <summary>Closes the connection to a node and fails its requests (done by the polling thread).</summary>
    public void DisconnectAsync(Node node)
    {
        _pendingDisconnects.Enqueue(node);
        _client.Wakeup();
    }

    /// <summary>Makes a blocking poll return and the next poll throw <see cref="OperationCanceledException"/> (Java's WakeupException).</summary>
    public void Wakeup()
    {
        Interlocked.Exchange(ref _wakeupRequested, 1);
        _client.Wakeup();
    }

    /// <summary>
    /// The token of the application call running now (the consumer sets it for the call's duration and
    /// wakes the network client when it is cancelled). Polls that allow wakeups throw
    /// <see cref="OperationCanceledException"/> once it is cancelled. Unlike <see cref="Wakeup"/> it
    /// leaves no flag behind, so a cancellation that comes after the call ended cannot fail a later one.
    /// Only the application thread sets and reads it (the heartbeat thread polls without wakeups).
    /// </summary>
    public CancellationToken Cancellation
    {
        get => _cancellation;
        set => _cancellation = value;
    }

    /// <summary>Throws when a wakeup was requested (and clears it), or when <see cref="Cancellation"/> is cancelled.</summary>
    public void MaybeTriggerWakeup()
    {
        if (Volatile.Read(ref _wakeupDisabledDepth) != 0) return;
        if (Interlocked.Exchange(ref _wakeupRequested, 0) == 1) throw new ConsumerWakeupException();
        _cancellation.ThrowIfCancellationRequested();
    }

    public void DisableWakeups() => Interlocked.Increment(ref _wakeupDisabledDepth);

    public void EnableWakeups() => Interlocked.Decrement(ref _wakeupDisabledDepth);

    /// <summary>Polls until the future completes or the timer expires; true when it completed.</summary>
    public bool Poll(RequestFuture future, ConsumerTimer timer, bool disableWakeup = false)
    {
        do
        {
            Poll(timer, () => !future.IsDone, disableWakeup);
        }
        while (!future.IsDone && timer.NotExpired);
        return future.IsDone;
    }

    /// <summary>Sends what can be sent and does network I/O, without blocking.</summary>
    public void PollNoWakeup() => Poll(new ConsumerTimer(_time, 0), null, true);

    /// <summary>
    /// One round of I/O: send ready requests, wait for network events up to the timer (unless
    /// <paramref name="shouldBlock"/> says no), handle disconnects and expired requests, then run
    /// completion callbacks outside the lock.
    /// </summary>
    public void Poll(ConsumerTimer timer, Func<bool>? shouldBlock, bool disableWakeup = false)
    {
        FirePendingCompletedRequests();
        lock (_lock)
        {
            HandlePendingDisconnects();
            var pollDelayMs = TrySend(timer.CurrentTimeMs);
            if (_pendingCompletion.IsEmpty && (shouldBlock is null || shouldBlock()))
            {
                var timeout = Math.Min(timer.RemainingMs, pollDelayMs);
                if (_client.InFlightRequestCount() == 0) timeout = Math.Min(timeout, _retryBackoffMs);
                _client.Poll(timeout, timer.CurrentTimeMs);
            }
            else
            {
                _client.Poll(0, timer.CurrentTimeMs);
            }
            timer.Update();
            CheckDisconnects(timer.CurrentTimeMs);
            if (!disableWakeup)
            {
                // After checking disconnects so their callbacks are ready for the next poll.
                MaybeTriggerWakeupUnlocked();
            }
            TrySend(timer.CurrentTimeMs);
            FailExpiredRequests(timer.CurrentTimeMs);
        }
        FirePendingCompletedRequests();
    }

    void MaybeTriggerWakeupUnlocked()
    {
        if (Volatile.Read(ref _wakeupDisabledDepth) != 0) return;
        // Completions gathered in this poll still fire on the next one.
        if (Interlocked.Exchange(ref _wakeupRequested, 0) == 1) throw new ConsumerWakeupException();
        _cancellation.ThrowIfCancellationRequested();
    }

    long TrySend(long nowMs)
    {
        var pollDelayMs = long.MaxValue / 4;
        foreach (var (_, (node, queue)) in _unsent)
        {
            if (queue.Count == 0) continue;
            pollDelayMs = Math.Min(pollDelayMs, _client.PollDelayMs(node, nowMs));
            while (queue.Count > 0 && _client.Ready(node, nowMs))
            {
                var (request, _) = queue.Dequeue();
                _client.Send(request, nowMs);
            }
        }
        return pollDelayMs;
    }

    void CheckDisconnects(long nowMs)
    {
        // Requests still unsent to a node whose connection failed fail now (Java's checkDisconnects).
        foreach (var (_, (node, queue)) in _unsent)
        {
            if (queue.Count == 0 || !_client.ConnectionFailed(node)) continue;
            while (queue.Count > 0)
            {
                var (_, future) = queue.Dequeue();
                _pendingCompletion.Enqueue((future, null, new KafkaConnectionException($"Connection to node {node.Id} ({node.Address}) failed.") { NodeId = node.Id, Address = node.Address }));
            }
        }
    }

    void HandlePendingDisconnects()
    {
        while (_pendingDisconnects.TryDequeue(out var node))
        {
            if (_unsent.TryGetValue(node.Id, out var e))
            {
                while (e.Queue.Count > 0)
                {
                    var (_, future) = e.Queue.Dequeue();
                    _pendingCompletion.Enqueue((future, null, new KafkaConnectionException($"Disconnected from node {node.Id} ({node.Address}).") { NodeId = node.Id, Address = node.Address }));
                }
            }
            _client.Disconnect(node.Id);
        }
    }

    void FailExpiredRequests(long nowMs)
    {
        foreach (var (_, (node, queue)) in _unsent)
        {
            if (queue.Count == 0) continue;
            var keep = queue.Count;
            for (var i = 0; i < keep; i++)
            {
                var (request, future) = queue.Dequeue();
                if (nowMs - request.CreatedTimeMs >= request.RequestTimeoutMs)
                {
                    _pendingCompletion.Enqueue((future, null, new KafkaConnectionException(
                        $"{request.ApiKey} to node {node.Id} ({node.Address}) could not be sent within {request.RequestTimeoutMs} ms.", null, Samsa.Protocol.ErrorCode.RequestTimedOut)
                        { NodeId = node.Id, Address = node.Address }));
                }
                else
                {
                    queue.Enqueue((request, future));
                }
            }
        }
    }

    void FirePendingCompletedRequests()
    {
        while (_pendingCompletion.TryDequeue(out var item))
        {
            var (future, response, error) = item;
            if (response is not null)
            {
                if (response.Error is { } e) future.Raise(e);
                else if (response.WasDisconnected) future.Raise(new KafkaConnectionException($"Disconnected from node {response.Destination} during {response.ApiKey}.") { NodeId = response.Destination });
                else future.Complete(response);
            }
            else
            {
                future.Raise(error!);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var (_, (_, queue)) in _unsent)
            {
                while (queue.Count > 0)
                {
                    var (_, future) = queue.Dequeue();
                    _pendingCompletion.Enqueue((future, null, new ObjectDisposedException(nameof(ConsumerNetworkClient), "The consumer was closed.")));
                }
            }
        }
        FirePendingCompletedRequests();
    }
}

/// <summary>Thrown by a blocking consumer call that <see cref="KafkaConsumer{TKey,TValue}.Wakeup"/> interrupted (Java's WakeupException).</summary>
public sealed class ConsumerWakeupException : OperationCanceledException
{
    /// <summary>Creates the exception.</summary>
    public ConsumerWakeupException() : base("The consumer's blocking call was interrupted by Wakeup().") { }

    /// <summary>Creates the exception with a message.</summary>
    public ConsumerWakeupException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and cause.</summary>
    public ConsumerWakeupException(string message, Exception inner) : base(message, inner) { }
}
