using Microsoft.Extensions.Logging;
using Samsa.Client.Consumer.Groups;
using Samsa.Protocol;
using Samsa.Protocol.Errors;
using Samsa.Client.Metadata;

namespace Samsa.Client.Consumer;

public sealed partial class KafkaConsumer<TKey, TValue>
{
    ConsumerTimer ApiTimer(TimeSpan? timeout) =>
        new(_time, ConsumerTimer.ToMs(timeout ?? _config.DefaultApiTimeout));

    ConsumerCoordinator RequireCoordinator(string what) =>
        _coordinator ?? throw new InvalidOperationException($"{what} requires group.id to be set.");

    /// <summary>Commits the positions of all assigned partitions and waits (Java's commitSync).</summary>
    /// <exception cref="CommitFailedException">The group rebalanced; the partitions may belong to another member.</exception>
    public void Commit(TimeSpan? timeout = null)
    {
        Acquire();
        try
        {
            RequireCoordinator("Commit").CommitOffsetsSync(_subscriptions.AllConsumed(), ApiTimer(timeout));
        }
        finally
        {
            Release();
        }
    }

    /// <summary>Commits the given offsets (each the next offset to read) and waits.</summary>
    public void Commit(IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> offsets, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        Acquire();
        try
        {
            RequireCoordinator("Commit").CommitOffsetsSync(offsets, ApiTimer(timeout));
        }
        finally
        {
            Release();
        }
    }

    /// <summary>Commits the offset after <paramref name="result"/> and waits.</summary>
    public void Commit(ConsumeResult<TKey, TValue> result, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        Commit(new Dictionary<TopicPartition, OffsetAndMetadata> { [result.TopicPartition] = new(result.Offset + 1, null, result.LeaderEpoch) }, timeout);
    }

    /// <summary>
    /// Commits the positions of all assigned partitions without blocking. The task completes when the
    /// coordinator answered; the request is sent and answered as later polls (or the heartbeat thread) do I/O.
    /// </summary>
    public Task CommitAsync(CancellationToken cancellationToken = default)
    {
        Acquire();
        try
        {
            return RequireCoordinator("CommitAsync").CommitOffsetsTask(_subscriptions.AllConsumed(), cancellationToken);
        }
        finally
        {
            Release();
        }
    }

    /// <summary>Commits the given offsets without blocking.</summary>
    public Task CommitAsync(IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> offsets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        Acquire();
        try
        {
            return RequireCoordinator("CommitAsync").CommitOffsetsTask(offsets, cancellationToken);
        }
        finally
        {
            Release();
        }
    }

    /// <summary>The last committed offsets of the group for <paramref name="partitions"/> (null where none).</summary>
    public IReadOnlyDictionary<TopicPartition, OffsetAndMetadata?> Committed(IEnumerable<TopicPartition> partitions, TimeSpan? timeout = null)
    {
        Acquire();
        try
        {
            var list = partitions.ToList();
            return RequireCoordinator("Committed").FetchCommittedOffsets(list, ApiTimer(timeout))
                ?? throw new KafkaException(ErrorCode.RequestTimedOut, $"Timed out fetching committed offsets of {string.Join(", ", list)}.");
        }
        finally
        {
            Release();
        }
    }

    /// <summary>
    /// The offset of the next record that will be returned for <paramref name="partition"/>; waits for
    /// the committed offset or a reset when the position is not known yet.
    /// </summary>
    public long Position(TopicPartition partition, TimeSpan? timeout = null)
    {
        Acquire();
        try
        {
            if (!_subscriptions.IsAssigned(partition))
                throw new InvalidOperationException($"You can only check the position for partitions assigned to this consumer ({partition} is not).");
            var timer = ApiTimer(timeout);
            while (true)
            {
                if (_subscriptions.Position(partition) is { } p && _subscriptions.ResetStrategy(partition) is null) return p.Offset;
                UpdateAssignmentMetadataIfNeeded(timer);
                if (_subscriptions.Position(partition) is { } q && _subscriptions.ResetStrategy(partition) is null) return q.Offset;
                if (timer.IsExpired)
                    throw new KafkaException(ErrorCode.RequestTimedOut, $"Timed out determining the position of {partition}.");
                _client.Poll(new ConsumerTimer(_time, Math.Min(timer.RemainingMs, 50)), null);
                timer.Update();
            }
        }
        finally
        {
            Release();
        }
    }

    /// <summary>
    /// How many records <paramref name="partition"/> is behind the end of its log (Java's
    /// currentLag): the high watermark (the last stable offset under read_committed) from the last
    /// fetch or end-offset response, minus the position. Never blocks: while the end offset is unknown
    /// it returns null and queues one ListOffsets for it (sent by the next poll), so a later call
    /// returns the lag; null also while the position is unknown. Use <see cref="EndOffsets"/> for an
    /// answer that waits for the broker.
    /// </summary>
    /// <exception cref="InvalidOperationException">The partition is not assigned to this consumer.</exception>
    public long? CurrentLag(TopicPartition partition)
    {
        Acquire();
        try
        {
            if (!_subscriptions.IsAssigned(partition))
                throw new InvalidOperationException($"You can only check the lag for partitions assigned to this consumer ({partition} is not).");
            if (_subscriptions.PartitionLag(partition, _config.IsolationLevel) is { } lag) return lag;
            if (_subscriptions.TryRequestPartitionEndOffset(partition, _config.IsolationLevel))
            {
                _logger.LogInformation("Requesting the log end offset for {Partition} in order to compute lag", partition);
                _offsetFetcher.RequestEndOffset(partition);
            }
            return null;
        }
        finally
        {
            Release();
        }
    }

    /// <summary>Makes the next fetch of <paramref name="partition"/> start at <paramref name="offset"/>.</summary>
    public void Seek(TopicPartition partition, long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        Acquire();
        try
        {
            _logger.LogInformation("Seeking to offset {Offset} for partition {Partition}", offset, partition);
            _subscriptions.Seek(partition, new FetchPosition(offset, null));
        }
        finally
        {
            Release();
        }
    }

    /// <summary>Seeks to the first available offset (resolved lazily on the next poll or Position).</summary>
    public void SeekToBeginning(IEnumerable<TopicPartition> partitions) => SeekToStrategy(partitions, AutoOffsetReset.Earliest);

    /// <summary>Seeks to the log end offset (resolved lazily on the next poll or Position).</summary>
    public void SeekToEnd(IEnumerable<TopicPartition> partitions) => SeekToStrategy(partitions, AutoOffsetReset.Latest);

    void SeekToStrategy(IEnumerable<TopicPartition> partitions, AutoOffsetReset strategy)
    {
        Acquire();
        try
        {
            var list = partitions.ToList();
            if (list.Count == 0) list = _subscriptions.AssignedPartitions();
            foreach (var tp in list) _subscriptions.RequestOffsetReset(tp, strategy);
        }
        finally
        {
            Release();
        }
    }

    /// <summary>For each partition, the first offset whose timestamp is at least the given one (null when there is none).</summary>
    public IReadOnlyDictionary<TopicPartition, OffsetAndTimestamp?> OffsetsForTimes(IReadOnlyDictionary<TopicPartition, long> timestamps, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(timestamps);
        foreach (var (tp, ts) in timestamps)
        {
            if (ts < 0) throw new ArgumentException($"The target time for partition {tp} is {ts}; it must not be negative.", nameof(timestamps));
        }
        Acquire();
        try
        {
            return _offsetFetcher.FetchOffsetsByTimes(timestamps, ApiTimer(timeout));
        }
        finally
        {
            Release();
        }
    }

    /// <summary>The first offset of each partition.</summary>
    public IReadOnlyDictionary<TopicPartition, long> BeginningOffsets(IEnumerable<TopicPartition> partitions, TimeSpan? timeout = null) =>
        ListOffsets(partitions, OffsetFetcher.EarliestTimestamp, timeout);

    /// <summary>The log end offset of each partition (the last stable offset with read_committed).</summary>
    public IReadOnlyDictionary<TopicPartition, long> EndOffsets(IEnumerable<TopicPartition> partitions, TimeSpan? timeout = null) =>
        ListOffsets(partitions, OffsetFetcher.LatestTimestamp, timeout);

    Dictionary<TopicPartition, long> ListOffsets(IEnumerable<TopicPartition> partitions, long timestamp, TimeSpan? timeout)
    {
        Acquire();
        try
        {
            var request = new Dictionary<TopicPartition, long>();
            foreach (var tp in partitions) request[tp] = timestamp;
            var result = new Dictionary<TopicPartition, long>();
            foreach (var (tp, o) in _offsetFetcher.FetchOffsetsByTimes(request, ApiTimer(timeout))) result[tp] = o?.Offset ?? -1;
            return result;
        }
        finally
        {
            Release();
        }
    }

    /// <summary>Stops fetching from the partitions; positions and assignment stay. No rebalance happens.</summary>
    public void Pause(IEnumerable<TopicPartition> partitions)
    {
        Acquire();
        try
        {
            foreach (var tp in partitions) _subscriptions.Pause(tp);
        }
        finally
        {
            Release();
        }
    }

    /// <summary>Resumes fetching paused partitions.</summary>
    public void Resume(IEnumerable<TopicPartition> partitions)
    {
        Acquire();
        try
        {
            foreach (var tp in partitions) _subscriptions.Resume(tp);
        }
        finally
        {
            Release();
        }
    }

    /// <summary>The paused partitions.</summary>
    public IReadOnlyCollection<TopicPartition> Paused()
    {
        Acquire();
        try
        {
            return _subscriptions.PausedPartitions();
        }
        finally
        {
            Release();
        }
    }

    /// <summary>
    /// Closes the consumer: commits positions when enable.auto.commit is on, revokes partitions and
    /// leaves the group (dynamic members), then closes connections. Waits up to <paramref name="timeout"/>
    /// (default 30 s) for the commit and LeaveGroup.
    /// </summary>
    public void Close(TimeSpan? timeout = null)
    {
        if (_closed) return;
        Acquire();
        try
        {
            var timer = new ConsumerTimer(_time, ConsumerTimer.ToMs(timeout ?? TimeSpan.FromSeconds(30)));
            _client.DisableWakeups();
            try
            {
                _coordinator?.Close(timer);
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "Error closing the group coordinator");
            }
            _closed = true;
            _client.Dispose();
            _coordinatorClient?.Dispose();
            _fetcher.Dispose();
            _networkClient.Dispose();
            _coordinatorNetworkClient?.Dispose();
            _metrics.Dispose();
            _logger.LogInformation("Consumer {ClientId} closed", _config.ClientId);
        }
        finally
        {
            Release();
        }
    }

    /// <summary>Same as <see cref="Close"/> with the default timeout.</summary>
    public void Dispose() => Close();
}
