using Microsoft.Extensions.Logging;
using Samsa.Client.Metadata;
using Samsa.Client.Network;
using Samsa.Protocol;
using Samsa.Protocol.Errors;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Records;

namespace Samsa.Client.Consumer;

/// <summary>
/// Fetches records for the assigned partitions (Java's Fetcher, seed 003). At most one fetch is in
/// flight per broker; each carries the broker's fetch session (KIP-227). Responses become
/// <see cref="CompletedFetch"/>es queued as they arrive and parsed lazily when the application
/// polls, up to max.poll.records at a time. Partition errors are handled here: out of range resets
/// the position with auto.offset.reset (or fails when it is none); leadership errors refresh the
/// metadata and the next fetch resumes from the same position.
/// </summary>
internal sealed class Fetcher : IDisposable
{
    // Fetch v12 is the newest version that names topics; v13+ identifies topics by id only.
    const short MaxFetchVersion = 12;

    readonly ConsumerConfig _config;
    readonly SubscriptionState _subscriptions;
    readonly ConsumerNetworkClient _client;
    readonly ClientMetadata _metadata;
    readonly ConsumerMetrics _metrics;
    readonly ILogger _logger;
    readonly Lock _lock = new();
    readonly Dictionary<int, FetchSessionHandler> _sessions = [];
    readonly HashSet<int> _nodesWithPendingFetch = [];
    readonly Queue<CompletedFetch> _completedFetches = new();
    readonly RecordBatchReader _reader;
    CompletedFetch? _nextInLine;

    // What the last fetch planning saw (under _lock), so SendFetchesIfNeeded can skip planning when
    // nothing that decides it has changed: the subscription's fetch state, the metadata snapshot,
    // and the events below, which set _replanNeeded.
    bool _replanNeeded = true;
    int _plannedSubscriptionVersion;
    Cluster? _plannedCluster;

    public Fetcher(ConsumerConfig config, SubscriptionState subscriptions, ConsumerNetworkClient client, ClientMetadata metadata,
        ConsumerMetrics metrics, ILogger logger)
    {
        _config = config;
        _subscriptions = subscriptions;
        _client = client;
        _metadata = metadata;
        _metrics = metrics;
        _logger = logger;
        _reader = new RecordBatchReader(config.CheckCrcs);
    }

    /// <summary>True when a response is queued and not yet handed out.</summary>
    public bool HasCompletedFetches
    {
        get { lock (_lock) return _completedFetches.Count > 0; }
    }

    /// <summary>True when records are buffered for a fetchable partition.</summary>
    public bool HasAvailableFetches
    {
        get
        {
            lock (_lock)
            {
                foreach (var cf in _completedFetches)
                {
                    if (_subscriptions.IsFetchable(cf.Partition)) return true;
                }
                return _nextInLine is { IsConsumed: false } n && _subscriptions.IsFetchable(n.Partition);
            }
        }
    }

    /// <summary>
    /// <see cref="SendFetches"/>, but only when something that decides the fetches changed since the
    /// last planning: a response or failure arrived, buffered data was consumed or dropped, the
    /// subscription's fetch state or the metadata changed, or the last planning skipped a partition
    /// for a reason that passes with time. Cheap otherwise, so the consumer may call it after every
    /// record it returns. Returns -1 when skipped.
    /// </summary>
    public int SendFetchesIfNeeded()
    {
        lock (_lock)
        {
            if (!_replanNeeded && _plannedSubscriptionVersion == _subscriptions.FetchStateVersion && ReferenceEquals(_plannedCluster, _metadata.Fetch()))
                return -1;
        }
        return SendFetches();
    }

    /// <summary>Sends a fetch to every broker leading a fetchable partition that has none in flight. Returns how many were sent.</summary>
    public int SendFetches()
    {
        var requests = PrepareFetchRequests();
        foreach (var (node, data) in requests)
        {
            var isolation = (sbyte)_config.IsolationLevel;
            var cluster = _metadata.Fetch();
            var future = _client.Send<FetchRequest, FetchResponse>(node,
                version => BuildRequest(version, data, cluster, isolation), MaxFetchVersion,
                (int)(_config.RequestTimeout.TotalMilliseconds + _config.FetchMaxWait.TotalMilliseconds));
            var nodeId = node.Id;
            var sentAt = Environment.TickCount64;
            future.AddListener(
                response => OnFetchResponse(nodeId, data, response, Environment.TickCount64 - sentAt),
                error => OnFetchFailure(nodeId, error));
        }
        return requests.Count;
    }

    FetchRequest BuildRequest(short version, FetchRequestData data, Cluster cluster, sbyte isolation)
    {
        var useIds = version >= 13;
        var request = new FetchRequest
        {
            ReplicaId = -1,
            MaxWaitMs = (int)_config.FetchMaxWait.TotalMilliseconds,
            MinBytes = _config.FetchMinBytes,
            MaxBytes = version >= 3 ? _config.FetchMaxBytes : int.MaxValue,
            IsolationLevel = version >= 4 ? isolation : (sbyte)0,
            SessionId = version >= 7 ? data.Metadata.SessionId : 0,
            SessionEpoch = version >= 7 ? data.Metadata.Epoch : -1,
            RackId = version >= 11 ? _config.ClientRack : "",
        };
        var topics = new Dictionary<string, FetchRequest.FetchTopic>(StringComparer.Ordinal);
        foreach (var (tp, p) in data.ToSend)
        {
            if (!topics.TryGetValue(tp.Topic, out var topic))
            {
                topic = new FetchRequest.FetchTopic();
                if (useIds) topic.TopicId = cluster.TopicId(tp.Topic);
                else topic.Topic = tp.Topic;
                topics[tp.Topic] = topic;
                request.Topics.Add(topic);
            }
            topic.Partitions.Add(new FetchRequest.FetchPartition
            {
                Partition = tp.Partition,
                FetchOffset = p.FetchOffset,
                LogStartOffset = version >= 5 ? p.LogStartOffset : -1,
                PartitionMaxBytes = p.MaxBytes,
                CurrentLeaderEpoch = version >= 9 ? p.CurrentLeaderEpoch : -1,
                LastFetchedEpoch = version >= 12 ? p.LastFetchedEpoch : -1,
            });
        }
        if (version >= 7)
        {
            var forgotten = new Dictionary<string, FetchRequest.ForgottenTopic>(StringComparer.Ordinal);
            foreach (var tp in data.ToForget)
            {
                if (!forgotten.TryGetValue(tp.Topic, out var f))
                {
                    f = new FetchRequest.ForgottenTopic();
                    if (useIds) f.TopicId = cluster.TopicId(tp.Topic);
                    else f.Topic = tp.Topic;
                    forgotten[tp.Topic] = f;
                    request.ForgottenTopicsData.Add(f);
                }
                f.Partitions.Add(tp.Partition);
            }
        }
        return request;
    }

    List<(Node Node, FetchRequestData Data)> PrepareFetchRequests()
    {
        var cluster = _metadata.Fetch();
        var byNode = new Dictionary<int, (Node Node, List<(TopicPartition, FetchRequestPartitionData)> Partitions)>();
        HashSet<TopicPartition> buffered;
        lock (_lock)
        {
            // Read before the state it describes: a change after this point makes the next call plan again.
            _replanNeeded = false;
            _plannedSubscriptionVersion = _subscriptions.FetchStateVersion;
            _plannedCluster = cluster;
            buffered = BufferedPartitions();
        }
        foreach (var (tp, position) in _subscriptions.FetchablePartitions())
        {
            if (buffered.Contains(tp)) continue;
            var info = cluster.Partition(tp);
            var leader = info?.Leader;
            if (leader is null || leader.IsEmpty)
            {
                _metadata.RequestUpdate();
                continue;
            }
            if (_client.IsUnavailable(leader))
            {
                // Passes with time (connection back-off), which no event reports: plan again next call.
                lock (_lock) _replanNeeded = true;
                continue;
            }
            lock (_lock)
            {
                if (_nodesWithPendingFetch.Contains(leader.Id)) continue;
            }
            if (!byNode.TryGetValue(leader.Id, out var entry)) byNode[leader.Id] = entry = (leader, []);
            entry.Partitions.Add((tp, new FetchRequestPartitionData(position.Offset, -1, _config.MaxPartitionFetchBytes,
                info!.LeaderEpoch, position.LeaderEpoch ?? -1)));
        }

        var result = new List<(Node, FetchRequestData)>(byNode.Count);
        lock (_lock)
        {
            foreach (var (nodeId, (node, partitions)) in byNode)
            {
                if (AllCaughtUp(partitions) && HasBufferedRecordsFrom(nodeId))
                {
                    // The broker would park this fetch for fetch.max.wait.ms, and while it is parked the
                    // partitions now buffered could not be fetched again once consumed (one fetch per
                    // broker). Wait until they are consumed, then fetch them together with these.
                    continue;
                }
                if (!_sessions.TryGetValue(nodeId, out var session)) _sessions[nodeId] = session = new FetchSessionHandler(nodeId);
                var data = session.Build(partitions);
                _nodesWithPendingFetch.Add(nodeId);
                result.Add((node, data));
                if (_logger.IsEnabled(LogLevel.Debug))
                    _logger.LogDebug("Sending fetch for {Count} partitions ({Sent} changed, {Forgotten} forgotten) to node {Node} with session {Session}",
                        data.SessionPartitions.Count, data.ToSend.Count, data.ToForget.Count, nodeId, data.Metadata);
            }
        }
        return result;
    }

    bool AllCaughtUp(List<(TopicPartition Partition, FetchRequestPartitionData Data)> partitions)
    {
        foreach (var (tp, _) in partitions)
        {
            if (!_subscriptions.IsCaughtUp(tp, _config.IsolationLevel)) return false;
        }
        return true;
    }

    // Under _lock. Only data that can be returned now counts: paused partitions' data may stay buffered for long.
    bool HasBufferedRecordsFrom(int nodeId)
    {
        if (_nextInLine is { MayHoldRecords: true } n && n.NodeId == nodeId && _subscriptions.IsFetchable(n.Partition)) return true;
        foreach (var cf in _completedFetches)
        {
            if (cf.NodeId == nodeId && cf.MayHoldRecords && _subscriptions.IsFetchable(cf.Partition)) return true;
        }
        return false;
    }

    HashSet<TopicPartition> BufferedPartitions()
    {
        var result = new HashSet<TopicPartition>();
        if (_nextInLine is { IsConsumed: false } n) result.Add(n.Partition);
        foreach (var cf in _completedFetches) result.Add(cf.Partition);
        return result;
    }

    void OnFetchResponse(int nodeId, FetchRequestData data, ClientResponse response, long latencyMs)
    {
        var body = (FetchResponse)response.Body!;
        var cluster = _metadata.Fetch();
        var partitions = new List<(TopicPartition Tp, FetchResponse.PartitionData Data)>();
        foreach (var topic in body.Responses)
        {
            var name = response.Version >= 13 ? cluster.TopicName(topic.TopicId) : topic.Topic;
            if (name is null)
            {
                // A topic id we cannot map (deleted or recreated): refresh metadata, the next fetch is full.
                _metadata.RequestUpdate();
                continue;
            }
            foreach (var p in topic.Partitions) partitions.Add((new TopicPartition(name, p.PartitionIndex), p));
        }
        // The records are slices of the response frame: when it is pooled, the fetches made from it
        // hold it and the last one used up returns it (this method holds it while queueing them).
        var frame = response.TakeSharedPooledFrame() is { } pooled ? new FetchFrameLease(pooled) : null;
        try
        {
            QueueCompletedFetches(nodeId, data, response.Version, body, partitions, frame, latencyMs);
        }
        finally
        {
            frame?.Release();
        }
    }

    void QueueCompletedFetches(int nodeId, FetchRequestData data, short version, FetchResponse body,
        List<(TopicPartition Tp, FetchResponse.PartitionData Data)> partitions, FetchFrameLease? frame, long latencyMs)
    {
        lock (_lock)
        {
            _nodesWithPendingFetch.Remove(nodeId);
            _replanNeeded = true;
            if (!_sessions.TryGetValue(nodeId, out var session)) return;
            var keys = new List<TopicPartition>(partitions.Count);
            foreach (var (tp, _) in partitions) keys.Add(tp);
            if (!session.HandleResponse((ErrorCode)body.ErrorCode, body.SessionId, body.ThrottleTimeMs, keys, out var problem))
            {
                if (problem is not null) _logger.LogInformation("{Problem}", problem);
                if ((ErrorCode)body.ErrorCode is ErrorCode.FetchSessionTopicIdError or ErrorCode.UnknownTopicId or ErrorCode.InconsistentTopicId)
                    _metadata.RequestUpdate();
                return;
            }
            var bytes = 0L;
            foreach (var (tp, p) in partitions)
            {
                if (!data.SessionPartitions.TryGetValue(tp, out var requested)) continue;
                bytes += p.Records?.Length ?? 0;
                _completedFetches.Enqueue(new CompletedFetch(tp, requested.FetchOffset, p, version, nodeId, frame));
            }
            _metrics.RecordFetch(latencyMs, bytes);
        }
    }

    void OnFetchFailure(int nodeId, Exception error)
    {
        lock (_lock)
        {
            _nodesWithPendingFetch.Remove(nodeId);
            _replanNeeded = true;
            if (_sessions.TryGetValue(nodeId, out var session)) session.HandleError();
        }
        _logger.LogDebug(error, "Fetch from node {Node} failed", nodeId);
        _metadata.RequestUpdate();
    }

    /// <summary>
    /// Hands up to <paramref name="maxRecords"/> buffered records to <paramref name="sink"/>, advancing
    /// positions. Throws for partition errors the application must see (out of range with reset none,
    /// authorization, corrupt data) only when no records were handed out in this call.
    /// </summary>
    public int CollectFetch(int maxRecords, IFetchedRecordSink sink)
    {
        var remaining = maxRecords;
        lock (_lock)
        {
            while (remaining > 0)
            {
                if (_nextInLine is null || _nextInLine.IsConsumed)
                {
                    if (!_completedFetches.TryPeek(out var cf)) break;
                    // A partition leaves the buffered set: it may be fetched again.
                    _replanNeeded = true;
                    if (!cf.Initialized)
                    {
                        try
                        {
                            _nextInLine = InitializeCompletedFetch(cf);
                        }
                        catch when (remaining < maxRecords)
                        {
                            // Records were collected in this call: return them; the fetch stays queued and
                            // fails again, so its error surfaces on the next poll (Java).
                            break;
                        }
                        catch
                        {
                            _completedFetches.Dequeue();
                            throw;
                        }
                    }
                    else
                    {
                        _nextInLine = cf;
                    }
                    _completedFetches.Dequeue();
                }
                else
                {
                    var before = sink.Count;
                    try
                    {
                        FetchRecords(_nextInLine, remaining, sink);
                    }
                    catch (Exception e) when (sink.Count > 0)
                    {
                        // Return what we have; the position stays at the failing record, so the
                        // next fetch reaches it again and the error surfaces then (Java does the same).
                        _logger.LogDebug(e, "Deferring a fetch error for {Partition} until the records already collected are returned", _nextInLine.Partition);
                        remaining -= sink.Count - before;
                        break;
                    }
                    remaining -= sink.Count - before;
                    if (_nextInLine.IsConsumed) _replanNeeded = true;
                }
            }
        }
        return maxRecords - remaining;
    }

    int FetchRecords(CompletedFetch cf, int max, IFetchedRecordSink sink)
    {
        var tp = cf.Partition;
        switch (_subscriptions.FetchStatus(tp, out var position))
        {
            case PartitionFetchStatus.NotAssigned:
                _logger.LogDebug("Not returning fetched records for {Partition}: no longer assigned", tp);
                cf.Drain();
                return 0;
            case PartitionFetchStatus.Paused:
                // Drop the rest of a paused partition's fetch: the position stays after the last
                // record returned, so after Resume the next fetch brings the rest again. Keeping
                // it is not possible: the reader it was reading with is shared and moves on to
                // the next fetch (and its pooled frame would stay held while paused).
                _logger.LogDebug("Dropping buffered records of paused partition {Partition}; they are fetched again after Resume", tp);
                cf.Drain();
                return 0;
            case PartitionFetchStatus.NotFetchable:
                _logger.LogDebug("Not returning fetched records for {Partition}: no longer fetchable", tp);
                cf.Drain();
                return 0;
        }
        if (cf.NextFetchOffset != position.Offset)
        {
            _logger.LogDebug("Ignoring fetched records for {Partition} at offset {Offset}: position is {Position}", tp, cf.NextFetchOffset, position.Offset);
            cf.Drain();
            return 0;
        }
        var n = 0;
        try
        {
            n = cf.ReadRecords(max, _config.IsolationLevel, sink);
        }
        finally
        {
            // Also after a failure: records handed to the sink before it count as consumed.
            if (cf.NextFetchOffset > position.Offset)
                _subscriptions.UpdatePosition(tp, new FetchPosition(cf.NextFetchOffset, cf.LastEpoch ?? position.LeaderEpoch));
        }
        _metrics.RecordsConsumed(n);
        return n;
    }

    CompletedFetch? InitializeCompletedFetch(CompletedFetch cf)
    {
        var tp = cf.Partition;
        var data = cf.Data;
        var error = (ErrorCode)data.ErrorCode;
        if (!_subscriptions.IsAssigned(tp))
        {
            cf.Drain();
            return null;
        }
        var position = _subscriptions.Position(tp);
        switch (error)
        {
            case ErrorCode.None:
                if (position is null || position.Value.Offset != cf.FetchOffset || !_subscriptions.IsFetchable(tp))
                {
                    _logger.LogDebug("Discarding stale fetch response for {Partition} at offset {Offset}", tp, cf.FetchOffset);
                    cf.Drain();
                    return null;
                }
                _subscriptions.UpdateHighWatermark(tp, data.HighWatermark, data.LogStartOffset, data.LastStableOffset);
                cf.Initialize(_reader, _config.IsolationLevel);
                return cf;
            case ErrorCode.NotLeaderOrFollower or ErrorCode.ReplicaNotAvailable or ErrorCode.KafkaStorageError
                or ErrorCode.FencedLeaderEpoch or ErrorCode.OffsetNotAvailable or ErrorCode.LeaderNotAvailable
                or ErrorCode.UnknownTopicOrPartition or ErrorCode.UnknownTopicId or ErrorCode.InconsistentTopicId
                or ErrorCode.UnknownLeaderEpoch:
                // The position stays; the next fetch goes to the new leader once metadata knows it.
                _logger.LogDebug("Fetch for {Partition} failed with {Error}; refreshing metadata", tp, error);
                _metadata.RequestUpdate();
                cf.Drain();
                return null;
            case ErrorCode.OffsetOutOfRange:
                cf.Drain();
                if (position is null || position.Value.Offset != cf.FetchOffset) return null;
                if (_subscriptions.DefaultResetStrategy == AutoOffsetReset.None)
                {
                    throw new KafkaException(ErrorCode.OffsetOutOfRange,
                        $"Fetch position {cf.FetchOffset} is out of range for partition {tp} and auto.offset.reset is none " +
                        "(seek to a valid offset or set auto.offset.reset to earliest or latest).");
                }
                _logger.LogInformation("Fetch position {Offset} is out of range for {Partition}, resetting offset", cf.FetchOffset, tp);
                _subscriptions.RequestOffsetReset(tp);
                return null;
            case ErrorCode.TopicAuthorizationFailed:
                cf.Drain();
                throw new KafkaException(error, $"Not authorized to read topic '{tp.Topic}'.");
            case ErrorCode.UnknownServerError:
                _logger.LogWarning("Unknown server error while fetching {Partition} at offset {Offset}", tp, cf.FetchOffset);
                cf.Drain();
                return null;
            case ErrorCode.CorruptMessage:
                cf.Drain();
                throw new CorruptRecordException($"The broker reported corrupt data for partition {tp} at offset {cf.FetchOffset}.");
            default:
                cf.Drain();
                throw new KafkaException(error, $"Unexpected error {error} fetching partition {tp} at offset {cf.FetchOffset}.");
        }
    }

    /// <summary>Drops buffered data of partitions no longer assigned (after a rebalance or Assign).</summary>
    public void ClearBufferedDataForUnassignedPartitions()
    {
        lock (_lock)
        {
            _replanNeeded = true;
            var keep = new Queue<CompletedFetch>();
            foreach (var cf in _completedFetches)
            {
                if (_subscriptions.IsAssigned(cf.Partition)) keep.Enqueue(cf);
                else cf.Drain();
            }
            _completedFetches.Clear();
            foreach (var cf in keep) _completedFetches.Enqueue(cf);
            if (_nextInLine is not null && !_subscriptions.IsAssigned(_nextInLine.Partition))
            {
                _nextInLine.Drain();
                _nextInLine = null;
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            // Return the pooled frames still held by buffered data.
            _nextInLine?.Drain();
            _nextInLine = null;
            foreach (var cf in _completedFetches) cf.Drain();
            _completedFetches.Clear();
        }
        _reader.Dispose();
    }
}
