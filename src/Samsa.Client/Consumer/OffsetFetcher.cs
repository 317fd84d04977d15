using Microsoft.Extensions.Logging;
using Samsa.Client.Metadata;
using Samsa.Client.Network;
using Samsa.Protocol;
using Samsa.Protocol.Errors;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Consumer;

/// <summary>
/// ListOffsets for the consumer (Java's OffsetFetcher): resets positions asynchronously with
/// auto.offset.reset (earliest = -2, latest = -1) and answers OffsetsForTimes, beginning and end offsets.
/// </summary>
internal sealed class OffsetFetcher
{
    public const long EarliestTimestamp = -2;
    public const long LatestTimestamp = -1;
    const short MaxListOffsetsVersion = 7;

    readonly ConsumerConfig _config;
    readonly SubscriptionState _subscriptions;
    readonly ConsumerNetworkClient _client;
    readonly ClientMetadata _metadata;
    readonly ILogger _logger;
    readonly TimeProvider _time;

    public OffsetFetcher(ConsumerConfig config, SubscriptionState subscriptions, ConsumerNetworkClient client, ClientMetadata metadata, ILogger logger, TimeProvider time)
    {
        _config = config;
        _subscriptions = subscriptions;
        _client = client;
        _metadata = metadata;
        _logger = logger;
        _time = time;
    }

    long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Sends ListOffsets for partitions awaiting a reset (non-blocking).</summary>
    public void ResetPositionsIfNeeded()
    {
        var toReset = _subscriptions.TakePartitionsToReset(NowMs);
        if (toReset.Count == 0) return;
        var requests = new Dictionary<TopicPartition, long>();
        var strategies = new Dictionary<TopicPartition, AutoOffsetReset>();
        foreach (var (tp, strategy) in toReset)
        {
            if (strategy == AutoOffsetReset.None)
            {
                _subscriptions.RequestFailedReset(tp, long.MaxValue);
                throw new KafkaException(ErrorCode.OffsetOutOfRange,
                    $"No committed offset for partition {tp} and auto.offset.reset is none (seek to an offset or set auto.offset.reset to earliest or latest).");
            }
            requests[tp] = strategy == AutoOffsetReset.Earliest ? EarliestTimestamp : LatestTimestamp;
            strategies[tp] = strategy;
        }
        var groups = GroupByLeader(requests, out var leaderless);
        foreach (var (node, partitions) in groups)
        {
            var future = SendListOffsets(node, partitions);
            future.AddListener(r =>
            {
                var result = Parse(r, partitions.Keys, out var retry, out var fatal);
                foreach (var (tp, o) in result)
                {
                    _subscriptions.MaybeSeekUnvalidated(tp, new FetchPosition(o.Offset, o.LeaderEpoch), strategies[tp]);
                    _logger.LogInformation("Resetting offset for {Partition} to position {Offset}", tp, o.Offset);
                }
                foreach (var tp in retry) _subscriptions.RequestFailedReset(tp, NowMs + (long)_config.RetryBackoff.TotalMilliseconds);
                if (retry.Count > 0) _metadata.RequestUpdate();
                if (fatal is not null) _logger.LogError(fatal, "Resetting offsets failed");
            }, e =>
            {
                foreach (var tp in partitions.Keys) _subscriptions.RequestFailedReset(tp, NowMs + (long)_config.RetryBackoff.TotalMilliseconds);
                _metadata.RequestUpdate();
            });
        }
        foreach (var tp in leaderless) _subscriptions.RequestFailedReset(tp, NowMs + (long)_config.RetryBackoff.TotalMilliseconds);
        if (leaderless.Count > 0) _metadata.RequestUpdate();
    }

    /// <summary>
    /// CurrentLag's end-offset lookup (Java's endOffsets with a zero timer): queues a ListOffsets(latest)
    /// for <paramref name="tp"/> and returns at once; the answer is stored in the subscription state
    /// when a later poll completes it, so a later CurrentLag can compute the lag.
    /// </summary>
    public void RequestEndOffset(TopicPartition tp)
    {
        var groups = GroupByLeader(new Dictionary<TopicPartition, long> { [tp] = LatestTimestamp }, out var leaderless);
        if (leaderless.Count > 0)
        {
            _subscriptions.PartitionEndOffsetRequestFailed(tp);
            _metadata.RequestUpdate();
            return;
        }
        var (node, partitions) = groups[0];
        var isolation = _config.IsolationLevel;
        SendListOffsets(node, partitions).AddListener(r =>
        {
            var result = Parse(r, partitions.Keys, out var retry, out var fatal);
            // ListOffsets v0-v1 ignores the isolation level: its answer is the high watermark, which
            // must not stand in for the last stable offset under read_committed.
            var usable = isolation == IsolationLevel.ReadUncommitted || r.Version >= 2;
            if (usable && result.TryGetValue(tp, out var o) && o.Offset >= 0)
            {
                _subscriptions.UpdatePartitionEndOffset(tp, o.Offset, isolation);
                return;
            }
            _subscriptions.PartitionEndOffsetRequestFailed(tp);
            if (retry.Count > 0) _metadata.RequestUpdate();
            if (fatal is not null) _logger.LogWarning(fatal, "Looking up the end offset of {Partition} for its lag failed", tp);
        }, e =>
        {
            _subscriptions.PartitionEndOffsetRequestFailed(tp);
            _metadata.RequestUpdate();
        });
    }

    /// <summary>Looks up offsets by timestamp (or -1 latest / -2 earliest), retrying until the timer expires.</summary>
    public Dictionary<TopicPartition, OffsetAndTimestamp?> FetchOffsetsByTimes(IReadOnlyDictionary<TopicPartition, long> timestamps, ConsumerTimer timer)
    {
        var result = new Dictionary<TopicPartition, OffsetAndTimestamp?>();
        var remaining = new Dictionary<TopicPartition, long>(timestamps);
        while (remaining.Count > 0)
        {
            var futures = new List<(RequestFuture Future, Dictionary<TopicPartition, long> Partitions)>();
            foreach (var (node, partitions) in GroupByLeader(remaining, out _))
                futures.Add((SendListOffsets(node, partitions), partitions));
            foreach (var (future, partitions) in futures)
            {
                _client.Poll(future, timer);
                if (!future.IsDone) break;
                if (future.Failed) continue;
                var parsed = Parse(future.Value, partitions.Keys, out _, out var fatal);
                if (fatal is not null) throw fatal;
                foreach (var (tp, o) in parsed)
                {
                    result[tp] = o.Offset >= 0 ? o : null;
                    remaining.Remove(tp);
                }
            }
            if (remaining.Count == 0) break;
            timer.Update();
            if (timer.IsExpired)
                throw new KafkaException(ErrorCode.RequestTimedOut, $"Timed out looking up offsets of {string.Join(", ", remaining.Keys)}.");
            _metadata.RequestUpdate();
            // Let the application-thread client refresh metadata before retrying.
            _client.Poll(new ConsumerTimer(_time, Math.Min(timer.RemainingMs, (long)_config.RetryBackoff.TotalMilliseconds)), null);
            timer.Update();
        }
        return result;
    }

    List<(Node Node, Dictionary<TopicPartition, long> Partitions)> GroupByLeader(IReadOnlyDictionary<TopicPartition, long> timestamps, out List<TopicPartition> leaderless)
    {
        leaderless = [];
        var cluster = _metadata.Fetch();
        var byNode = new Dictionary<int, (Node, Dictionary<TopicPartition, long>)>();
        foreach (var (tp, ts) in timestamps)
        {
            var leader = cluster.LeaderFor(tp);
            if (leader is null || leader.IsEmpty)
            {
                leaderless.Add(tp);
                continue;
            }
            if (!byNode.TryGetValue(leader.Id, out var e)) byNode[leader.Id] = e = (leader, []);
            e.Item2[tp] = ts;
        }
        var result = new List<(Node, Dictionary<TopicPartition, long>)>(byNode.Count);
        foreach (var v in byNode.Values) result.Add(v);
        return result;
    }

    RequestFuture SendListOffsets(Node node, Dictionary<TopicPartition, long> partitions)
    {
        var isolation = (sbyte)_config.IsolationLevel;
        return _client.Send<ListOffsetsRequest, ListOffsetsResponse>(node, v =>
        {
            var request = new ListOffsetsRequest { ReplicaId = -1, IsolationLevel = v >= 2 ? isolation : (sbyte)0 };
            var topics = new Dictionary<string, ListOffsetsRequest.ListOffsetsTopic>(StringComparer.Ordinal);
            foreach (var (tp, ts) in partitions)
            {
                if (!topics.TryGetValue(tp.Topic, out var t))
                {
                    topics[tp.Topic] = t = new ListOffsetsRequest.ListOffsetsTopic { Name = tp.Topic };
                    request.Topics.Add(t);
                }
                t.Partitions.Add(new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = tp.Partition, Timestamp = ts });
            }
            return request;
        }, MaxListOffsetsVersion);
    }

    Dictionary<TopicPartition, OffsetAndTimestamp> Parse(ClientResponse response, IEnumerable<TopicPartition> asked, out List<TopicPartition> retry, out KafkaException? fatal)
    {
        retry = [];
        fatal = null;
        var result = new Dictionary<TopicPartition, OffsetAndTimestamp>();
        var body = (ListOffsetsResponse)response.Body!;
        var askedSet = new HashSet<TopicPartition>(asked);
        var seen = new HashSet<TopicPartition>();
        foreach (var t in body.Topics)
        {
            foreach (var p in t.Partitions)
            {
                var tp = new TopicPartition(t.Name, p.PartitionIndex);
                if (!askedSet.Contains(tp) || !seen.Add(tp))
                {
                    // A broker answering for partitions it was not asked about (or twice) is broken;
                    // trusting any of its offsets could move positions to the wrong place. Resets are
                    // retried after the back-off; blocking lookups throw.
                    fatal = new KafkaProtocolException(
                        $"ListOffsets v{response.Version} response from node {response.Destination} names partition {tp} " +
                        (askedSet.Contains(tp) ? "more than once." : "which was not asked for."));
                    result.Clear();
                    retry = [.. askedSet];
                    return result;
                }
                var error = (ErrorCode)p.ErrorCode;
                if (error == ErrorCode.None)
                {
                    var offset = response.Version == 0 ? (p.OldStyleOffsets.Count > 0 ? p.OldStyleOffsets[0] : -1) : p.Offset;
                    result[tp] = new OffsetAndTimestamp(offset, p.Timestamp, p.LeaderEpoch >= 0 ? p.LeaderEpoch : null);
                }
                else if (error.IsRetriable() || error is ErrorCode.NotLeaderOrFollower or ErrorCode.UnknownTopicOrPartition or ErrorCode.OffsetNotAvailable)
                {
                    retry.Add(tp);
                }
                else
                {
                    fatal = new KafkaException(error, $"ListOffsets for {tp} failed: {error}.");
                }
            }
        }
        foreach (var tp in askedSet)
        {
            if (!seen.Contains(tp)) retry.Add(tp);
        }
        return result;
    }
}
