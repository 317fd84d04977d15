using Samsa.Client.Metadata;
using Microsoft.Extensions.Logging;
using Samsa.Protocol;
using Samsa.Protocol.Errors;

namespace Samsa.Client.Producer;

/// <summary>
/// The producer's network loop (Java's Sender) on its own thread: metadata, ready nodes, drop nodes
/// that cannot take a request, drain, expire, send produce requests, poll, handle responses. It owns
/// every decision about retries, ordering and idempotence; the producing threads only append.
/// </summary>
internal sealed class Sender
{
    private readonly IProducerNetworkClient _client;
    private readonly RecordAccumulator _accumulator;
    private readonly TransactionManager? _transactionManager;
    private readonly ProducerMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly bool _guaranteeMessageOrder;
    private readonly int _maxRequestSize;
    private readonly short _acks;
    private readonly int _retries;
    private readonly int _requestTimeoutMs;
    private readonly long _deliveryTimeoutMs;
    private readonly long _retryBackoffMs;
    private readonly Dictionary<TopicPartition, List<ProducerBatch>> _inFlightBatches = [];
    private readonly object _metadataSignalLock = new();
    private TaskCompletionSource _metadataChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IProducerCluster? _lastCluster;
    private Thread? _thread;
    private volatile bool _running = true;
    private volatile bool _forceClose;
    private bool _initProducerIdInFlight;
    private long _initProducerIdBackoffUntil;

    public Sender(IProducerNetworkClient client, RecordAccumulator accumulator, TransactionManager? transactionManager, ProducerMetrics? metrics,
        ILogger logger, TimeProvider time, bool guaranteeMessageOrder, int maxRequestSize, short acks, int retries, int requestTimeoutMs,
        long deliveryTimeoutMs, long retryBackoffMs)
    {
        _client = client;
        _accumulator = accumulator;
        _transactionManager = transactionManager;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _guaranteeMessageOrder = guaranteeMessageOrder;
        _maxRequestSize = maxRequestSize;
        _acks = acks;
        _retries = retries;
        _requestTimeoutMs = requestTimeoutMs;
        _deliveryTimeoutMs = deliveryTimeoutMs;
        _retryBackoffMs = retryBackoffMs;
    }

    public bool IsRunning => _running;

    /// <summary>Set when the loop ended with an unexpected exception.</summary>
    public Exception? LoopError { get; private set; }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Starts the loop on a dedicated thread (background, like Java's daemon thread).</summary>
    public void Start(string threadName)
    {
        _thread = new Thread(Run) { Name = threadName, IsBackground = true };
        _thread.Start();
    }

    /// <summary>Waits for the thread to end.</summary>
    public bool Join(TimeSpan timeout) => _thread is null || _thread.Join(timeout);

    /// <summary>Asks the loop to stop after sending what is queued (graceful close).</summary>
    public void InitiateClose()
    {
        _accumulator.Close();
        _running = false;
        _client.Wakeup();
    }

    /// <summary>Asks the loop to stop now, failing what is left.</summary>
    public void ForceClose()
    {
        _forceClose = true;
        InitiateClose();
    }

    public void Wakeup() => _client.Wakeup();

    /// <summary>Completes when the metadata snapshot changes next (for producers waiting on a topic's partitions).</summary>
    public Task MetadataChanged()
    {
        lock (_metadataSignalLock) return _metadataChanged.Task;
    }

    private void Run()
    {
        _logger.LogDebug("Starting producer network thread");
        try
        {
            while (_running)
                RunOnce();

            _logger.LogDebug("Beginning shutdown, sending remaining records");
            // Graceful close: send what is queued and wait for what is in flight, unless forced.
            while (!_forceClose && (_accumulator.HasUndrained() || _client.InFlightRequestCount() > 0 || _accumulator.HasIncomplete()))
                RunOnce();
        }
        catch (Exception e)
        {
            LoopError = e;
            _logger.LogError(e, "Uncaught error in the producer network thread");
        }
        finally
        {
            if (_forceClose || LoopError is not null)
            {
                int aborted = _accumulator.AbortIncompleteBatches(new ProduceException(default,
                    "The producer was closed forcefully before these records were delivered.", LoopError));
                if (aborted > 0) _metrics?.Failed(aborted);
            }
            _accumulator.Pool.Close();
            try
            {
                _client.Dispose();
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "Failed to close the network client");
            }
            SignalMetadataChanged();
            _logger.LogDebug("Producer network thread stopped");
        }
    }

    /// <summary>One iteration of the loop (tests call it directly with a fake network and clock).</summary>
    public void RunOnce()
    {
        long now = NowMs;
        if (_transactionManager is { } tm)
        {
            tm.MaybeResolveSequences();
            if (tm.FatalError is { } fatal)
            {
                int aborted = _accumulator.AbortUndrainedBatches(fatal);
                if (aborted > 0) _metrics?.Failed(aborted);
            }
            else
            {
                // Java's bumpIdempotentEpochAndResetIdIfNeeded: the idempotent producer bumps its epoch locally.
                tm.BumpIdempotentEpochAndResetIdIfNeeded();
            }
            if (tm.FatalError is null && !_initProducerIdInFlight && now >= _initProducerIdBackoffUntil && tm.NeedsProducerId)
            {
                int node = _client.LeastLoadedNode(now);
                if (node >= 0 && _client.Ready(node, now))
                {
                    _logger.LogDebug("Sending InitProducerId to node {Node}", node);
                    _client.SendInitProducerId(node, -1, -1, now);
                    _initProducerIdInFlight = true;
                }
                else if (node < 0)
                {
                    _client.RequestMetadataUpdate();
                }
            }
        }

        long pollTimeout = SendProducerData(now);
        var responses = _client.Poll(pollTimeout, now);
        foreach (var response in responses)
            HandleResponse(response);
        if (!ReferenceEquals(_client.Cluster, _lastCluster))
        {
            _lastCluster = _client.Cluster;
            SignalMetadataChanged();
        }
    }

    private void SignalMetadataChanged()
    {
        TaskCompletionSource old;
        lock (_metadataSignalLock)
        {
            old = _metadataChanged;
            _metadataChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        old.TrySetResult();
    }

    private long SendProducerData(long now)
    {
        var cluster = _client.Cluster;
        var result = _accumulator.Ready(cluster, now);
        if (result.UnknownLeaderTopics.Count > 0)
        {
            foreach (var topic in result.UnknownLeaderTopics)
                _client.AddTopic(topic);
            _logger.LogDebug("Requesting metadata update for topics with unknown leaders: {Topics}", string.Join(", ", result.UnknownLeaderTopics));
            _client.RequestMetadataUpdate();
        }

        long notReadyTimeout = long.MaxValue;
        List<int>? notReady = null;
        foreach (int node in result.ReadyNodes)
        {
            if (!_client.Ready(node, now))
            {
                (notReady ??= []).Add(node);
                notReadyTimeout = Math.Min(notReadyTimeout, _client.PollDelayMs(node, now));
            }
        }
        if (notReady is not null)
        {
            foreach (int node in notReady) result.ReadyNodes.Remove(node);
        }

        var batches = _accumulator.Drain(cluster, result.ReadyNodes, _maxRequestSize, now);
        foreach (var (_, list) in batches)
        {
            foreach (var batch in list)
            {
                AddToInFlightBatches(batch);
                if (_guaranteeMessageOrder) _accumulator.MutePartition(batch.TopicPartition);
            }
        }

        foreach (var batch in _accumulator.ExpiredBatches(now))
            FailExpired(batch, now);
        foreach (var batch in ExpiredInFlightBatches(now))
            FailExpired(batch, now);

        long pollTimeout = Math.Min(result.NextReadyCheckDelayMs, notReadyTimeout);
        pollTimeout = Math.Min(pollTimeout, _accumulator.NextExpiryDelayMs(now));
        pollTimeout = Math.Max(pollTimeout, 0);
        bool drainedAny = false;
        foreach (var (_, list) in batches) drainedAny |= list.Count > 0;
        if (result.ReadyNodes.Count > 0)
        {
            // Data is waiting behind a ready node; do not sleep in poll. When nothing could be drained
            // (ordering or a missing producer id holds it back) wait for a response instead of spinning.
            pollTimeout = drainedAny ? 0 : Math.Min(pollTimeout, _retryBackoffMs);
        }
        if (result.UnknownLeaderTopics.Count > 0)
            pollTimeout = Math.Min(pollTimeout, _retryBackoffMs);
        if (_transactionManager is { HasProducerId: false })
            pollTimeout = Math.Min(pollTimeout, _retryBackoffMs);

        foreach (var (node, list) in batches)
        {
            if (list.Count == 0) continue;
            if (_transactionManager?.FatalError is { } fatal)
            {
                foreach (var batch in list)
                    FailBatch(batch, fatal, null, now, adjustSequenceNumbers: false);
                continue;
            }
            foreach (var batch in list)
            {
                batch.InFlight = true;
                _metrics?.BatchSent(batch);
            }
            _client.SendProduce(node, _acks, _requestTimeoutMs, list, now);
        }
        return pollTimeout;
    }

    private void FailExpired(ProducerBatch batch, long now)
    {
        long waited = now - batch.CreatedMs;
        var error = new KafkaTimeoutException(
            $"Expiring {batch.RecordCount} record(s) for {batch.TopicPartition}: {waited} ms has passed since batch creation (delivery.timeout.ms={_deliveryTimeoutMs}).");
        _logger.LogWarning("Expiring {Count} record(s) for {Partition} after {Waited} ms (delivery.timeout.ms)", batch.RecordCount, batch.TopicPartition, waited);
        // The broker may have written an expired batch: its sequence is not handed out again.
        FailBatch(batch, new ProduceException(new DeliveryResult(batch.TopicPartition.Topic, batch.TopicPartition.Partition, -1, default),
            ErrorCode.RequestTimedOut, error.Message, error), null, now, adjustSequenceNumbers: false);
        // Sent and retried: whether an attempt landed is unknown until the batches around it are answered.
        if (batch.InRetry) _transactionManager?.MarkSequenceUnresolved(batch);
    }

    private void AddToInFlightBatches(ProducerBatch batch)
    {
        if (!_inFlightBatches.TryGetValue(batch.TopicPartition, out var list))
        {
            list = [];
            _inFlightBatches[batch.TopicPartition] = list;
        }
        list.Add(batch);
    }

    private void RemoveFromInFlightBatches(ProducerBatch batch)
    {
        if (_inFlightBatches.TryGetValue(batch.TopicPartition, out var list))
            list.Remove(batch);
    }

    private List<ProducerBatch> ExpiredInFlightBatches(long now)
    {
        List<ProducerBatch>? expired = null;
        foreach (var (_, list) in _inFlightBatches)
        {
            for (int i = list.Count - 1; i >= 0; i--)
            {
                var batch = list[i];
                if (!batch.IsDone && batch.HasReachedDeliveryTimeout(_deliveryTimeoutMs, now))
                    (expired ??= []).Add(batch);
            }
        }
        return expired ?? [];
    }

    private void HandleResponse(ProducerClientResponse response)
    {
        if (response.Kind == ProducerRequestKind.InitProducerId)
        {
            HandleInitProducerId(response);
            return;
        }
        long now = NowMs;
        if (response.ReceivedMs > 0 && response.SentMs > 0)
            _metrics?.RequestLatency(response.ReceivedMs - response.SentMs);

        if (response.Disconnected || response.TimedOut || response.LocalError is not null)
        {
            string reason = response.TimedOut ? $"request timed out after {_requestTimeoutMs} ms (request.timeout.ms)"
                : response.Disconnected ? "disconnected" : response.LocalError!.Message;
            _logger.LogWarning("Produce request to node {Node} failed: {Reason}; {Count} batch(es) affected", response.NodeId, reason, response.Batches.Count);
            var code = response.TimedOut ? ErrorCode.RequestTimedOut : ErrorCode.NetworkException;
            foreach (var batch in response.Batches)
            {
                // The broker may or may not have written these records: they are retried with the same sequence.
                CompleteBatch(batch, new PartitionProduceResult(batch.TopicPartition, response.LocalError is null ? code : ErrorCode.UnknownServerError, -1,
                    ErrorMessage: reason), now, response.LocalError);
            }
            if (response.LocalError is null) _client.RequestMetadataUpdate();
            return;
        }

        if (response.Acks == 0)
        {
            foreach (var batch in response.Batches)
                CompleteBatch(batch, new PartitionProduceResult(batch.TopicPartition, ErrorCode.None, -1), now, null);
            return;
        }

        foreach (var batch in response.Batches)
        {
            bool found = false;
            foreach (var p in response.Partitions)
            {
                if (p.TopicPartition == batch.TopicPartition)
                {
                    CompleteBatch(batch, p, now, null);
                    found = true;
                    break;
                }
            }
            if (!found)
            {
                CompleteBatch(batch, new PartitionProduceResult(batch.TopicPartition, ErrorCode.UnknownServerError, -1,
                    ErrorMessage: "The produce response has no result for this partition."), now, null);
            }
        }
    }

    private void HandleInitProducerId(ProducerClientResponse response)
    {
        _initProducerIdInFlight = false;
        var tm = _transactionManager!;
        if (response.Disconnected || response.TimedOut || response.LocalError is not null)
        {
            if (response.LocalError is { } local)
            {
                tm.SetFatal(new KafkaException($"Idempotent producer cannot initialize: {local.Message}", local));
                return;
            }
            _initProducerIdBackoffUntil = NowMs + _retryBackoffMs;
            return;
        }
        if (response.InitError == ErrorCode.None)
        {
            tm.SetProducerIdAndEpoch(response.ProducerId, response.ProducerEpoch);
            return;
        }
        if (response.InitError.IsRetriable() || response.InitError is ErrorCode.CoordinatorLoadInProgress or ErrorCode.NotCoordinator)
        {
            _logger.LogDebug("InitProducerId failed with {Error}; retrying", response.InitError);
            _initProducerIdBackoffUntil = NowMs + _retryBackoffMs;
            return;
        }
        string message = response.InitError switch
        {
            ErrorCode.ClusterAuthorizationFailed => ClusterAuthorizationMessage,
            _ => $"The idempotent producer could not get a producer id: {response.InitError} ({response.InitError.Describe()}).",
        };
        tm.SetFatal(new KafkaException(response.InitError, message));
    }

    private void CompleteBatch(ProducerBatch batch, in PartitionProduceResult result, long now, Exception? localError)
    {
        batch.InFlight = false;
        if (batch.IsDone)
        {
            // Already failed (delivery.timeout.ms passed while in flight); only its memory was left. If the
            // broker wrote it after all, the acknowledged sequence can still resolve its partition (Java
            // hands the late answer to handleCompletedBatch too).
            if (localError is null && result.Error is ErrorCode.None or ErrorCode.DuplicateSequenceNumber)
                _transactionManager?.HandleCompletedBatch(batch, result.BaseOffset);
            RemoveFromInFlightBatches(batch);
            if (_guaranteeMessageOrder) _accumulator.UnmutePartition(batch.TopicPartition);
            _accumulator.Deallocate(batch);
            return;
        }
        var error = result.Error;
        if (error == ErrorCode.MessageTooLarge && batch.RecordCount > 1 && !batch.IsDone)
        {
            // The broker's limit is below ours: split into batch.size pieces and send them again.
            _logger.LogWarning("Got MESSAGE_TOO_LARGE for {Partition} with {Count} records; splitting the batch and retrying", batch.TopicPartition, batch.RecordCount);
            // The split batches keep the sequences of the records they carry (the broker wrote none of them).
            int parts = _accumulator.SplitAndReenqueue(batch, now);
            _logger.LogDebug("Split into {Parts} batches", parts);
            RemoveFromInFlightBatches(batch);
            if (_guaranteeMessageOrder) _accumulator.UnmutePartition(batch.TopicPartition);
            batch.InFlight = false;
            batch.MarkSplit();
            _accumulator.Deallocate(batch);
            return;
        }

        if (error is not ErrorCode.None and not ErrorCode.DuplicateSequenceNumber)
        {
            if (localError is null && CanRetry(batch, result, now))
            {
                _logger.LogWarning("Got error produce response for {Partition} with sequence {Sequence}, retrying (attempt {Attempt} of {Retries}): {Error} {Message}",
                    batch.TopicPartition, batch.BaseSequence, batch.Attempts + 1, _retries, error, result.ErrorMessage);
                RemoveFromInFlightBatches(batch);
                batch.InFlight = false;
                if (_guaranteeMessageOrder) _accumulator.UnmutePartition(batch.TopicPartition);
                _accumulator.Reenqueue(batch, now);
                _metrics?.Retried(batch.RecordCount);
            }
            else
            {
                // Only an answer received before the retries ran out proves the batch was not written, so
                // only then may later sequences move (Java's adjustSequenceNumbers).
                var exception = ErrorFor(batch, result, localError);
                FailBatch(batch, exception, result.RecordErrors is { Count: > 0 } ? result : null, now, adjustSequenceNumbers: batch.Attempts < _retries);
            }
            if (IsInvalidMetadata(error))
            {
                _logger.LogWarning("Received invalid metadata error {Error} for {Partition}; requesting a metadata refresh", error, batch.TopicPartition);
                _client.RequestMetadataUpdate();
            }
            return;
        }

        // Success; a duplicate sequence means the broker already has this batch (an earlier attempt landed).
        _transactionManager?.HandleCompletedBatch(batch, result.BaseOffset);
        RemoveFromInFlightBatches(batch);
        if (_guaranteeMessageOrder) _accumulator.UnmutePartition(batch.TopicPartition);
        batch.InFlight = false;
        if (batch.Complete(result.BaseOffset, result.LogAppendTime, null))
            _metrics?.RecordsSent(batch.RecordCount);
        _accumulator.Deallocate(batch);
    }

    private bool CanRetry(ProducerBatch batch, in PartitionProduceResult result, long now)
    {
        if (batch.IsDone || batch.Attempts >= _retries || batch.HasReachedDeliveryTimeout(_deliveryTimeoutMs, now))
            return false;
        if (_transactionManager is { } tm)
            return tm.FatalError is null && tm.CanRetry(batch, result.Error, result.LogStartOffset);
        return result.Error.IsRetriable();
    }

    private const string ClusterAuthorizationMessage =
        "The producer is not authorized to do idempotent sends (CLUSTER_AUTHORIZATION_FAILED): grant IdempotentWrite on the cluster or set enable.idempotence=false.";

    private static ProduceException ErrorFor(ProducerBatch batch, in PartitionProduceResult result, Exception? localError)
    {
        var tp = batch.TopicPartition;
        var dr = new DeliveryResult(tp.Topic, tp.Partition, -1, default);
        if (localError is not null)
            return new ProduceException(dr, $"Failed to produce to {tp}: {localError.Message}", localError);
        string detail = string.IsNullOrEmpty(result.ErrorMessage) ? result.Error.Describe() : result.ErrorMessage!;
        string message = result.Error switch
        {
            ErrorCode.MessageTooLarge => $"The record for {tp} is larger than the broker accepts (MESSAGE_TOO_LARGE): {detail}",
            ErrorCode.TopicAuthorizationFailed => $"Not authorized to write to topic {tp.Topic} (TOPIC_AUTHORIZATION_FAILED).",
            ErrorCode.ClusterAuthorizationFailed => ClusterAuthorizationMessage,
            ErrorCode.TransactionalIdAuthorizationFailed => $"The producer is not authorized to use its transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED): {detail}",
            _ => $"Failed to produce to {tp}: {result.Error} ({detail})",
        };
        return new ProduceException(dr, result.Error, message);
    }

    private void FailBatch(ProducerBatch batch, Exception exception, PartitionProduceResult? recordErrors, long now, bool adjustSequenceNumbers)
    {
        RemoveFromInFlightBatches(batch);
        if (_guaranteeMessageOrder) _accumulator.UnmutePartition(batch.TopicPartition);
        _transactionManager?.HandleFailedBatch(batch, exception is KafkaException k ? k.Code : null, exception, adjustSequenceNumbers);
        bool completed;
        if (recordErrors is { RecordErrors: { Count: > 0 } errors } r)
        {
            // KIP-467: only the records the broker named are invalid; the rest of the batch is failed with a
            // retriable-free error explaining that another record of the batch was invalid.
            var tp = batch.TopicPartition;
            var others = new ProduceException(new DeliveryResult(tp.Topic, tp.Partition, -1, default), r.Error,
                $"Failed to append record because it was part of a batch which had one or more invalid records ({r.Error}).");
            completed = batch.Complete(-1, -1, null, index =>
            {
                foreach (var (i, msg) in errors)
                {
                    if (i == index)
                        return new ProduceException(new DeliveryResult(tp.Topic, tp.Partition, -1, default), r.Error,
                            $"Invalid record {index} of the batch for {tp}: {msg ?? r.ErrorMessage ?? r.Error.Describe()}");
                }
                return others;
            });
        }
        else
        {
            completed = batch.Complete(-1, -1, exception);
        }
        if (completed) _metrics?.Failed(batch.RecordCount);
        if (batch.InFlight)
        {
            // Expired while its request is still out: the bytes may still be in use by the connection.
            // Free the memory when the response (or disconnect) arrives.
            return;
        }
        _accumulator.Deallocate(batch);
    }

    private static bool IsInvalidMetadata(ErrorCode error) => error is ErrorCode.NotLeaderOrFollower or ErrorCode.UnknownTopicOrPartition
        or ErrorCode.LeaderNotAvailable or ErrorCode.NetworkException or ErrorCode.KafkaStorageError or ErrorCode.FencedLeaderEpoch
        or ErrorCode.UnknownLeaderEpoch;
}
