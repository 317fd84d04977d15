using System.Runtime.CompilerServices;
using Samsa.Client.Metadata;
using System.Collections.Concurrent;
using Samsa.Protocol;
using Samsa.Protocol.Compression;

namespace Samsa.Client.Producer;

/// <summary>
/// Queues records per partition into batches for the sender (Java's RecordAccumulator). Producing
/// threads append under the partition deque's lock only; <see cref="Ready"/>, <see cref="Drain"/> and
/// the expiry and re-enqueue methods are called by the sender thread.
/// </summary>
internal sealed class RecordAccumulator
{
    private readonly ConcurrentDictionary<TopicPartition, LinkedList<ProducerBatch>> _batches = new();
    private readonly Dictionary<int, int> _nodesDrainIndex = [];
    private readonly HashSet<TopicPartition> _muted = [];
    private readonly HashSet<ProducerBatch> _incomplete = [];
    private readonly BufferPool _pool;
    private readonly TimeProvider _time;
    private readonly int _batchSize;
    private readonly long _lingerMs;
    private readonly long _retryBackoffMs;
    private readonly long _retryBackoffMaxMs;
    private readonly long _deliveryTimeoutMs;
    private readonly CompressionType _compression;
    private readonly TransactionManager? _transactionManager;
    private int _flushesInProgress;
    private int _appendsInProgress;
    private volatile bool _closed;

    public RecordAccumulator(int batchSize, CompressionType compression, long lingerMs, long retryBackoffMs, long retryBackoffMaxMs,
        long deliveryTimeoutMs, BufferPool pool, TimeProvider time, TransactionManager? transactionManager)
    {
        _batchSize = Math.Max(1, batchSize);
        _compression = compression;
        _lingerMs = lingerMs;
        _retryBackoffMs = retryBackoffMs;
        _retryBackoffMaxMs = Math.Max(retryBackoffMs, retryBackoffMaxMs);
        _deliveryTimeoutMs = deliveryTimeoutMs;
        _pool = pool;
        _time = time;
        _transactionManager = transactionManager;
    }

    public BufferPool Pool => _pool;

    public CompressionType Compression => _compression;

    public bool IsClosed => _closed;

    public long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>How an append went; the sender is woken when a batch filled up or a new one started.</summary>
    public enum AppendStatus
    {
        /// <summary>Appended to an open batch with room left.</summary>
        Appended,

        /// <summary>Appended; the batch is full or a new one was created, so it may be sendable now.</summary>
        AppendedWakeSender,

        /// <summary>Needs memory that is not free right now (only from <see cref="TryAppend"/>).</summary>
        NeedsMemory,
    }

    /// <summary>
    /// Appends without waiting for memory: NeedsMemory when a new batch would have to wait for
    /// buffer space (the caller then uses <see cref="Append"/> or <see cref="AppendAsync"/>).
    /// </summary>
    // Per-record hot path: compiled optimized at once, not after a tier-0 warm-up (see docs/performance.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public AppendStatus TryAppend(TopicPartition tp, long timestamp, ReadOnlySpan<byte> key, bool keyIsNull, ReadOnlySpan<byte> value,
        bool valueIsNull, Headers? headers, TaskCompletionSource<DeliveryResult>? task, IDeliveryHandler? handler)
    {
        Interlocked.Increment(ref _appendsInProgress);
        try
        {
            var deque = GetOrCreateDeque(tp);
            lock (deque)
            {
                ThrowIfClosed();
                if (TryAppendLast(deque, timestamp, key, keyIsNull, value, valueIsNull, headers, task, handler) is { } status)
                    return status;
            }
            int size = Math.Max(_batchSize, ProducerBatch.EstimateSizeUpperBound(keyIsNull ? 0 : key.Length, valueIsNull ? 0 : value.Length, headers));
            var buffer = _pool.TryAllocate(size);
            if (buffer is null) return AppendStatus.NeedsMemory;
            return AppendWithBuffer(deque, tp, buffer, timestamp, key, keyIsNull, value, valueIsNull, headers, task, handler);
        }
        finally
        {
            Interlocked.Decrement(ref _appendsInProgress);
        }
    }

    /// <summary>Appends, blocking the thread for memory up to <paramref name="maxBlock"/>.</summary>
    public AppendStatus Append(TopicPartition tp, long timestamp, ReadOnlySpan<byte> key, bool keyIsNull, ReadOnlySpan<byte> value,
        bool valueIsNull, Headers? headers, TaskCompletionSource<DeliveryResult>? task, IDeliveryHandler? handler, TimeSpan maxBlock)
    {
        var status = TryAppend(tp, timestamp, key, keyIsNull, value, valueIsNull, headers, task, handler);
        if (status != AppendStatus.NeedsMemory) return status;
        Interlocked.Increment(ref _appendsInProgress);
        try
        {
            int size = Math.Max(_batchSize, ProducerBatch.EstimateSizeUpperBound(keyIsNull ? 0 : key.Length, valueIsNull ? 0 : value.Length, headers));
            var buffer = _pool.Allocate(size, maxBlock);
            return AppendWithBuffer(GetOrCreateDeque(tp), tp, buffer, timestamp, key, keyIsNull, value, valueIsNull, headers, task, handler);
        }
        finally
        {
            Interlocked.Decrement(ref _appendsInProgress);
        }
    }

    /// <summary>Appends, awaiting memory up to <paramref name="maxBlock"/>. Key and value must stay valid until it completes.</summary>
    public async ValueTask<AppendStatus> AppendAsync(TopicPartition tp, long timestamp, ReadOnlyMemory<byte> key, bool keyIsNull, ReadOnlyMemory<byte> value,
        bool valueIsNull, Headers? headers, TaskCompletionSource<DeliveryResult>? task, IDeliveryHandler? handler, TimeSpan maxBlock, CancellationToken cancellationToken)
    {
        var status = TryAppend(tp, timestamp, key.Span, keyIsNull, value.Span, valueIsNull, headers, task, handler);
        if (status != AppendStatus.NeedsMemory) return status;
        Interlocked.Increment(ref _appendsInProgress);
        try
        {
            int size = Math.Max(_batchSize, ProducerBatch.EstimateSizeUpperBound(keyIsNull ? 0 : key.Length, valueIsNull ? 0 : value.Length, headers));
            var buffer = await _pool.AllocateAsync(size, maxBlock, cancellationToken).ConfigureAwait(false);
            return AppendWithBuffer(GetOrCreateDeque(tp), tp, buffer, timestamp, key.Span, keyIsNull, value.Span, valueIsNull, headers, task, handler);
        }
        finally
        {
            Interlocked.Decrement(ref _appendsInProgress);
        }
    }

    private AppendStatus AppendWithBuffer(LinkedList<ProducerBatch> deque, TopicPartition tp, byte[] buffer, long timestamp, ReadOnlySpan<byte> key, bool keyIsNull,
        ReadOnlySpan<byte> value, bool valueIsNull, Headers? headers, TaskCompletionSource<DeliveryResult>? task, IDeliveryHandler? handler)
    {
        lock (deque)
        {
            if (_closed)
            {
                _pool.Deallocate(buffer);
                ThrowIfClosed();
            }
            // Another thread may have started a batch while we got memory.
            if (TryAppendLast(deque, timestamp, key, keyIsNull, value, valueIsNull, headers, task, handler) is { } status)
            {
                _pool.Deallocate(buffer);
                return status;
            }
            var batch = new ProducerBatch(tp, buffer, NowMs);
            if (!batch.TryAppend(timestamp, key, keyIsNull, value, valueIsNull, headers, task, handler))
            {
                _pool.Deallocate(buffer);
                throw new InvalidOperationException($"A record did not fit into a new batch of {buffer.Length} bytes.");
            }
            if (deque.Last is { } last) last.Value.IsFull = true;
            deque.AddLast(batch);
            lock (_incomplete) _incomplete.Add(batch);
            return AppendStatus.AppendedWakeSender;
        }
    }

    // Under the deque lock.
    private static AppendStatus? TryAppendLast(LinkedList<ProducerBatch> deque, long timestamp, ReadOnlySpan<byte> key, bool keyIsNull,
        ReadOnlySpan<byte> value, bool valueIsNull, Headers? headers, TaskCompletionSource<DeliveryResult>? task, IDeliveryHandler? handler)
    {
        if (deque.Last is not { } node) return null;
        var last = node.Value;
        if (last.IsClosed || !last.TryAppend(timestamp, key, keyIsNull, value, valueIsNull, headers, task, handler))
        {
            last.IsFull = true;
            return null;
        }
        if (last.EstimatedSizeInBytes >= last.Buffer.Length - 8)
        {
            last.IsFull = true;
            return AppendStatus.AppendedWakeSender;
        }
        // Java also wakes the sender for every append behind a full first batch (deque size > 1),
        // but nothing the sender decides changes then: it was woken when that batch filled or the
        // next one was created. Waking it per record made it loop ~130k times per 1M records
        // while requests were in flight, allocating its ready/drain collections each time.
        return AppendStatus.Appended;
    }

    private void ThrowIfClosed()
    {
        if (_closed) throw new ObjectDisposedException("KafkaProducer", "Producer closed while send in progress.");
    }

    private LinkedList<ProducerBatch> GetOrCreateDeque(TopicPartition tp) =>
        _batches.TryGetValue(tp, out var deque) ? deque : _batches.GetOrAdd(tp, static _ => new LinkedList<ProducerBatch>());

    /// <summary>Result of <see cref="Ready"/>.</summary>
    public readonly record struct ReadyCheckResult(HashSet<int> ReadyNodes, long NextReadyCheckDelayMs, HashSet<string> UnknownLeaderTopics);

    /// <summary>
    /// Which brokers have sendable data: a partition is sendable when its first batch is full, has
    /// lingered long enough (or backed off long enough after a failure), memory is exhausted, a flush
    /// is waiting, or the producer is closing.
    /// </summary>
    public ReadyCheckResult Ready(IProducerCluster cluster, long nowMs)
    {
        var readyNodes = new HashSet<int>();
        var unknownLeaderTopics = new HashSet<string>(StringComparer.Ordinal);
        long nextReadyCheckDelay = long.MaxValue;
        bool exhausted = _pool.QueuedCount > 0;
        bool flushing = Volatile.Read(ref _flushesInProgress) > 0;
        foreach (var (tp, deque) in _batches)
        {
            lock (deque)
            {
                if (deque.First is not { } node) continue;
                var batch = node.Value;
                int leader = cluster.LeaderFor(tp);
                if (leader < 0)
                {
                    unknownLeaderTopics.Add(tp.Topic);
                    continue;
                }
                if (readyNodes.Contains(leader) || IsMuted(tp)) continue;
                long waitedMs = Math.Max(0, nowMs - batch.LastAttemptMs);
                bool backingOff = batch.Attempts > 0 && waitedMs < RetryBackoffMs(batch.Attempts);
                long timeToWaitMs = backingOff ? RetryBackoffMs(batch.Attempts) : _lingerMs;
                bool full = deque.Count > 1 || batch.IsFull;
                bool expired = waitedMs >= timeToWaitMs;
                bool sendable = full || expired || exhausted || _closed || flushing;
                if (sendable && !backingOff)
                {
                    readyNodes.Add(leader);
                }
                else
                {
                    long timeLeftMs = Math.Max(timeToWaitMs - waitedMs, 0);
                    nextReadyCheckDelay = Math.Min(nextReadyCheckDelay, timeLeftMs);
                }
            }
        }
        return new ReadyCheckResult(readyNodes, nextReadyCheckDelay, unknownLeaderTopics);
    }

    /// <summary>Exponential retry back-off (KIP-580) capped by retry.backoff.max.ms.</summary>
    public long RetryBackoffMs(int attempts)
    {
        if (attempts <= 1 || _retryBackoffMs == 0) return _retryBackoffMs;
        double exp = _retryBackoffMs * Math.Pow(2, Math.Min(attempts - 1, 30));
        return (long)Math.Min(exp, _retryBackoffMaxMs);
    }

    /// <summary>Whether any partition has a batch waiting.</summary>
    public bool HasUndrained()
    {
        foreach (var (_, deque) in _batches)
        {
            lock (deque)
            {
                if (deque.Count > 0) return true;
            }
        }
        return false;
    }

    /// <summary>Whether some batch is not completed yet (queued or in flight).</summary>
    public bool HasIncomplete()
    {
        lock (_incomplete) return _incomplete.Count > 0;
    }

    /// <summary>
    /// Takes batches for each ready node, at most <paramref name="maxSize"/> bytes per node (at least
    /// one batch), starting each time at the next partition so that no partition starves. Batches are
    /// numbered (idempotence) and closed here.
    /// </summary>
    public Dictionary<int, List<ProducerBatch>> Drain(IProducerCluster cluster, HashSet<int> nodes, int maxSize, long nowMs,
        Func<TopicPartition, int>? inFlightRequestsForPartition = null)
    {
        var result = new Dictionary<int, List<ProducerBatch>>();
        if (nodes.Count == 0) return result;
        foreach (int node in nodes)
            result[node] = DrainBatchesForOneNode(cluster, node, maxSize, nowMs, inFlightRequestsForPartition);
        return result;
    }

    private List<ProducerBatch> DrainBatchesForOneNode(IProducerCluster cluster, int node, int maxSize, long nowMs, Func<TopicPartition, int>? inFlightFor)
    {
        int size = 0;
        var parts = cluster.PartitionsForNode(node);
        var ready = new List<ProducerBatch>();
        if (parts.Count == 0) return ready;
        _nodesDrainIndex.TryGetValue(node, out int drainIndex);
        drainIndex %= parts.Count;
        int start = drainIndex;
        do
        {
            var tp = parts[drainIndex];
            drainIndex = (drainIndex + 1) % parts.Count;
            _nodesDrainIndex[node] = drainIndex;
            if (IsMuted(tp) || !_batches.TryGetValue(tp, out var deque)) continue;
            lock (deque)
            {
                if (deque.First is not { } first) continue;
                var batch = first.Value;
                bool backingOff = batch.Attempts > 0 && nowMs - batch.LastAttemptMs < RetryBackoffMs(batch.Attempts);
                if (backingOff) continue;
                if (size + batch.SizeInBytes > maxSize && ready.Count > 0)
                {
                    // The request is full; the next drain starts with this partition so it is not skipped.
                    _nodesDrainIndex[node] = (drainIndex + parts.Count - 1) % parts.Count;
                    break;
                }
                if (_transactionManager is { } tm && tm.ShouldStopDrain(batch, inFlightFor?.Invoke(tp) ?? tm.InFlightBatchCount(tp)))
                    continue;
                deque.RemoveFirst();
                if (_transactionManager is { } txn && txn.FatalError is null && !batch.HasSequence)
                    txn.AssignSequence(batch);
                batch.Close(_compression);
                size += batch.SizeInBytes;
                batch.DrainedMs = nowMs;
                ready.Add(batch);
            }
        }
        while (start != drainIndex);
        return ready;
    }

    /// <summary>Puts a batch back for a retry: at the front, or in sequence order when idempotent.</summary>
    public void Reenqueue(ProducerBatch batch, long nowMs)
    {
        batch.Reenqueued(nowMs);
        var deque = GetOrCreateDeque(batch.TopicPartition);
        lock (deque)
        {
            if (_transactionManager is { } tm && batch.HasSequence)
                InsertInSequenceOrder(deque, batch, tm);
            else
                deque.AddFirst(batch);
        }
    }

    // Retried batches must go out in sequence order ahead of unnumbered ones. The order is the one the
    // transaction manager numbered them in, which stays right when sequences wrap past int.MaxValue.
    private static void InsertInSequenceOrder(LinkedList<ProducerBatch> deque, ProducerBatch batch, TransactionManager tm)
    {
        var node = deque.First;
        while (node is not null && node.Value.HasSequence && tm.ComesBefore(node.Value, batch))
            node = node.Next;
        if (node is null) deque.AddLast(batch);
        else deque.AddBefore(node, batch);
    }

    /// <summary>
    /// Splits a batch the broker rejected as too large into batches of batch.size and puts them back
    /// at the front of the queue. Returns how many batches it became. Under idempotence the parts keep
    /// the big batch's sequences (base + record index), so they go out in order before the batches
    /// numbered after it, as Java's ProducerBatch.split does.
    /// </summary>
    public int SplitAndReenqueue(ProducerBatch bigBatch, long nowMs)
    {
        // A batch no bigger than batch.size would come back whole from a batch.size split (the broker's
        // limit is below batch.size): halve it instead, so repeated rejections end at single records,
        // which then fail with MESSAGE_TOO_LARGE rather than being retried as they are until they expire.
        int splitSize = bigBatch.EstimatedSizeInBytes > _batchSize
            ? _batchSize
            : RecordBatchLayout.HeaderSize + (bigBatch.EstimatedSizeInBytes - RecordBatchLayout.HeaderSize + 1) / 2;
        var parts = new List<ProducerBatch>();
        ProducerBatch? current = null;
        foreach (var (index, timestamp, tail) in bigBatch.ReadRecords())
        {
            var completion = bigBatch.CompletionAt(index);
            if (current is null || !current.TryAppendRaw(timestamp, tail.Span, completion))
            {
                int capacity = Math.Max(splitSize, RecordBatchLayout.HeaderSize + tail.Length + 32);
                current = new ProducerBatch(bigBatch.TopicPartition, new byte[capacity], bigBatch.CreatedMs) { IsSplitBatch = true };
                parts.Add(current);
                if (!current.TryAppendRaw(timestamp, tail.Span, completion))
                    throw new InvalidOperationException("A record did not fit into a split batch.");
            }
        }
        var tm = bigBatch.HasSequence ? _transactionManager : null;
        if (tm is not null)
        {
            int sequence = bigBatch.BaseSequence;
            foreach (var part in parts)
            {
                part.SetProducerState(bigBatch.ProducerId, bigBatch.ProducerEpoch, sequence);
                sequence = TransactionManager.IncrementSequence(sequence, part.RecordCount);
            }
            tm.ReplaceWithSplitBatches(bigBatch, parts);
        }
        // Closed like Java's split batches: a part that ends up last in the deque must not take new
        // records (they would fall inside its sequence range and behind records sent after them).
        foreach (var part in parts) part.Close(_compression);
        var deque = GetOrCreateDeque(bigBatch.TopicPartition);
        lock (deque)
        {
            lock (_incomplete)
            {
                foreach (var part in parts) _incomplete.Add(part);
            }
            for (int i = parts.Count - 1; i >= 0; i--)
            {
                parts[i].Reenqueued(nowMs);
                if (tm is not null) InsertInSequenceOrder(deque, parts[i], tm);
                else deque.AddFirst(parts[i]);
            }
        }
        return parts.Count;
    }

    /// <summary>Removes and returns batches that waited in the queue longer than delivery.timeout.ms.</summary>
    public List<ProducerBatch> ExpiredBatches(long nowMs)
    {
        List<ProducerBatch>? expired = null;
        foreach (var (_, deque) in _batches)
        {
            lock (deque)
            {
                while (deque.First is { } node && node.Value.HasReachedDeliveryTimeout(_deliveryTimeoutMs, nowMs))
                {
                    deque.RemoveFirst();
                    node.Value.IsFull = true;
                    (expired ??= []).Add(node.Value);
                }
            }
        }
        return expired ?? [];
    }

    /// <summary>Time until the oldest queued batch reaches delivery.timeout.ms (for the sender's poll timeout).</summary>
    public long NextExpiryDelayMs(long nowMs)
    {
        long min = long.MaxValue;
        foreach (var (_, deque) in _batches)
        {
            lock (deque)
            {
                if (deque.First is { } node)
                    min = Math.Min(min, Math.Max(0, node.Value.CreatedMs + _deliveryTimeoutMs - nowMs));
            }
        }
        return min;
    }

    /// <summary>Returns a completed batch's memory to the pool.</summary>
    public void Deallocate(ProducerBatch batch)
    {
        lock (_incomplete) _incomplete.Remove(batch);
        batch.ReleaseResources();
        if (!batch.IsSplitBatch)
            _pool.Deallocate(batch.Buffer);
    }

    public void MutePartition(TopicPartition tp)
    {
        lock (_muted) _muted.Add(tp);
    }

    public void UnmutePartition(TopicPartition tp)
    {
        lock (_muted) _muted.Remove(tp);
    }

    private bool IsMuted(TopicPartition tp)
    {
        lock (_muted) return _muted.Count > 0 && _muted.Contains(tp);
    }

    public void BeginFlush() => Interlocked.Increment(ref _flushesInProgress);

    public void EndFlush() => Interlocked.Decrement(ref _flushesInProgress);

    public bool FlushInProgress => Volatile.Read(ref _flushesInProgress) > 0;

    /// <summary>Tasks completing when each batch incomplete now is done (what a flush waits for).</summary>
    public List<Task> IncompleteBatchTasks()
    {
        lock (_incomplete)
        {
            var tasks = new List<Task>(_incomplete.Count);
            foreach (var b in _incomplete) tasks.Add(b.WhenDone());
            return tasks;
        }
    }

    /// <summary>Stops appends; what is queued becomes sendable at once.</summary>
    public void Close() => _closed = true;

    /// <summary>Whether producing threads are appending right now (the sender waits for them when aborting).</summary>
    public bool HasAppendsInProgress => Volatile.Read(ref _appendsInProgress) > 0;

    /// <summary>
    /// Fails every incomplete batch (forced close or fatal error) and frees the queued ones. Returns how
    /// many records it failed (for the failed-records metric).
    /// </summary>
    public int AbortIncompleteBatches(Exception error)
    {
        int aborted = 0;
        // Appends racing with close could create a batch after we looked: repeat until none is in progress.
        do
        {
            aborted += AbortBatches(error);
        }
        while (HasAppendsInProgress && SpinWaitOnce());
        return aborted + AbortBatches(error);
    }

    private static bool SpinWaitOnce()
    {
        Thread.Sleep(1);
        return true;
    }

    private int AbortBatches(Exception error)
    {
        int aborted = 0;
        List<ProducerBatch> batches;
        lock (_incomplete) batches = [.. _incomplete];
        foreach (var batch in batches)
        {
            bool queued = false;
            if (_batches.TryGetValue(batch.TopicPartition, out var deque))
            {
                lock (deque) queued = deque.Remove(batch);
            }
            _transactionManager?.HandleFailedBatch(batch, null, error, adjustSequenceNumbers: false);
            if (batch.Complete(-1, -1, error)) aborted += batch.RecordCount;
            if (queued || !batch.InFlight)
                Deallocate(batch);
            else
                lock (_incomplete) _incomplete.Remove(batch);
        }
        return aborted;
    }

    /// <summary>Fails the queued (not in flight) batches, e.g. after a fatal idempotence error. Returns how many records it failed.</summary>
    public int AbortUndrainedBatches(Exception error)
    {
        int records = 0;
        foreach (var (_, deque) in _batches)
        {
            List<ProducerBatch> aborted;
            lock (deque)
            {
                aborted = [.. deque];
                deque.Clear();
            }
            foreach (var batch in aborted)
            {
                if (batch.Complete(-1, -1, error)) records += batch.RecordCount;
                Deallocate(batch);
            }
        }
        return records;
    }

    /// <summary>The partitions with queued batches (for tests and metrics).</summary>
    public int QueuedBatchCount(TopicPartition tp)
    {
        if (!_batches.TryGetValue(tp, out var deque)) return 0;
        lock (deque) return deque.Count;
    }

    /// <summary>A copy of the partition's queue, first to last (for tests).</summary>
    internal List<ProducerBatch> QueuedBatches(TopicPartition tp)
    {
        if (!_batches.TryGetValue(tp, out var deque)) return [];
        lock (deque) return [.. deque];
    }

    internal ProducerBatch? PeekFirst(TopicPartition tp)
    {
        if (!_batches.TryGetValue(tp, out var deque)) return null;
        lock (deque) return deque.First?.Value;
    }

    internal static ErrorCode? CodeOf(Exception e) => e is Protocol.Errors.KafkaException k ? k.Code : null;
}
