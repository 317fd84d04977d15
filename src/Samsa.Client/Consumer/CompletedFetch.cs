using System.Runtime.CompilerServices;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Records;
using Samsa.Client.Metadata;

namespace Samsa.Client.Consumer;

/// <summary>Receives records as the fetcher hands them out; the record's memory is valid only during the call.</summary>
internal interface IFetchedRecordSink
{
    /// <summary>Takes one record of <paramref name="partition"/> (deserialize it now).</summary>
    void Add(TopicPartition partition, in Record record, int leaderEpoch);

    /// <summary>Records taken so far.</summary>
    int Count { get; }
}

/// <summary>
/// One partition's data from a fetch response, parsed lazily as the application polls (Java's
/// CompletedFetch). Skips records before the fetch offset (a compressed batch may start earlier),
/// control batches, and with read_committed the batches of aborted transactions, using the
/// response's aborted-transaction list as Java does.
/// </summary>
internal sealed class CompletedFetch
{
    readonly FetchResponse.PartitionData _data;
    // The pooled response frame the records are slices of; released once this fetch is used up.
    FetchFrameLease? _frame;
    RecordBatchReader? _reader;
    bool _inBatch;
    bool _batchSkipped;
    RecordBatchHeader _batch;
    PriorityQueue<FetchResponse.AbortedTransaction, long>? _abortedTransactions;
    HashSet<long>? _abortedProducerIds;

    public CompletedFetch(TopicPartition partition, long fetchOffset, FetchResponse.PartitionData data, short requestVersion, int nodeId = -1,
        FetchFrameLease? frame = null)
    {
        Partition = partition;
        _frame = frame;
        frame?.Retain();
        NodeId = nodeId;
        FetchOffset = fetchOffset;
        NextFetchOffset = fetchOffset;
        _data = data;
        RequestVersion = requestVersion;
    }

    public TopicPartition Partition { get; }

    /// <summary>The broker that returned this data (-1 when unknown).</summary>
    public int NodeId { get; }

    /// <summary>True while records may still be read from it (an empty response holds none).</summary>
    public bool MayHoldRecords => !IsConsumed && (Initialized || _data.Records is { Length: > 0 });
    public long FetchOffset { get; }
    public short RequestVersion { get; }
    public FetchResponse.PartitionData Data => _data;
    public long NextFetchOffset { get; private set; }
    public int? LastEpoch { get; private set; }
    public bool IsConsumed { get; private set; }
    public bool Initialized { get; private set; }
    public int RecordsRead { get; private set; }
    public int BytesRead { get; private set; }

    /// <summary>Prepares reading with the fetcher's shared reader (only the fetch in line reads at a time).</summary>
    public void Initialize(RecordBatchReader reader, IsolationLevel isolation)
    {
        Initialized = true;
        _reader = reader;
        reader.Reset(_data.Records ?? ReadOnlyMemory<byte>.Empty);
        if (isolation == IsolationLevel.ReadCommitted && _data.AbortedTransactions is { Count: > 0 } aborted)
        {
            _abortedTransactions = new PriorityQueue<FetchResponse.AbortedTransaction, long>(aborted.Count);
            foreach (var t in aborted) _abortedTransactions.Enqueue(t, t.FirstOffset);
            _abortedProducerIds = [];
        }
    }

    /// <summary>Marks the fetch as consumed without reading further (stale, unassigned, failed, or read to the end). Idempotent.</summary>
    public void Drain()
    {
        IsConsumed = true;
        _reader = null;
        var frame = _frame;
        _frame = null;
        frame?.Release();
    }

    /// <summary>Reads up to <paramref name="max"/> records into <paramref name="sink"/>; returns how many.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int ReadRecords(int max, IsolationLevel isolation, IFetchedRecordSink sink)
    {
        if (IsConsumed || _reader is null) return 0;
        var reader = _reader;
        var count = 0;
        try
        {
            while (count < max)
            {
                if (!_inBatch)
                {
                    if (!reader.TryReadBatch(out _batch))
                    {
                        // v2 keeps a batch's last offset even when compaction removed its last records, so
                        // moving to the batch's next offset avoids fetching the same batch again.
                        if (_batchSeen && _lastBatchMagic >= 2 && _lastBatchNextOffset > NextFetchOffset) NextFetchOffset = _lastBatchNextOffset;
                        Drain();
                        break;
                    }
                    _batchSeen = true;
                    _lastBatchNextOffset = _batch.NextOffset;
                    _lastBatchMagic = _batch.Magic;
                    BytesRead += _batch.SizeInBytes;
                    if (_batch.PartitionLeaderEpoch >= 0) LastEpoch = _batch.PartitionLeaderEpoch;
                    _inBatch = true;
                    _batchSkipped = false;
                    if (_batch.NextOffset <= NextFetchOffset)
                    {
                        // Whole batch is before the position (the broker returns from a batch boundary).
                        _batchSkipped = true;
                    }
                    else if (_abortedProducerIds is not null && _batch.IsTransactional)
                    {
                        ConsumeAbortedTransactionsUpTo(_batch.LastOffset);
                        if (_batch.IsControlBatch)
                        {
                            if (IsAbortMarker(reader)) _abortedProducerIds.Remove(_batch.ProducerId);
                            NextFetchOffset = Math.Max(NextFetchOffset, _batch.NextOffset);
                            _batchSkipped = true;
                        }
                        else if (_abortedProducerIds.Contains(_batch.ProducerId))
                        {
                            NextFetchOffset = Math.Max(NextFetchOffset, _batch.NextOffset);
                            _batchSkipped = true;
                        }
                    }
                    if (!_batchSkipped && _batch.IsControlBatch)
                    {
                        // Control records are never returned to the application.
                        NextFetchOffset = Math.Max(NextFetchOffset, _batch.NextOffset);
                        _batchSkipped = true;
                    }
                    if (_batchSkipped)
                    {
                        _inBatch = false;
                        continue;
                    }
                }

                if (!reader.TryReadRecord(out var record))
                {
                    _inBatch = false;
                    continue;
                }
                if (record.Offset < NextFetchOffset) continue;
                sink.Add(Partition, record, LastEpoch ?? -1);
                NextFetchOffset = record.Offset + 1;
                RecordsRead++;
                count++;
            }
        }
        catch
        {
            // A corrupt batch poisons the rest of this fetch; the position stays at the bad record.
            Drain();
            throw;
        }
        return count;
    }

    bool _batchSeen;
    long _lastBatchNextOffset;
    byte _lastBatchMagic;

    // A control batch holds one record whose key says COMMIT or ABORT.
    static bool IsAbortMarker(RecordBatchReader reader) =>
        reader.TryReadRecord(out var marker) && ControlRecord.ParseType(marker.Key.Span) == ControlRecordType.Abort;

    void ConsumeAbortedTransactionsUpTo(long offset)
    {
        while (_abortedTransactions!.TryPeek(out var t, out var first) && first <= offset)
        {
            _abortedTransactions.Dequeue();
            _abortedProducerIds!.Add(t.ProducerId);
        }
    }
}
