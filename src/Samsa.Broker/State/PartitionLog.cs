using System.Buffers.Binary;
using Samsa.Protocol;
using Samsa.Protocol.Errors;

namespace Samsa.Broker.State;

/// <summary>Result of appending a produce request's records to one partition.</summary>
internal readonly record struct AppendResult(ErrorCode Error, long BaseOffset, long LogStartOffset, string? ErrorMessage = null);

/// <summary>An aborted transaction as Fetch reports it (KIP-98).</summary>
internal readonly record struct AbortedTxn(long ProducerId, long FirstOffset, long LastOffset);

/// <summary>Batches read for a fetch: one contiguous slice of stored bytes.</summary>
internal readonly record struct LogReadResult(ErrorCode Error, ReadOnlyMemory<byte> Records, long HighWatermark, long LastStableOffset, long LogStartOffset);

/// <summary>
/// One partition's log. Batches are kept as the client sent them (only baseOffset and
/// partitionLeaderEpoch are patched, both outside the CRC), packed back to back in large segment
/// arrays so a fetch returns one slice without copying. No record is ever decoded on produce.
/// Thread-safe: a single lock guards appends and reads; readers get slices of immutable bytes.
/// </summary>
internal sealed class PartitionLog : IDisposable
{
    private const int SegmentSize = 1 << 20;

    private readonly object _lock = new();
    private readonly List<byte[]> _segments = [];
    private int _segmentUsed;
    private BatchEntry[] _entries = new BatchEntry[64];
    private int _entryCount;
    private readonly Dictionary<long, ProducerStateEntry> _producers = [];
    private readonly List<AbortedTxn> _aborted = [];
    private TaskCompletionSource _appended = NewSignal();
    private FileStream? _file;

    private readonly record struct BatchEntry(long BaseOffset, long LastOffset, long MaxTimestamp, int Segment, int Position, int Length);

    public PartitionLog(string topic, int partition, string? directory)
    {
        Topic = topic;
        Partition = partition;
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
            string path = Path.Combine(directory, "00000000000000000000.log");
            if (File.Exists(path))
            {
                Recover(File.ReadAllBytes(path));
            }
            _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16);
        }
    }

    public string Topic { get; }

    public int Partition { get; }

    /// <summary>Leader epoch, bumped when the leader moves; stamped into appended batches.</summary>
    public int LeaderEpoch { get; set; }

    public long LogStartOffset { get; private set; }

    /// <summary>Log end offset; with no followers to wait for it is also the high watermark.</summary>
    public long HighWatermark { get; private set; }

    /// <summary>First offset of the oldest open transaction, else the high watermark.</summary>
    public long LastStableOffset
    {
        get
        {
            lock (_lock)
            {
                return ComputeLso();
            }
        }
    }

    /// <summary>Total stored bytes, for DescribeLogDirs-like reporting and tests.</summary>
    public long SizeInBytes { get; private set; }

    /// <summary>Completes on the next append; fetch long-polls wait on it.</summary>
    public Task AppendedSignal
    {
        get
        {
            lock (_lock)
            {
                return _appended.Task;
            }
        }
    }

    /// <summary>
    /// Validates and appends a produce request's records blob (one or more v2 batches).
    /// All batches are checked before any is appended, as Kafka does.
    /// </summary>
    public AppendResult Append(ReadOnlySpan<byte> records, long nowMs)
    {
        // Most produce requests carry one batch per partition; up to 64 are accepted.
        BatchHeader[] headers = System.Buffers.ArrayPool<BatchHeader>.Shared.Rent(64);
        try
        {
            int count;
            try
            {
                BatchHeader.Validate(records, headers, out count);
            }
            catch (CorruptRecordException e)
            {
                return new AppendResult(ErrorCode.CorruptMessage, -1, LogStartOffset, e.Message);
            }
            if (count == 0)
            {
                return new AppendResult(ErrorCode.CorruptMessage, -1, LogStartOffset, "Produce request has no record batches for the partition.");
            }
            lock (_lock)
            {
                // Idempotence checks first, for every batch, so a rejected request appends nothing.
                for (int i = 0; i < count; i++)
                {
                    ref readonly var h = ref headers[i];
                    if (h.IsControl)
                    {
                        return new AppendResult(ErrorCode.InvalidRecord, -1, LogStartOffset, "Clients may not write control batches.");
                    }
                    if (h.ProducerId < 0 || h.BaseSequence < 0)
                    {
                        continue;
                    }
                    var check = CheckSequence(h);
                    if (check.Error != ErrorCode.None || check.BaseOffset >= 0)
                    {
                        // A retried batch already in the log: answer with its original offset.
                        return check;
                    }
                }
                long firstOffset = HighWatermark;
                int position = 0;
                for (int i = 0; i < count; i++)
                {
                    ref readonly var h = ref headers[i];
                    AppendBatch(records.Slice(position, h.TotalSize), h);
                    position += h.TotalSize;
                }
                Signal();
                return new AppendResult(ErrorCode.None, firstOffset, LogStartOffset);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<BatchHeader>.Shared.Return(headers);
        }
    }

    private AppendResult CheckSequence(in BatchHeader h)
    {
        if (!_producers.TryGetValue(h.ProducerId, out var entry))
        {
            // A producer this partition never saw: accept any starting sequence, as Kafka does
            // after KIP-360 (its earlier batches may have been removed by retention).
            return new AppendResult(ErrorCode.None, -1, LogStartOffset);
        }
        if (h.ProducerEpoch < entry.Epoch)
        {
            return new AppendResult(ErrorCode.InvalidProducerEpoch, -1, LogStartOffset,
                $"Producer {h.ProducerId} epoch {h.ProducerEpoch} is older than the current epoch {entry.Epoch}.");
        }
        if (h.ProducerEpoch > entry.Epoch)
        {
            return h.BaseSequence == 0
                ? new AppendResult(ErrorCode.None, -1, LogStartOffset)
                : new AppendResult(ErrorCode.OutOfOrderSequenceNumber, -1, LogStartOffset,
                    $"Producer {h.ProducerId} started epoch {h.ProducerEpoch} at sequence {h.BaseSequence}, expected 0.");
        }
        long duplicate = entry.FindDuplicate(h.BaseSequence, h.LastSequence);
        if (duplicate >= 0)
        {
            return new AppendResult(ErrorCode.None, duplicate, LogStartOffset);
        }
        int expected = entry.LastSequence == int.MaxValue ? 0 : entry.LastSequence + 1;
        if (h.BaseSequence == expected)
        {
            return new AppendResult(ErrorCode.None, -1, LogStartOffset);
        }
        int oldest = entry.OldestCachedSequence();
        if (h.BaseSequence < expected && (oldest < 0 || h.BaseSequence < oldest))
        {
            return new AppendResult(ErrorCode.DuplicateSequenceNumber, -1, LogStartOffset,
                $"Producer {h.ProducerId} batch at sequence {h.BaseSequence} is older than the cached batches (last sequence {entry.LastSequence}).");
        }
        return new AppendResult(ErrorCode.OutOfOrderSequenceNumber, -1, LogStartOffset,
            $"Producer {h.ProducerId} sent sequence {h.BaseSequence}, expected {expected}.");
    }

    private void AppendBatch(ReadOnlySpan<byte> batch, in BatchHeader h)
    {
        long baseOffset = HighWatermark;
        long lastOffset = baseOffset + h.LastOffsetDelta;
        var (segment, position) = Allocate(batch.Length);
        var target = _segments[segment].AsSpan(position, batch.Length);
        batch.CopyTo(target);
        BinaryPrimitives.WriteInt64BigEndian(target, baseOffset);
        BinaryPrimitives.WriteInt32BigEndian(target[BatchHeader.PartitionLeaderEpochOffset..], LeaderEpoch);
        AddEntry(new BatchEntry(baseOffset, lastOffset, h.MaxTimestamp, segment, position, batch.Length));
        HighWatermark = lastOffset + 1;
        SizeInBytes += batch.Length;
        TrackProducer(h, baseOffset, target);
        _file?.Write(target);
        _file?.Flush();
    }

    private void TrackProducer(in BatchHeader h, long baseOffset, ReadOnlySpan<byte> stored)
    {
        if (h.ProducerId < 0)
        {
            return;
        }
        if (!_producers.TryGetValue(h.ProducerId, out var entry))
        {
            entry = new ProducerStateEntry(h.ProducerId, h.ProducerEpoch);
            _producers[h.ProducerId] = entry;
        }
        else if (h.ProducerEpoch > entry.Epoch)
        {
            entry.BumpEpoch(h.ProducerEpoch);
        }
        if (h.IsControl)
        {
            if (entry.CurrentTxnFirstOffset >= 0 && IsAbortMarker(stored))
            {
                _aborted.Add(new AbortedTxn(h.ProducerId, entry.CurrentTxnFirstOffset, baseOffset));
            }
            entry.CurrentTxnFirstOffset = -1;
            return;
        }
        if (h.BaseSequence >= 0)
        {
            entry.Record(h.BaseSequence, h.LastSequence, baseOffset);
        }
        if (h.IsTransactional && entry.CurrentTxnFirstOffset < 0)
        {
            entry.CurrentTxnFirstOffset = baseOffset;
        }
    }

    /// <summary>Reads the control type (0 abort, 1 commit) from the first record's key.</summary>
    private static bool IsAbortMarker(ReadOnlySpan<byte> batch)
    {
        var reader = new Samsa.Protocol.Primitives.KafkaReader(batch[BatchHeader.Size..]);
        reader.ReadVarInt(); // record length
        reader.ReadInt8(); // attributes
        reader.ReadVarLong(); // timestamp delta
        reader.ReadVarInt(); // offset delta
        int keyLength = reader.ReadVarInt();
        if (keyLength < 4)
        {
            throw new CorruptRecordException("Control record key is shorter than 4 bytes.");
        }
        reader.ReadInt16(); // version
        return reader.ReadInt16() == 0;
    }

    /// <summary>Appends a control batch (transaction marker) built by the coordinator.</summary>
    public long AppendControl(ReadOnlySpan<byte> batch)
    {
        var h = BatchHeader.Read(batch);
        lock (_lock)
        {
            long offset = HighWatermark;
            AppendBatch(batch, h);
            Signal();
            return offset;
        }
    }

    private (int Segment, int Position) Allocate(int length)
    {
        if (_segments.Count == 0 || _segmentUsed + length > _segments[^1].Length)
        {
            _segments.Add(new byte[Math.Max(SegmentSize, length)]);
            _segmentUsed = 0;
        }
        int position = _segmentUsed;
        _segmentUsed += length;
        return (_segments.Count - 1, position);
    }

    private void AddEntry(BatchEntry entry)
    {
        if (_entryCount == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }
        _entries[_entryCount++] = entry;
    }

    private void Signal()
    {
        var previous = _appended;
        _appended = NewSignal();
        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private long ComputeLso()
    {
        long lso = HighWatermark;
        foreach (var entry in _producers.Values)
        {
            if (entry.CurrentTxnFirstOffset >= 0 && entry.CurrentTxnFirstOffset < lso)
            {
                lso = entry.CurrentTxnFirstOffset;
            }
        }
        return lso;
    }

    /// <summary>
    /// Reads batches from <paramref name="fetchOffset"/>: whole batches from one segment, at most
    /// <paramref name="maxBytes"/> except that the first batch is always returned whole (KIP-74),
    /// stopping at the high watermark or, for read_committed, the last stable offset.
    /// </summary>
    public LogReadResult Read(long fetchOffset, int maxBytes, bool readCommitted, bool minOneBatch = true)
    {
        lock (_lock)
        {
            long lso = ComputeLso();
            if (fetchOffset < LogStartOffset || fetchOffset > HighWatermark)
            {
                return new LogReadResult(ErrorCode.OffsetOutOfRange, ReadOnlyMemory<byte>.Empty, HighWatermark, lso, LogStartOffset);
            }
            long limit = readCommitted ? lso : HighWatermark;
            int index = FindEntry(fetchOffset);
            if (index < 0 || _entries[index].BaseOffset >= limit)
            {
                return new LogReadResult(ErrorCode.None, ReadOnlyMemory<byte>.Empty, HighWatermark, lso, LogStartOffset);
            }
            var first = _entries[index];
            if (!minOneBatch && first.Length > maxBytes)
            {
                return new LogReadResult(ErrorCode.None, ReadOnlyMemory<byte>.Empty, HighWatermark, lso, LogStartOffset);
            }
            int length = first.Length;
            for (int i = index + 1; i < _entryCount; i++)
            {
                var next = _entries[i];
                if (next.Segment != first.Segment || next.BaseOffset >= limit || length + next.Length > maxBytes)
                {
                    break;
                }
                length += next.Length;
            }
            return new LogReadResult(ErrorCode.None, _segments[first.Segment].AsMemory(first.Position, length), HighWatermark, lso, LogStartOffset);
        }
    }

    /// <summary>Aborted transactions overlapping [fetchOffset, upperOffset), for read_committed fetches.</summary>
    public List<AbortedTxn>? AbortedTransactions(long fetchOffset, long upperOffset)
    {
        lock (_lock)
        {
            List<AbortedTxn>? result = null;
            foreach (var txn in _aborted)
            {
                if (txn.LastOffset >= fetchOffset && txn.FirstOffset < upperOffset)
                {
                    (result ??= []).Add(txn);
                }
            }
            return result;
        }
    }

    /// <summary>Index of the first batch whose last offset is at or after <paramref name="offset"/>, or -1.</summary>
    private int FindEntry(long offset)
    {
        int lo = 0;
        int hi = _entryCount - 1;
        int found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_entries[mid].LastOffset >= offset)
            {
                found = mid;
                hi = mid - 1;
            }
            else
            {
                lo = mid + 1;
            }
        }
        return found;
    }

    /// <summary>ListOffsets by timestamp: the first offset of the first batch with maxTimestamp at or after <paramref name="timestamp"/>.</summary>
    public (long Offset, long Timestamp) OffsetForTimestamp(long timestamp)
    {
        lock (_lock)
        {
            for (int i = 0; i < _entryCount; i++)
            {
                if (_entries[i].MaxTimestamp >= timestamp && _entries[i].LastOffset >= LogStartOffset)
                {
                    return (Math.Max(_entries[i].BaseOffset, LogStartOffset), _entries[i].MaxTimestamp);
                }
            }
            return (-1, -1);
        }
    }

    /// <summary>The offset and timestamp of the batch with the largest timestamp (ListOffsets -3, KIP-734).</summary>
    public (long Offset, long Timestamp) MaxTimestampOffset()
    {
        lock (_lock)
        {
            long best = -1;
            long offset = -1;
            for (int i = 0; i < _entryCount; i++)
            {
                if (_entries[i].MaxTimestamp > best)
                {
                    best = _entries[i].MaxTimestamp;
                    offset = _entries[i].LastOffset;
                }
            }
            return (offset, best);
        }
    }

    /// <summary>Moves the log start forward (DeleteRecords); reads below it fail with OFFSET_OUT_OF_RANGE.</summary>
    public long DeleteRecordsBefore(long offset)
    {
        lock (_lock)
        {
            long target = offset < 0 ? HighWatermark : Math.Min(offset, HighWatermark);
            if (target > LogStartOffset)
            {
                LogStartOffset = target;
            }
            return LogStartOffset;
        }
    }

    private void Recover(byte[] data)
    {
        int position = 0;
        while (position + BatchHeader.LogOverhead <= data.Length)
        {
            BatchHeader h;
            try
            {
                h = BatchHeader.Read(data.AsSpan(position));
            }
            catch (CorruptRecordException)
            {
                break;
            }
            if (position + h.TotalSize > data.Length)
            {
                break; // torn write at the tail: drop it, like Kafka's log recovery.
            }
            var batch = data.AsSpan(position, h.TotalSize);
            var (segment, at) = Allocate(batch.Length);
            batch.CopyTo(_segments[segment].AsSpan(at));
            AddEntry(new BatchEntry(h.BaseOffset, h.BaseOffset + h.LastOffsetDelta, h.MaxTimestamp, segment, at, batch.Length));
            HighWatermark = h.BaseOffset + h.LastOffsetDelta + 1;
            SizeInBytes += batch.Length;
            TrackProducer(h, h.BaseOffset, _segments[segment].AsSpan(at, batch.Length));
            position += h.TotalSize;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _file?.Dispose();
            _file = null;
        }
    }
}
