using System.Runtime.CompilerServices;
using Samsa.Client.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Client.Producer.Partitioners;
using Samsa.Client.Serialization;
using Samsa.Protocol;
using Samsa.Protocol.Primitives;

namespace Samsa.Client.Producer;

/// <summary>
/// Produces records to Kafka (Java's KafkaProducer). Thread-safe: share one instance between threads.
/// Records are appended to per-partition batches on the calling thread and sent by a dedicated
/// network thread (<c>samsa-producer-network-thread | client.id</c>). With the default settings the
/// producer is idempotent: retries neither duplicate nor reorder records.
/// </summary>
/// <typeparam name="TKey">Key type.</typeparam>
/// <typeparam name="TValue">Value type.</typeparam>
public sealed class KafkaProducer<TKey, TValue> : IAsyncDisposable, IDisposable
{
    [ThreadStatic]
    private static ByteBufferWriter? t_keyScratch;

    [ThreadStatic]
    private static ByteBufferWriter? t_valueScratch;

    private readonly ProducerConfig _config;
    private readonly ISerializer<TKey> _keySerializer;
    private readonly ISerializer<TValue> _valueSerializer;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly IProducerNetworkClient _client;
    private readonly RecordAccumulator _accumulator;
    private readonly Sender _sender;
    private readonly TransactionManager? _transactionManager;
    private readonly ProducerMetrics _metrics;
    private readonly IPartitioner _partitioner;
    private readonly StickyPartitionCache _sticky;
    private readonly Func<string, int, bool> _hasLeader;
    private readonly int _maxRequestSize;
    private readonly long _totalMemory;
    private readonly object _waitChainLock = new();
    private Task _waitChain = Task.CompletedTask;
    private int _closed;

    /// <summary>Creates a producer and starts its network thread.</summary>
    /// <param name="config">Settings; validated here.</param>
    /// <param name="keySerializer">Key serializer; null uses the built-in one for byte[], string, int, long.</param>
    /// <param name="valueSerializer">Value serializer; null uses the built-in one.</param>
    /// <param name="loggerFactory">Logging; null logs nothing.</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names the Kafka property.</exception>
    public KafkaProducer(ProducerConfig config, ISerializer<TKey>? keySerializer = null, ISerializer<TValue>? valueSerializer = null,
        ILoggerFactory? loggerFactory = null)
        : this(config, keySerializer, valueSerializer, loggerFactory, TimeProvider.System, null)
    {
    }

    internal KafkaProducer(ProducerConfig config, ISerializer<TKey>? keySerializer, ISerializer<TValue>? valueSerializer, ILoggerFactory? loggerFactory,
        TimeProvider time, Func<ProducerConfig, ILoggerFactory, TimeProvider, IProducerNetworkClient>? networkFactory)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        _config = config;
        _keySerializer = keySerializer ?? Serializers.GetDefault<TKey>();
        _valueSerializer = valueSerializer ?? Serializers.GetDefault<TValue>();
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger("Samsa.Client.Producer.KafkaProducer");
        _time = time;
        ClientId = config.EffectiveClientId;
        _maxRequestSize = config.MaxRequestSize;
        _totalMemory = config.BufferMemory;

        bool idempotent = config.IdempotenceEnabled;
        var pool = new BufferPool(config.BufferMemory, config.BatchSize, time);
        _transactionManager = idempotent ? new TransactionManager(loggerFactory.CreateLogger("Samsa.Client.Producer.TransactionManager")) : null;
        _accumulator = new RecordAccumulator(config.BatchSize, config.CompressionType, (long)config.Linger.TotalMilliseconds,
            (long)config.RetryBackoff.TotalMilliseconds, (long)config.RetryBackoffMax.TotalMilliseconds, (long)config.DeliveryTimeout.TotalMilliseconds,
            pool, time, _transactionManager);
        _partitioner = config.CustomPartitioner ?? config.Partitioner switch
        {
            PartitionerType.RoundRobin => new RoundRobinPartitioner(),
            PartitionerType.UniformSticky => UniformStickyPartitioner.Instance,
            _ => DefaultPartitioner.Instance,
        };
        _sticky = new StickyPartitionCache(config.BatchSize);
        _metrics = new ProducerMetrics(ClientId, () => pool.AvailableMemory);
        _client = (networkFactory ?? ProducerNetworkClient.Create)(config, loggerFactory, time);
        _hasLeader = (topic, partition) => _client.Cluster.LeaderFor(new TopicPartition(topic, partition)) >= 0;
        _sender = new Sender(_client, _accumulator, _transactionManager, _metrics, loggerFactory.CreateLogger("Samsa.Client.Producer.Sender"), time,
            guaranteeMessageOrder: config.MaxInFlightRequestsPerConnection == 1, config.MaxRequestSize, (short)config.Acks,
            config.Retries, (int)config.RequestTimeout.TotalMilliseconds, (long)config.DeliveryTimeout.TotalMilliseconds,
            (long)config.RetryBackoff.TotalMilliseconds);
        _sender.Start("samsa-producer-network-thread | " + ClientId);
        _logger.LogInformation("[Producer clientId={ClientId}] Started (idempotence {Idempotence}, acks {Acks}, compression {Compression})",
            ClientId, idempotent, config.Acks, config.CompressionType);
    }

    /// <summary>The client id (<c>client.id</c> or a generated one).</summary>
    public string ClientId { get; }

    internal RecordAccumulator Accumulator => _accumulator;

    internal Sender Sender => _sender;

    /// <summary>
    /// Produces a record and completes when the broker acknowledged it (or it failed). Waits
    /// asynchronously up to <c>max.block.ms</c> for metadata and buffer memory. The token cancels
    /// that waiting only; once the record is queued it will be sent.
    /// </summary>
    /// <exception cref="ProduceException">The record was not delivered (in the task).</exception>
    /// <exception cref="KafkaTimeoutException">Metadata or memory not available within max.block.ms (in the task).</exception>
    public Task<DeliveryResult> ProduceAsync(string topic, ProducerRecord<TKey, TValue> record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(record);
        var task = new TaskCompletionSource<DeliveryResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            int partitionCount = _client.Cluster.PartitionCount(topic);
            // Records wait in call order: once one waits for metadata or memory, later ones queue behind it
            // so that a caller's records are never reordered.
            if (partitionCount <= 0 || Volatile.Read(ref _closed) != 0 || !Volatile.Read(ref _waitChain).IsCompleted)
                return ProduceChainedAsync(topic, record, task, null, cancellationToken);
            if (!TryProduceNoWait(topic, record, partitionCount, task, null, out var pending))
                return ProduceChainedAsync(topic, record, task, pending, cancellationToken);
        }
        catch (Exception e)
        {
            return Task.FromException<DeliveryResult>(e);
        }
        return task.Task;
    }

    /// <summary>Produces a record with a key and a value (see <see cref="ProduceAsync(string, ProducerRecord{TKey, TValue}, CancellationToken)"/>).</summary>
    public Task<DeliveryResult> ProduceAsync(string topic, TKey key, TValue value, CancellationToken cancellationToken = default) =>
        ProduceAsync(topic, new ProducerRecord<TKey, TValue>(key, value), cancellationToken);

    /// <summary>
    /// Produces a record without allocating a Task: <paramref name="handler"/> (if any) is called on the
    /// network thread when the record is acknowledged or failed. Blocks the calling thread up to
    /// <c>max.block.ms</c> when metadata or buffer memory is not available.
    /// </summary>
    /// <exception cref="KafkaTimeoutException">Metadata or memory not available within max.block.ms.</exception>
    /// <exception cref="ProduceException">The record is larger than max.request.size or buffer.memory.</exception>
    /// <exception cref="ObjectDisposedException">The producer is closed.</exception>
    public void Produce(string topic, ProducerRecord<TKey, TValue> record, IDeliveryHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(record);
        ThrowIfClosed();
        int partitionCount = _client.Cluster.PartitionCount(topic);
        if (partitionCount <= 0)
            partitionCount = WaitOnMetadataAsync(topic, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        if (!TryProduceNoWait(topic, record, partitionCount, null, handler, out var pending))
        {
            var status = _accumulator.Append(pending.TopicPartition, pending.Timestamp, pending.Key.Span, pending.KeyIsNull, pending.Value.Span,
                pending.ValueIsNull, pending.Headers, null, handler, _config.MaxBlock);
            AfterAppend(pending.TopicPartition, pending.UsedSticky, pending.Size, partitionCount, status);
        }
    }

    private async Task<DeliveryResult> ProduceChainedAsync(string topic, ProducerRecord<TKey, TValue> record, TaskCompletionSource<DeliveryResult> task,
        PendingRecord? pending, CancellationToken cancellationToken)
    {
        var myTurnDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task previous;
        lock (_waitChainLock)
        {
            previous = _waitChain;
            _waitChain = myTurnDone.Task;
        }
        try
        {
            await previous.ConfigureAwait(false);
            ThrowIfClosed();
            if (pending is null)
            {
                int partitionCount = _client.Cluster.PartitionCount(topic);
                if (partitionCount <= 0)
                    partitionCount = await WaitOnMetadataAsync(topic, cancellationToken).ConfigureAwait(false);
                if (!TryProduceNoWait(topic, record, partitionCount, task, null, out var p))
                    pending = p;
            }
            if (pending is { } r)
            {
                var status = await _accumulator.AppendAsync(r.TopicPartition, r.Timestamp, r.Key, r.KeyIsNull, r.Value, r.ValueIsNull,
                    r.Headers, task, null, _config.MaxBlock, cancellationToken).ConfigureAwait(false);
                AfterAppend(r.TopicPartition, r.UsedSticky, r.Size, r.PartitionCount, status);
            }
        }
        finally
        {
            // The next record's turn comes once this one is appended, never after its delivery: awaiting
            // the delivery in here held every later record back by a whole linger plus a round trip, so
            // once a wait started the producer sent one record per request for as long as records kept coming.
            myTurnDone.TrySetResult();
        }
        return await task.Task.ConfigureAwait(false);
    }

    /// <summary>A record serialized but not appended because a new batch has to wait for memory.</summary>
    private readonly record struct PendingRecord(TopicPartition TopicPartition, long Timestamp, ReadOnlyMemory<byte> Key, bool KeyIsNull,
        ReadOnlyMemory<byte> Value, bool ValueIsNull, Headers? Headers, bool UsedSticky, int Size, int PartitionCount);

    // The hot path: serialize into thread-local scratch buffers (byte[] is used as it is), pick the
    // partition, append under the partition lock. Nothing here allocates for byte[] keys and values.
    // Per-record hot path: compiled optimized at once, not after a tier-0 warm-up (see docs/performance.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryProduceNoWait(string topic, ProducerRecord<TKey, TValue> record, int partitionCount, TaskCompletionSource<DeliveryResult>? task,
        IDeliveryHandler? handler, out PendingRecord pending)
    {
        var fatal = _transactionManager?.FatalError;
        if (fatal is not null)
            throw new ProduceException(new DeliveryResult(topic, -1, -1, default), "The producer hit a fatal idempotence error and cannot send: " + fatal.Message, fatal);

        bool keyIsNull = record.Key is null;
        bool valueIsNull = record.Value is null;
        ReadOnlySpan<byte> key = default, value = default;
        byte[]? keyArray = null, valueArray = null;
        if (!keyIsNull)
        {
            if (record.Key is byte[] kb) keyArray = kb;
            else
            {
                var w = t_keyScratch ??= new ByteBufferWriter(256);
                w.Reset();
                _keySerializer.Serialize(record.Key, w, new SerializationContext(topic, MessageComponentType.Key));
                key = w.WrittenSpan;
            }
        }
        if (!valueIsNull)
        {
            if (record.Value is byte[] vb) valueArray = vb;
            else
            {
                var w = t_valueScratch ??= new ByteBufferWriter(1024);
                w.Reset();
                _valueSerializer.Serialize(record.Value, w, new SerializationContext(topic, MessageComponentType.Value));
                value = w.WrittenSpan;
            }
        }
        if (keyArray is not null) key = keyArray;
        if (valueArray is not null) value = valueArray;

        int size = ProducerBatch.EstimateSizeUpperBound(key.Length, value.Length, record.Headers);
        EnsureValidRecordSize(topic, size);

        int partition;
        bool usedSticky = false;
        if (record.Partition is { } explicitPartition)
        {
            if (explicitPartition < 0 || explicitPartition >= partitionCount)
                throw new ArgumentOutOfRangeException(nameof(record), $"Invalid partition given with record: {explicitPartition} is not in the range [0...{partitionCount - 1}] of topic {topic}.");
            partition = explicitPartition;
        }
        else
        {
            partition = _partitioner.Partition(topic, key, keyIsNull, partitionCount);
            if (partition < 0)
            {
                partition = _sticky.Partition(topic, partitionCount, _hasLeader);
                usedSticky = true;
            }
            else if (partition >= partitionCount)
            {
                throw new InvalidOperationException($"The partitioner returned partition {partition} for topic {topic}, which has {partitionCount} partitions.");
            }
        }

        var tp = new TopicPartition(topic, partition);
        long timestamp = record.Timestamp?.ToUnixTimeMilliseconds() ?? _time.GetUtcNow().ToUnixTimeMilliseconds();
        var status = _accumulator.TryAppend(tp, timestamp, key, keyIsNull, value, valueIsNull, record.Headers, task, handler);
        if (status == RecordAccumulator.AppendStatus.NeedsMemory)
        {
            // Copy out of the thread-local scratch buffers: the wait may resume on another thread.
            pending = new PendingRecord(tp, timestamp, keyArray ?? (keyIsNull ? default : key.ToArray()), keyIsNull,
                valueArray ?? (valueIsNull ? default : value.ToArray()), valueIsNull, record.Headers, usedSticky, size, partitionCount);
            return false;
        }
        AfterAppend(tp, usedSticky, size, partitionCount, status);
        pending = default;
        return true;
    }

    private void AfterAppend(TopicPartition tp, bool usedSticky, int size, int partitionCount, RecordAccumulator.AppendStatus status)
    {
        if (usedSticky) _sticky.OnAppended(tp.Topic, tp.Partition, size, partitionCount, _hasLeader);
        if (status == RecordAccumulator.AppendStatus.AppendedWakeSender) _sender.Wakeup();
    }

    private void EnsureValidRecordSize(string topic, int size)
    {
        if (size > _maxRequestSize)
        {
            throw new ProduceException(new DeliveryResult(topic, -1, -1, default), ErrorCode.MessageTooLarge,
                $"The message is {size} bytes when serialized which is larger than {_maxRequestSize}, which is the value of the max.request.size configuration.");
        }
        if (size > _totalMemory)
        {
            throw new ProduceException(new DeliveryResult(topic, -1, -1, default), ErrorCode.MessageTooLarge,
                $"The message is {size} bytes when serialized which is larger than the total memory buffer you have configured with the buffer.memory configuration ({_totalMemory}).");
        }
    }

    // Java's waitOnMetadata: ask for the topic and wait (up to max.block.ms) until its partitions are known.
    private async ValueTask<int> WaitOnMetadataAsync(string topic, CancellationToken cancellationToken)
    {
        long start = _time.GetTimestamp();
        _client.AddTopic(topic);
        while (true)
        {
            var changed = _sender.MetadataChanged();
            int count = _client.Cluster.PartitionCount(topic);
            if (count > 0) return count;
            ThrowIfClosed();
            var remaining = _config.MaxBlock - _time.GetElapsedTime(start);
            if (remaining <= TimeSpan.Zero)
                throw new KafkaTimeoutException($"Topic {topic} not present in metadata after {_config.MaxBlock.TotalMilliseconds:0} ms (max.block.ms).");
            _client.RequestMetadataUpdate();
            _sender.Wakeup();
            try
            {
                await changed.WaitAsync(remaining, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new KafkaTimeoutException($"Topic {topic} not present in metadata after {_config.MaxBlock.TotalMilliseconds:0} ms (max.block.ms).");
            }
        }
    }

    /// <summary>Sends everything buffered now and waits until it is acknowledged or failed.</summary>
    public void Flush(CancellationToken cancellationToken = default) => FlushAsync(cancellationToken).GetAwaiter().GetResult();

    /// <summary>Sends everything buffered now (ignoring linger.ms) and completes when all of it is acknowledged or failed.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        _accumulator.BeginFlush();
        try
        {
            _sender.Wakeup();
            var tasks = _accumulator.IncompleteBatchTasks();
            if (tasks.Count > 0)
                await Task.WhenAll(tasks).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _accumulator.EndFlush();
        }
    }

    /// <summary>
    /// Closes the producer: sends what is buffered and waits up to <paramref name="timeout"/>; then (or
    /// at once for <see cref="TimeSpan.Zero"/>) fails whatever is left with a <see cref="ProduceException"/>.
    /// </summary>
    public void Close(TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            _sender.Join(Timeout.InfiniteTimeSpan);
            return;
        }
        _logger.LogInformation("[Producer clientId={ClientId}] Closing the producer with timeout {Timeout} ms", ClientId, timeout.TotalMilliseconds);
        if (timeout > TimeSpan.Zero)
        {
            _sender.InitiateClose();
            if (!_sender.Join(timeout))
            {
                _logger.LogInformation("[Producer clientId={ClientId}] Records not sent within the close timeout are failed", ClientId);
                _sender.ForceClose();
                _sender.Join(Timeout.InfiniteTimeSpan);
            }
        }
        else
        {
            _sender.ForceClose();
            _sender.Join(Timeout.InfiniteTimeSpan);
        }
        _metrics.Dispose();
    }

    /// <summary>Closes within <see cref="ProducerConfig.CloseTimeout"/>, sending what is buffered.</summary>
    public void Dispose() => Close(_config.CloseTimeout);

    /// <summary>Closes within <see cref="ProducerConfig.CloseTimeout"/> without blocking the caller's thread.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _closed) != 0) return;
        await Task.Factory.StartNew(() => Close(_config.CloseTimeout), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            .ConfigureAwait(false);
    }

    private void ThrowIfClosed()
    {
        if (Volatile.Read(ref _closed) != 0 || _accumulator.IsClosed)
            throw new ObjectDisposedException(nameof(KafkaProducer<TKey, TValue>), "Cannot perform operation after producer has been closed.");
    }
}
