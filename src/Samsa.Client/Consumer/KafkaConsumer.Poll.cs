using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Samsa.Client.Producer;
using Samsa.Client.Serialization;
using Samsa.Protocol.Records;
using Samsa.Client.Metadata;

namespace Samsa.Client.Consumer;

public sealed partial class KafkaConsumer<TKey, TValue>
{
    /// <summary>
    /// Returns the next record, waiting up to <paramref name="timeout"/>; null when none arrived in time.
    /// Drives the group (joins, heartbeat checks, rebalance callbacks, auto-commit) as Java's poll does.
    /// </summary>
    /// <exception cref="ConsumerWakeupException"><see cref="Wakeup"/> was called.</exception>
    /// <exception cref="Samsa.Protocol.Errors.KafkaException">A partition error the application must see
    /// (offset out of range with auto.offset.reset none, authorization, corrupt data, fenced member), or
    /// the failure of a rebalance callback, thrown once after the rebalance step completed.</exception>
    public ConsumeResult<TKey, TValue>? Consume(TimeSpan timeout)
    {
        var timeoutMs = ConsumerTimer.ToMs(timeout);
        Acquire();
        try
        {
            return PollInternal(timeoutMs, 1, _single, CancellationToken.None) > 0 ? TakeSingle() : null;
        }
        finally
        {
            Release();
        }
    }

    /// <summary>Returns the next record, waiting until one arrives or <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public ConsumeResult<TKey, TValue> Consume(CancellationToken cancellationToken)
    {
        Acquire();
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            // A buffered record is returned without registering with the token: most calls end here.
            if (PollInternal(0, 1, _single, CancellationToken.None) > 0) return TakeSingle();
            while (true)
            {
                if (PollInternal(long.MaxValue / 4, 1, _single, cancellationToken) > 0) return TakeSingle();
            }
        }
        finally
        {
            Release();
        }
    }

    /// <summary>
    /// Returns up to max.poll.records records, waiting up to <paramref name="timeout"/> for the first
    /// (Java's poll). Empty when none arrived in time.
    /// </summary>
    public ConsumerRecords<TKey, TValue> Poll(TimeSpan timeout)
    {
        var timeoutMs = ConsumerTimer.ToMs(timeout);
        Acquire();
        try
        {
            return PollInternal(timeoutMs, _config.MaxPollRecords, _batch, CancellationToken.None) > 0 ? TakeBatch() : ConsumerRecords<TKey, TValue>.Empty;
        }
        finally
        {
            Release();
        }
    }

    /// <summary>
    /// Waits for the next record without blocking the caller's thread (the poll runs on a pool thread).
    /// Do not call other members until it completes.
    /// </summary>
    public Task<ConsumeResult<TKey, TValue>> ConsumeAsync(CancellationToken cancellationToken = default) =>
        Task.Run(() => Consume(cancellationToken), cancellationToken);

    /// <summary>Records as an async stream until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async IAsyncEnumerable<ConsumeResult<TKey, TValue>> ConsumeAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            ConsumerRecords<TKey, TValue> batch;
            try
            {
                batch = await Task.Run(() => PollBatchUntilCancelled(cancellationToken), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                yield break;
            }
            foreach (var r in batch) yield return r;
        }
    }

    ConsumerRecords<TKey, TValue> PollBatchUntilCancelled(CancellationToken cancellationToken)
    {
        Acquire();
        try
        {
            while (true)
            {
                if (PollInternal(long.MaxValue / 4, _config.MaxPollRecords, _batch, cancellationToken) > 0) return TakeBatch();
            }
        }
        finally
        {
            Release();
        }
    }

    ConsumeResult<TKey, TValue> TakeSingle()
    {
        var r = _single[0];
        _single.Clear();
        return r;
    }

    ConsumerRecords<TKey, TValue> TakeBatch()
    {
        // The application keeps the list: copy the reused one into an exactly sized list.
        var records = new List<ConsumeResult<TKey, TValue>>(_batch.Count);
        records.AddRange(_batch);
        _batch.Clear();
        return new ConsumerRecords<TKey, TValue>(records);
    }

    /// <summary>
    /// One Consume/Poll: collects up to <paramref name="maxRecords"/> into <paramref name="target"/>
    /// (empty on entry), waiting up to <paramref name="timeoutMs"/>. Cancelling
    /// <paramref name="cancellationToken"/> interrupts a wait with <see cref="OperationCanceledException"/>
    /// (its own kind of wakeup: unlike <see cref="Wakeup"/>, it leaves nothing behind for a later call).
    /// </summary>
    int PollInternal(long timeoutMs, int maxRecords, List<ConsumeResult<TKey, TValue>> target, CancellationToken cancellationToken)
    {
        if (_subscriptions.HasNoSubscriptionOrUserAssignment)
            throw new InvalidOperationException("Consumer is not subscribed to any topics or assigned any partitions.");
        // Nested calls (from a rebalance callback) get their own timer; the usual call reuses one.
        var timer = _refCount == 1 ? _callTimer.Restart(timeoutMs) : new ConsumerTimer(_time, timeoutMs);
        var registration = default(CancellationTokenRegistration);
        if (cancellationToken.CanBeCanceled)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _client.Cancellation = cancellationToken;
            if (_coordinatorClient is not null) _coordinatorClient.Cancellation = cancellationToken;
            registration = cancellationToken.UnsafeRegister(static s => ((KafkaConsumer<TKey, TValue>)s!).InterruptForCancellation(), this);
        }
        try
        {
            target.Clear();
            _collector.Target = target;
            do
            {
                _client.MaybeTriggerWakeup();
                UpdateAssignmentMetadataIfNeeded(timer);
                if (PollForFetches(timer, maxRecords) > 0)
                {
                    // Pipelining: send the next fetches before handing records over, so their responses
                    // arrive while the application works. No wakeups here: positions already moved.
                    // Skipped, with the network poll, when nothing changed since the last planning:
                    // with Consume() that is most calls.
                    var sent = _fetcher.SendFetchesIfNeeded();
                    if (sent > 0 || (sent == 0 && _client.HasPendingRequests())) _client.PollNoWakeup();
                    return target.Count;
                }
            }
            while (timer.NotExpired);
            return 0;
        }
        finally
        {
            if (cancellationToken.CanBeCanceled)
            {
                registration.Dispose();
                _client.Cancellation = default;
                if (_coordinatorClient is not null) _coordinatorClient.Cancellation = default;
            }
        }
    }

    void InterruptForCancellation()
    {
        _networkClient.Wakeup();
        _coordinatorNetworkClient?.Wakeup();
    }

    void UpdateAssignmentMetadataIfNeeded(ConsumerTimer timer)
    {
        if (_coordinator is not null)
        {
            // Also with manual assignment (Java does the same): auto-commit and the coordinator
            // lookup for committed offsets run from here; without a subscription nothing joins.
            _coordinator.Poll(timer);
            _coordinator.RefreshCommittedOffsetsIfNeeded();
        }
        // Once every partition has a position nothing needs resetting until the fetch state changes
        // again (a reset request, a new assignment), so the per-partition scans are skipped.
        var version = _subscriptions.FetchStateVersion;
        if (version == _positionsValidAtVersion) return;
        if (_coordinator is null) _subscriptions.ResetInitializingPartitions();
        _offsetFetcher.ResetPositionsIfNeeded();
        if (_subscriptions.HasAllFetchPositions()) _positionsValidAtVersion = version;
    }

    int PollForFetches(ConsumerTimer timer, int maxRecords)
    {
        var collected = _fetcher.CollectFetch(maxRecords, _collector);
        if (collected > 0) return collected;
        _fetcher.SendFetches();
        var pollTimeout = timer.RemainingMs;
        if (!_subscriptions.HasAllFetchPositions()) pollTimeout = Math.Min(pollTimeout, (long)_config.RetryBackoff.TotalMilliseconds);
        if (_coordinator is not null && _subscriptions.HasAutoAssignedPartitions && _subscriptions.AssignedCount == 0)
            pollTimeout = Math.Min(pollTimeout, 100);
        var pollTimer = new ConsumerTimer(_time, pollTimeout);
        _client.Poll(pollTimer, _noFetchesAvailable);
        timer.Update(pollTimer.CurrentTimeMs);
        return _fetcher.CollectFetch(maxRecords, _collector);
    }

    /// <summary>Deserializes records as the fetcher hands them out (their bytes are valid only during the call).</summary>
    sealed class RecordCollector(KafkaConsumer<TKey, TValue> owner) : IFetchedRecordSink
    {
        /// <summary>Where records go in the current call (the consumer's reused single or batch list).</summary>
        public List<ConsumeResult<TKey, TValue>> Target { get; set; } = [];

        public int Count => Target.Count;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Add(TopicPartition partition, in Record record, int leaderEpoch)
        {
            TKey key;
            TValue value;
            try
            {
                key = owner._keyDeserializer.Deserialize(record.Key.Span, record.IsKeyNull, new SerializationContext(partition.Topic, MessageComponentType.Key));
                value = owner._valueDeserializer.Deserialize(record.Value.Span, record.IsValueNull, new SerializationContext(partition.Topic, MessageComponentType.Value));
            }
            catch (Exception e)
            {
                throw new RecordDeserializationException(partition, record.Offset,
                    $"Error deserializing the record of {partition} at offset {record.Offset}: {e.Message} (seek past it to skip).", e);
            }
            Headers? headers = null;
            if (record.Headers.Count > 0)
            {
                headers = new Headers();
                foreach (var h in record.Headers) headers.Add(h.Key, h.IsValueNull ? null : h.Value.ToArray());
            }
            Target.Add(new ConsumeResult<TKey, TValue>(partition.Topic, partition.Partition, record.Offset, record.Timestamp, record.TimestampType,
                key, value, headers, leaderEpoch >= 0 ? leaderEpoch : null,
                record.IsKeyNull ? -1 : record.Key.Length, record.IsValueNull ? -1 : record.Value.Length));
        }
    }
}
