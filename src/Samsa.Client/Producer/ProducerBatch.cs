using System.Runtime.CompilerServices;
using Samsa.Client.Metadata;
using System.Buffers;
using Samsa.Protocol;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Primitives;

namespace Samsa.Client.Producer;

/// <summary>What to tell when one record of a batch completes: a task, a handler, or both.</summary>
internal struct RecordCompletion
{
    public IDeliveryHandler? Handler;
    public TaskCompletionSource<DeliveryResult>? Task;
    public long Timestamp;
}

/// <summary>
/// The records of one partition sent together (Java's ProducerBatch with its MemoryRecordsBuilder).
/// Producing threads append records, uncompressed, into a buffer from the <see cref="BufferPool"/>
/// after a reserved 61-byte v2 header; the sender closes the batch (compression, header, CRC) when it
/// drains it. Appends happen under the partition deque's lock; everything after close happens on the
/// sender thread.
/// </summary>
internal sealed class ProducerBatch
{
    private readonly byte[] _buffer;
    private int _written = RecordBatchLayout.HeaderSize;
    private RecordCompletion[] _completions;
    private ByteBufferWriter? _compressed;
    private ReadOnlyMemory<byte> _closedBytes;
    private int _finalState; // 0 = pending, 1 = completing, 2 = callbacks done
    private TaskCompletionSource? _done;

    public ProducerBatch(TopicPartition topicPartition, byte[] buffer, long createdMs)
    {
        TopicPartition = topicPartition;
        _buffer = buffer;
        CreatedMs = createdMs;
        LastAttemptMs = createdMs;
        _completions = ArrayPool<RecordCompletion>.Shared.Rent(16);
    }

    public TopicPartition TopicPartition { get; }

    public long CreatedMs { get; }

    /// <summary>When the batch was last sent or re-enqueued (for retry back-off).</summary>
    public long LastAttemptMs { get; private set; }

    public long DrainedMs { get; set; }

    public int Attempts { get; private set; }

    /// <summary>True once the batch went back into the queue for a retry.</summary>
    public bool InRetry { get; private set; }

    public int RecordCount { get; private set; }

    public long BaseTimestamp { get; private set; }

    public long MaxTimestamp { get; private set; }

    /// <summary>Uncompressed bytes of records (plus header), what counts against batch.size.</summary>
    public int EstimatedSizeInBytes => _written;

    /// <summary>The pooled buffer, returned to the pool when the batch is done.</summary>
    public byte[] Buffer => _buffer;

    public bool IsClosed { get; private set; }

    public bool IsDone => Volatile.Read(ref _finalState) != 0;

    public long ProducerId { get; private set; } = -1;

    public short ProducerEpoch { get; private set; } = -1;

    public int BaseSequence { get; private set; } = -1;

    public bool HasSequence => BaseSequence >= 0;

    /// <summary>Sequence of the last record (Kafka's lastSequence: wraps past int.MaxValue to 0).</summary>
    public int LastSequence => TransactionManager.IncrementSequence(BaseSequence, RecordCount - 1);

    /// <summary>Renumbered by an epoch bump since it was first numbered (Java's sequenceHasBeenReset).</summary>
    public bool SequenceHasBeenReset { get; private set; }

    /// <summary>A batch made by splitting a too-large one; its buffer is not from the pool.</summary>
    public bool IsSplitBatch { get; init; }

    /// <summary>Set once the batch was handed to the network and until its response (or failure) is handled.</summary>
    public bool InFlight { get; set; }

    /// <summary>Whether a record failed to fit (a newer batch exists behind this one) or the buffer is used up.</summary>
    public bool IsFull { get; set; }

    /// <summary>The closed batch as it goes on the wire.</summary>
    public ReadOnlyMemory<byte> Records => _closedBytes;

    /// <summary>Size on the wire (after close), else the uncompressed estimate.</summary>
    public int SizeInBytes => IsClosed ? _closedBytes.Length : _written;

    /// <summary>Bytes one record takes in a v2 batch.</summary>
    public static int RecordSize(long timestampDelta, int offsetDelta, int keyLength, int valueLength, Headers? headers)
    {
        int body = RecordBodySize(timestampDelta, offsetDelta, keyLength, valueLength, headers);
        return VarInt.SizeOf(body) + body;
    }

    /// <summary>Bytes of a record without its length prefix.</summary>
    public static int RecordBodySize(long timestampDelta, int offsetDelta, int keyLength, int valueLength, Headers? headers) =>
        1 + VarInt.SizeOf64(timestampDelta) + VarInt.SizeOf(offsetDelta)
            + (keyLength < 0 ? 1 : VarInt.SizeOf(keyLength) + keyLength)
            + (valueLength < 0 ? 1 : VarInt.SizeOf(valueLength) + valueLength)
            + HeadersSize(headers);

    /// <summary>An upper bound of a record's size, used to size a batch before its base timestamp is known.</summary>
    public static int EstimateSizeUpperBound(int keyLength, int valueLength, Headers? headers) =>
        RecordBatchLayout.HeaderSize + 5 + 1 + 10 + 5 + 5 + Math.Max(0, keyLength) + 5 + Math.Max(0, valueLength) + HeadersSize(headers);

    private static int HeadersSize(Headers? headers)
    {
        if (headers is null) return 1;
        int size = VarInt.SizeOf(headers.Count);
        foreach (var h in headers)
        {
            int k = System.Text.Encoding.UTF8.GetByteCount(h.Key);
            size += VarInt.SizeOf(k) + k + (h.Value is null ? 1 : VarInt.SizeOf(h.Value.Length) + h.Value.Length);
        }
        return size;
    }

    /// <summary>
    /// Appends a record if it fits in the buffer; returns false when it does not (the caller then
    /// starts a new batch). Key or value null is passed as <paramref name="keyIsNull"/>/<paramref name="valueIsNull"/>.
    /// </summary>
    // Per-record hot path: compiled optimized at once, not after a tier-0 warm-up (see docs/performance.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryAppend(long timestamp, ReadOnlySpan<byte> key, bool keyIsNull, ReadOnlySpan<byte> value, bool valueIsNull,
        Headers? headers, TaskCompletionSource<DeliveryResult>? task, IDeliveryHandler? handler)
    {
        if (IsClosed) return false;
        if (RecordCount == 0)
        {
            BaseTimestamp = timestamp;
            MaxTimestamp = timestamp;
        }
        long tsDelta = timestamp - BaseTimestamp;
        int body = RecordBodySize(tsDelta, RecordCount, keyIsNull ? -1 : key.Length, valueIsNull ? -1 : value.Length, headers);
        int size = VarInt.SizeOf(body) + body;
        if (_written + size > _buffer.Length) return false;

        var span = _buffer.AsSpan(_written, size);
        int pos = VarInt.Write(span, body);
        span[pos++] = 0; // record attributes: unused in v2
        pos += VarInt.Write64(span[pos..], tsDelta);
        pos += VarInt.Write(span[pos..], RecordCount);
        pos += WriteBytes(span[pos..], key, keyIsNull);
        pos += WriteBytes(span[pos..], value, valueIsNull);
        if (headers is null)
        {
            span[pos++] = 0;
        }
        else
        {
            pos += VarInt.Write(span[pos..], headers.Count);
            foreach (var h in headers)
            {
                int k = System.Text.Encoding.UTF8.GetByteCount(h.Key);
                pos += VarInt.Write(span[pos..], k);
                pos += System.Text.Encoding.UTF8.GetBytes(h.Key, span[pos..]);
                pos += WriteBytes(span[pos..], h.Value, h.Value is null);
            }
        }
        System.Diagnostics.Debug.Assert(pos == size);
        _written += size;

        if (RecordCount == _completions.Length) GrowCompletions();
        _completions[RecordCount] = new RecordCompletion { Handler = handler, Task = task, Timestamp = timestamp };
        if (timestamp > MaxTimestamp) MaxTimestamp = timestamp;
        RecordCount++;
        return true;
    }

    private static int WriteBytes(Span<byte> destination, ReadOnlySpan<byte> data, bool isNull)
    {
        if (isNull) return VarInt.Write(destination, -1);
        int n = VarInt.Write(destination, data.Length);
        data.CopyTo(destination[n..]);
        return n + data.Length;
    }

    private void GrowCompletions()
    {
        var bigger = ArrayPool<RecordCompletion>.Shared.Rent(_completions.Length * 2);
        Array.Copy(_completions, bigger, RecordCount);
        ArrayPool<RecordCompletion>.Shared.Return(_completions, clearArray: true);
        _completions = bigger;
    }

    /// <summary>Assigns producer id, epoch and base sequence (before close, or rewritten on a closed batch).</summary>
    public void SetProducerState(long producerId, short producerEpoch, int baseSequence)
    {
        ProducerId = producerId;
        ProducerEpoch = producerEpoch;
        BaseSequence = baseSequence;
        if (IsClosed)
            RecordBatchLayout.WriteProducerState(ClosedSpan(), producerId, producerEpoch, baseSequence);
    }

    /// <summary>Renumbers the batch under a bumped epoch (Java's resetProducerState).</summary>
    public void ResetProducerState(long producerId, short producerEpoch, int baseSequence)
    {
        SequenceHasBeenReset = true;
        SetProducerState(producerId, producerEpoch, baseSequence);
    }

    /// <summary>Seals the batch: compresses the records when asked and writes header and CRC.</summary>
    public void Close(CompressionType compression)
    {
        if (IsClosed) return;
        IsClosed = true;
        if (compression == CompressionType.None || RecordCount == 0)
        {
            RecordBatchLayout.WriteHeader(_buffer.AsSpan(0, _written), 0, RecordCount, BaseTimestamp, MaxTimestamp, ProducerId, ProducerEpoch, BaseSequence);
            _closedBytes = _buffer.AsMemory(0, _written);
            return;
        }
        var writer = new ByteBufferWriter(Math.Max(256, _written / 2));
        writer.Advance(RecordBatchLayout.HeaderSize);
        BatchCompression.Compress(compression, _buffer.AsSpan(RecordBatchLayout.HeaderSize, _written - RecordBatchLayout.HeaderSize), writer);
        _compressed = writer;
        var span = writer.WrittenSlice(0, writer.WrittenCount);
        RecordBatchLayout.WriteHeader(span, (byte)compression, RecordCount, BaseTimestamp, MaxTimestamp, ProducerId, ProducerEpoch, BaseSequence);
        _closedBytes = writer.WrittenMemory;
    }

    private Span<byte> ClosedSpan() => _compressed is { } c ? c.WrittenSlice(0, c.WrittenCount) : _buffer.AsSpan(0, _written);

    /// <summary>Compression ratio (wire / uncompressed) once closed.</summary>
    public double CompressionRatio => IsClosed && _written > RecordBatchLayout.HeaderSize ? (double)_closedBytes.Length / _written : 1.0;

    /// <summary>Marks the batch as going back into the queue for another attempt.</summary>
    public void Reenqueued(long nowMs)
    {
        Attempts++;
        LastAttemptMs = nowMs;
        InRetry = true;
    }

    /// <summary>Whether delivery.timeout.ms has passed since the batch was created.</summary>
    public bool HasReachedDeliveryTimeout(long deliveryTimeoutMs, long nowMs) => deliveryTimeoutMs <= nowMs - CreatedMs;

    /// <summary>
    /// Completes every record: success with <paramref name="baseOffset"/> (offsets base + index), or
    /// failure with <paramref name="error"/>. Returns false when the batch was already completed
    /// (e.g. expired while its response was on the way).
    /// </summary>
    // Per-record hot path: compiled optimized at once, not after a tier-0 warm-up (see docs/performance.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Complete(long baseOffset, long logAppendTime, Exception? error, Func<int, Exception?>? recordError = null)
    {
        if (Interlocked.CompareExchange(ref _finalState, 1, 0) != 0) return false;
        string topic = TopicPartition.Topic;
        int partition = TopicPartition.Partition;
        for (int i = 0; i < RecordCount; i++)
        {
            ref var c = ref _completions[i];
            Exception? e = error ?? recordError?.Invoke(i);
            long ts = logAppendTime >= 0 ? logAppendTime : c.Timestamp;
            var result = new DeliveryResult(topic, partition, e is null && baseOffset >= 0 ? baseOffset + i : -1, DateTimeOffset.FromUnixTimeMilliseconds(ts));
            if (c.Handler is { } h)
            {
                try
                {
                    h.OnDelivery(result, e);
                }
                catch (Exception)
                {
                    // A user callback must not break the network thread or other records' completions.
                }
            }
            if (c.Task is { } t)
            {
                if (e is null) t.TrySetResult(result);
                else t.TrySetException(e);
            }
        }
        Volatile.Write(ref _finalState, 2);
        Volatile.Read(ref _done)?.TrySetResult();
        return true;
    }

    /// <summary>Marks a batch whose records moved to split batches: done without completing any record.</summary>
    public void MarkSplit()
    {
        Volatile.Write(ref _finalState, 2);
        Volatile.Read(ref _done)?.TrySetResult();
    }

    /// <summary>A task that completes once every record's completion ran (what flush waits for).</summary>
    public Task WhenDone()
    {
        var done = Volatile.Read(ref _done);
        if (done is null)
        {
            var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            done = Interlocked.CompareExchange(ref _done, created, null) ?? created;
        }
        // Complete() may have finished before _done was published.
        if (Volatile.Read(ref _finalState) == 2) done.TrySetResult();
        return done.Task;
    }

    /// <summary>Reads back the records (for splitting a batch the broker found too large).</summary>
    public IEnumerable<(int Index, long Timestamp, ReadOnlyMemory<byte> Tail)> ReadRecords()
    {
        int pos = RecordBatchLayout.HeaderSize;
        for (int i = 0; i < RecordCount; i++)
        {
            int length = VarInt.Read(_buffer.AsSpan(pos), out int n);
            int start = pos + n;
            var rec = _buffer.AsSpan(start, length);
            int p = 1;
            long tsDelta = VarInt.Read64(rec[p..], out int m);
            p += m;
            VarInt.Read(rec[p..], out m);
            p += m;
            yield return (i, BaseTimestamp + tsDelta, _buffer.AsMemory(start + p, length - p));
            pos = start + length;
        }
    }

    /// <summary>Appends a record of another batch (key, value and headers bytes copied as they are) during a split.</summary>
    public bool TryAppendRaw(long timestamp, ReadOnlySpan<byte> tail, in RecordCompletion completion)
    {
        if (RecordCount == 0)
        {
            BaseTimestamp = timestamp;
            MaxTimestamp = timestamp;
        }
        long tsDelta = timestamp - BaseTimestamp;
        int body = 1 + VarInt.SizeOf64(tsDelta) + VarInt.SizeOf(RecordCount) + tail.Length;
        int size = VarInt.SizeOf(body) + body;
        if (_written + size > _buffer.Length) return false;
        var span = _buffer.AsSpan(_written, size);
        int pos = VarInt.Write(span, body);
        span[pos++] = 0;
        pos += VarInt.Write64(span[pos..], tsDelta);
        pos += VarInt.Write(span[pos..], RecordCount);
        tail.CopyTo(span[pos..]);
        _written += size;
        if (RecordCount == _completions.Length) GrowCompletions();
        _completions[RecordCount] = completion;
        if (timestamp > MaxTimestamp) MaxTimestamp = timestamp;
        RecordCount++;
        return true;
    }

    public ref readonly RecordCompletion CompletionAt(int index) => ref _completions[index];

    /// <summary>Releases pooled memory that is not the batch buffer (the caller returns the buffer to the pool).</summary>
    public void ReleaseResources()
    {
        _compressed?.Dispose();
        _compressed = null;
        _closedBytes = default;
        var completions = _completions;
        _completions = [];
        ArrayPool<RecordCompletion>.Shared.Return(completions, clearArray: true);
    }

    public override string ToString() => $"ProducerBatch({TopicPartition}, records={RecordCount}, seq={BaseSequence})";
}
