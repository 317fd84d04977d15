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
    /// (offset out of range with auto.offset.reset none, authorization, corrupt data, fenced member).</exception>
    public ConsumeResult<TKey, TValue>? Consume(TimeSpan timeout)
    {
        var records = PollInternal(ConsumerTimer.ToMs(timeout), 1);
        return records.Count > 0 ? records[0] : null;
    }

    /// <summary>Returns the next record, waiting until one arrives or <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public ConsumeResult<TKey, TValue> Consume(CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(static s => ((KafkaConsumer<TKey, TValue>)s!).Wakeup(), this);
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var records = PollInternal(long.MaxValue / 4, 1);
                if (records.Count > 0) return records[0];
            }
        }
        catch (ConsumerWakeupException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("Consume was cancelled.", cancellationToken);
        }
    }

    /// <summary>
    /// Returns up to max.poll.records records, waiting up to <paramref name="timeout"/> for the first
    /// (Java's poll). Empty when none arrived in time.
    /// </summary>
    public ConsumerRecords<TKey, TValue> Poll(TimeSpan timeout)
    {
        var records = PollInternal(ConsumerTimer.ToMs(timeout), _config.MaxPollRecords);
        return records.Count == 0 ? ConsumerRecords<TKey, TValue>.Empty : new ConsumerRecords<TKey, TValue>(records);
    }

    /// <summary>
    /// Waits for the next record without blocking the caller's thread (the poll runs on a pool thread).
    /// Do not call other members until it completes.
    /// </summary>
    public Task<ConsumeResult<TKey, TValue>> ConsumeAsync(CancellationToken cancellationToken = default) =>
        Task.Run(() => Consume(cancellationToken), CancellationToken.None);

    /// <summary>Records as an async stream until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async IAsyncEnumerable<ConsumeResult<TKey, TValue>> ConsumeAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            ConsumerRecords<TKey, TValue> batch;
            try
            {
                batch = await Task.Run(() => PollBatchUntilCancelled(cancellationToken), CancellationToken.None).ConfigureAwait(false);
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
        using var registration = cancellationToken.Register(static s => ((KafkaConsumer<TKey, TValue>)s!).Wakeup(), this);
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var records = PollInternal(long.MaxValue / 4, _config.MaxPollRecords);
                if (records.Count > 0) return new ConsumerRecords<TKey, TValue>(records);
            }
        }
        catch (ConsumerWakeupException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    List<ConsumeResult<TKey, TValue>> PollInternal(long timeoutMs, int maxRecords)
    {
        Acquire();
        try
        {
            if (_subscriptions.HasNoSubscriptionOrUserAssignment)
                throw new InvalidOperationException("Consumer is not subscribed to any topics or assigned any partitions.");
            var timer = new ConsumerTimer(_time, timeoutMs);
            do
            {
                _client.MaybeTriggerWakeup();
                UpdateAssignmentMetadataIfNeeded(timer);
                var records = PollForFetches(timer, maxRecords);
                if (records.Count > 0)
                {
                    // Pipelining: send the next fetches before handing records over, so their responses
                    // arrive while the application works. No wakeups here: positions already moved.
                    if (_fetcher.SendFetches() > 0 || _client.HasPendingRequests()) _client.PollNoWakeup();
                    return records;
                }
            }
            while (timer.NotExpired);
            return [];
        }
        finally
        {
            Release();
        }
    }

    void UpdateAssignmentMetadataIfNeeded(ConsumerTimer timer)
    {
        if (_coordinator is not null)
        {
            if (_subscriptions.HasAutoAssignedPartitions) _coordinator.Poll(timer);
            _coordinator.RefreshCommittedOffsetsIfNeeded();
        }
        else
        {
            _subscriptions.ResetInitializingPartitions();
        }
        _offsetFetcher.ResetPositionsIfNeeded();
    }

    List<ConsumeResult<TKey, TValue>> PollForFetches(ConsumerTimer timer, int maxRecords)
    {
        var collected = Collect(maxRecords);
        if (collected.Count > 0) return collected;
        _fetcher.SendFetches();
        var pollTimeout = timer.RemainingMs;
        if (!_subscriptions.HasAllFetchPositions()) pollTimeout = Math.Min(pollTimeout, (long)_config.RetryBackoff.TotalMilliseconds);
        if (_coordinator is not null && _subscriptions.HasAutoAssignedPartitions && _subscriptions.AssignedCount == 0)
            pollTimeout = Math.Min(pollTimeout, 100);
        var pollTimer = new ConsumerTimer(_time, pollTimeout);
        _client.Poll(pollTimer, () => !_fetcher.HasAvailableFetches);
        timer.Update(pollTimer.CurrentTimeMs);
        return Collect(maxRecords);
    }

    List<ConsumeResult<TKey, TValue>> Collect(int maxRecords)
    {
        _collector.Reset();
        _fetcher.CollectFetch(maxRecords, _collector);
        return _collector.Take();
    }

    /// <summary>Deserializes records as the fetcher hands them out (their bytes are valid only during the call).</summary>
    sealed class RecordCollector(KafkaConsumer<TKey, TValue> owner) : IFetchedRecordSink
    {
        List<ConsumeResult<TKey, TValue>> _records = [];

        public int Count => _records.Count;

        public void Reset() => _records = [];

        public List<ConsumeResult<TKey, TValue>> Take()
        {
            var r = _records;
            _records = [];
            return r;
        }

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
            _records.Add(new ConsumeResult<TKey, TValue>(partition.Topic, partition.Partition, record.Offset, record.Timestamp, record.TimestampType,
                key, value, headers, leaderEpoch >= 0 ? leaderEpoch : null,
                record.IsKeyNull ? -1 : record.Key.Length, record.IsValueNull ? -1 : record.Value.Length));
        }
    }
}
