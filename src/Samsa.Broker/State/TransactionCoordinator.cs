using Samsa.Protocol;

namespace Samsa.Broker.State;

/// <summary>Transaction states as DescribeTransactions/ListTransactions name them.</summary>
internal enum TransactionState
{
    Empty,
    Ongoing,
    PrepareCommit,
    PrepareAbort,
    CompleteCommit,
    CompleteAbort,
}

/// <summary>One transactional id's metadata (Kafka's TransactionMetadata).</summary>
internal sealed class TransactionMetadata(string transactionalId, long producerId, short epoch, int timeoutMs)
{
    public string TransactionalId { get; } = transactionalId;
    public long ProducerId { get; set; } = producerId;
    public short Epoch { get; set; } = epoch;
    public int TimeoutMs { get; set; } = timeoutMs;
    public TransactionState State { get; set; } = TransactionState.Empty;
    public long StartMs { get; set; }
    public HashSet<(string Topic, int Partition)> Partitions { get; } = [];
    public HashSet<string> Groups { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Producer ids and the transaction coordinator (KIP-98): InitProducerId, AddPartitionsToTxn,
/// AddOffsetsToTxn and EndTxn, writing commit/abort markers straight into the partition logs
/// (there is no separate WriteTxnMarkers hop inside one process) and timing out transactions
/// that stay open longer than their timeout.
/// </summary>
internal sealed class TransactionCoordinator : IDisposable
{
    private readonly object _lock = new();
    private readonly Dictionary<string, TransactionMetadata> _transactions = new(StringComparer.Ordinal);
    private readonly ClusterState _cluster;
    private readonly GroupCoordinator _groups;
    private readonly TimeProvider _time;
    private readonly ITimer? _timer;
    private long _nextProducerId;

    public TransactionCoordinator(ClusterState cluster, GroupCoordinator groups, TimeProvider time, bool startTimer = true)
    {
        _cluster = cluster;
        _groups = groups;
        _time = time;
        // Unique across restarts of an on-disk cluster without persisting a counter.
        _nextProducerId = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (startTimer)
        {
            _timer = time.CreateTimer(_ => Tick(), null, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>The largest transaction.timeout.ms accepted (Kafka's transaction.max.timeout.ms).</summary>
    public int MaxTimeoutMs { get; init; } = 900_000;

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public (ErrorCode Error, long ProducerId, short Epoch) InitProducerId(string? transactionalId, int timeoutMs, long expectedProducerId, short expectedEpoch)
    {
        if (transactionalId is null)
        {
            return (ErrorCode.None, Interlocked.Increment(ref _nextProducerId), 0);
        }
        if (transactionalId.Length == 0)
        {
            return (ErrorCode.InvalidRequest, -1, -1);
        }
        if (timeoutMs <= 0 || timeoutMs > MaxTimeoutMs)
        {
            return (ErrorCode.InvalidTransactionTimeout, -1, -1);
        }
        lock (_lock)
        {
            if (!_transactions.TryGetValue(transactionalId, out var txn))
            {
                txn = new TransactionMetadata(transactionalId, Interlocked.Increment(ref _nextProducerId), 0, timeoutMs);
                _transactions[transactionalId] = txn;
                return (ErrorCode.None, txn.ProducerId, txn.Epoch);
            }
            if (expectedProducerId >= 0 && (expectedProducerId != txn.ProducerId || expectedEpoch != txn.Epoch))
            {
                // KIP-360: a producer re-initialising with a stale id/epoch has been fenced.
                if (expectedProducerId != txn.ProducerId || expectedEpoch < txn.Epoch)
                {
                    return (ErrorCode.ProducerFenced, -1, -1);
                }
            }
            if (txn.State is TransactionState.PrepareCommit or TransactionState.PrepareAbort)
            {
                return (ErrorCode.ConcurrentTransactions, -1, -1);
            }
            if (txn.State == TransactionState.Ongoing)
            {
                // A new incarnation aborts whatever the previous one left open.
                Complete(txn, commit: false, markerEpoch: txn.Epoch);
            }
            txn.TimeoutMs = timeoutMs;
            if (txn.Epoch >= short.MaxValue - 1)
            {
                txn.ProducerId = Interlocked.Increment(ref _nextProducerId);
                txn.Epoch = 0;
            }
            else
            {
                txn.Epoch++;
            }
            txn.State = TransactionState.Empty;
            return (ErrorCode.None, txn.ProducerId, txn.Epoch);
        }
    }

    private ErrorCode Check(string transactionalId, long producerId, short epoch, out TransactionMetadata? txn)
    {
        if (!_transactions.TryGetValue(transactionalId, out txn) || txn.ProducerId != producerId)
        {
            return ErrorCode.InvalidProducerIdMapping;
        }
        if (epoch != txn.Epoch)
        {
            return ErrorCode.ProducerFenced;
        }
        if (txn.State is TransactionState.PrepareCommit or TransactionState.PrepareAbort)
        {
            return ErrorCode.ConcurrentTransactions;
        }
        return ErrorCode.None;
    }

    public ErrorCode AddPartitions(string transactionalId, long producerId, short epoch, IEnumerable<(string Topic, int Partition)> partitions)
    {
        lock (_lock)
        {
            var error = Check(transactionalId, producerId, epoch, out var txn);
            if (error != ErrorCode.None)
            {
                return error;
            }
            Begin(txn!);
            foreach (var p in partitions)
            {
                txn!.Partitions.Add(p);
            }
            return ErrorCode.None;
        }
    }

    /// <summary>Whether a transactional produce to this partition was announced with AddPartitionsToTxn.</summary>
    public bool IsPartitionInTransaction(long producerId, string topic, int partition)
    {
        lock (_lock)
        {
            foreach (var txn in _transactions.Values)
            {
                if (txn.ProducerId == producerId)
                {
                    return txn.State == TransactionState.Ongoing && txn.Partitions.Contains((topic, partition));
                }
            }
            return false;
        }
    }

    public ErrorCode AddOffsets(string transactionalId, long producerId, short epoch, string groupId)
    {
        lock (_lock)
        {
            var error = Check(transactionalId, producerId, epoch, out var txn);
            if (error != ErrorCode.None)
            {
                return error;
            }
            Begin(txn!);
            txn!.Groups.Add(groupId);
            return ErrorCode.None;
        }
    }

    private void Begin(TransactionMetadata txn)
    {
        if (txn.State != TransactionState.Ongoing)
        {
            txn.State = TransactionState.Ongoing;
            txn.StartMs = NowMs;
            txn.Partitions.Clear();
            txn.Groups.Clear();
        }
    }

    public ErrorCode End(string transactionalId, long producerId, short epoch, bool commit)
    {
        lock (_lock)
        {
            if (!_transactions.TryGetValue(transactionalId, out var txn) || txn.ProducerId != producerId)
            {
                return ErrorCode.InvalidProducerIdMapping;
            }
            if (epoch != txn.Epoch)
            {
                return ErrorCode.ProducerFenced;
            }
            switch (txn.State)
            {
                case TransactionState.Ongoing:
                    Complete(txn, commit, txn.Epoch);
                    return ErrorCode.None;
                case TransactionState.CompleteCommit when commit:
                case TransactionState.CompleteAbort when !commit:
                    return ErrorCode.None; // a retried EndTxn
                case TransactionState.Empty when !commit:
                    return ErrorCode.None; // aborting an empty transaction is a no-op
                default:
                    return ErrorCode.InvalidTxnState;
            }
        }
    }

    private void Complete(TransactionMetadata txn, bool commit, short markerEpoch)
    {
        txn.State = commit ? TransactionState.PrepareCommit : TransactionState.PrepareAbort;
        byte[] marker = ControlBatch.Build(txn.ProducerId, markerEpoch, commit, coordinatorEpoch: 0, NowMs);
        foreach (var (topic, partition) in txn.Partitions)
        {
            _cluster.Find(topic, partition)?.Log.AppendControl(marker);
        }
        foreach (var group in txn.Groups)
        {
            _groups.CompleteTxn(group, txn.ProducerId, commit);
        }
        txn.Partitions.Clear();
        txn.Groups.Clear();
        txn.State = commit ? TransactionState.CompleteCommit : TransactionState.CompleteAbort;
    }

    /// <summary>Aborts transactions open longer than their timeout and fences their producer (epoch bump).</summary>
    public void Tick()
    {
        lock (_lock)
        {
            long now = NowMs;
            foreach (var txn in _transactions.Values)
            {
                if (txn.State == TransactionState.Ongoing && now - txn.StartMs > txn.TimeoutMs)
                {
                    short fenced = (short)(txn.Epoch + 1);
                    txn.Epoch = fenced;
                    Complete(txn, commit: false, markerEpoch: fenced);
                }
            }
        }
    }

    public List<(string TransactionalId, long ProducerId, TransactionState State)> List()
    {
        lock (_lock)
        {
            return [.. _transactions.Values.Select(t => (t.TransactionalId, t.ProducerId, t.State))];
        }
    }

    public TransactionMetadata? Describe(string transactionalId)
    {
        lock (_lock)
        {
            return _transactions.GetValueOrDefault(transactionalId);
        }
    }

    public void Dispose() => _timer?.Dispose();
}
