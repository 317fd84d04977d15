using Microsoft.Extensions.Logging;
using Samsa.Client.Consumer.Assignors;
using Samsa.Client.Metadata;
using Samsa.Client.Network;
using Samsa.Protocol;
using Samsa.Protocol.Errors;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Consumer.Groups;

/// <summary>
/// The consumer's group coordinator (Java's ConsumerCoordinator): drives <see cref="GroupMembership"/>
/// over its own connection (a second <see cref="NetworkClient"/>, so fetch long polls never delay a
/// heartbeat) from a background heartbeat thread; the application thread applies assignments,
/// runs rebalance callbacks, commits before revocation and fetches committed offsets.
/// </summary>
internal sealed partial class ConsumerCoordinator : IDisposable
{
    const int JoinGroupTimeoutLapseMs = 5000;

    readonly ConsumerConfig _config;
    readonly SubscriptionState _subscriptions;
    readonly ClientMetadata _metadata;
    readonly ConsumerNetworkClient _client;
    readonly ManualMetadataUpdater _coordinatorNodes;
    readonly Fetcher _fetcher;
    readonly ConsumerMetrics _metrics;
    readonly ILogger _logger;
    readonly TimeProvider _time;
    readonly Action _wakeupApplication;
    readonly List<IPartitionAssignor> _assignors = [];
    readonly Lock _lock = new();
    readonly GroupMembership _membership;
    readonly Thread _heartbeatThread;
    volatile bool _closing;
    long _lastPollMs;
    long _nextAutoCommitMs;
    readonly RebalanceListenerInvoker _listener;
    RequestFuture? _pendingOffsetFetch;
    HashSet<TopicPartition>? _pendingOffsetFetchPartitions;
    int _metadataVersionAtSubscribe = -1;
    int _heartbeatStarted;
    // Async commits made while the coordinator was unknown, sent once FindCoordinator answers.
    readonly System.Collections.Concurrent.ConcurrentQueue<(IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> Offsets, Action<Exception?> Done)> _pendingAsyncCommits = new();

    public ConsumerCoordinator(ConsumerConfig config, SubscriptionState subscriptions, ClientMetadata metadata,
        ConsumerNetworkClient coordinatorClient, ManualMetadataUpdater coordinatorNodes, Fetcher fetcher, ConsumerMetrics metrics,
        ILogger logger, TimeProvider time, Action wakeupApplication)
    {
        _config = config;
        _subscriptions = subscriptions;
        _metadata = metadata;
        _client = coordinatorClient;
        _coordinatorNodes = coordinatorNodes;
        _fetcher = fetcher;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _wakeupApplication = wakeupApplication;
        _listener = new RebalanceListenerInvoker(logger);
        foreach (var name in config.PartitionAssignmentStrategy)
            _assignors.Add(PartitionAssignors.Create(name) ?? throw new ArgumentException($"Unknown assignor '{name}'.", nameof(config)));
        _membership = new GroupMembership(
            new GroupMembershipSettings(config.GroupId!, config.GroupInstanceId, (int)config.SessionTimeout.TotalMilliseconds,
                (int)config.MaxPollInterval.TotalMilliseconds, (int)config.HeartbeatInterval.TotalMilliseconds,
                (long)config.RetryBackoff.TotalMilliseconds),
            JoinProtocols, PerformAssignment);
        _lastPollMs = NowMs;
        _nextAutoCommitMs = NowMs + (long)config.AutoCommitInterval.TotalMilliseconds;
        _heartbeatThread = new Thread(HeartbeatLoop) { IsBackground = true, Name = $"samsa-consumer-heartbeat-{config.ClientId}" };
    }

    long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    bool AutoCommitEnabled => _config.EnableAutoCommit;

    RebalanceProtocol CurrentProtocol()
    {
        var name = _membership.Generation.ProtocolName;
        foreach (var a in _assignors)
        {
            if (a.Name == name) return a.Protocol;
        }
        return RebalanceProtocol.Eager;
    }

    public void SetListener(IConsumerRebalanceListener? listener) => _listener.Listener = listener;

    /// <summary>Called when the subscription changes: rejoin with the new topic list.</summary>
    public void OnSubscriptionChanged()
    {
        lock (_lock)
        {
            _metadataVersionAtSubscribe = _metadata.UpdateVersion;
            _membership.RequestRejoin("subscription changed");
        }
        _metadata.RequestUpdate();
    }

    public string? MemberId
    {
        get { lock (_lock) return _membership.Generation.MemberId; }
    }

    public Generation Generation
    {
        get { lock (_lock) return _membership.Generation; }
    }

    public void Start()
    {
        // Once only: a thread cannot be started twice, and commits during Close may ask again after it ended.
        if (!_closing && Interlocked.Exchange(ref _heartbeatStarted, 1) == 0) _heartbeatThread.Start();
    }

    // ---- application thread ----

    /// <summary>
    /// The application-thread part of a poll (Java's ConsumerCoordinator.poll): records the poll time,
    /// throws fatal group errors, prepares joins (commit, revoke), applies new assignments with their
    /// callbacks, and sends auto-commits. Returns false while the group has no assignment to fetch.
    /// A rebalance callback that throws does not stop the step it runs in: the assignment is updated
    /// (or the join prepared) first, then its exception ends this poll, once; the next poll goes on.
    /// </summary>
    public bool Poll(ConsumerTimer timer)
    {
        Interlocked.Exchange(ref _lastPollMs, timer.CurrentTimeMs);
        Start();
        (Generation Generation, byte[] Assignment)? assignment;
        bool prepare;
        bool lost;
        lock (_lock)
        {
            if (_membership.FatalError is { } fatal) throw fatal;
            assignment = _membership.TakeAssignment();
            prepare = _subscriptions.HasAutoAssignedPartitions && _membership.NeedsJoinPrepare;
            lost = _membership.GenerationLost;
        }
        if (assignment is { } a) RebalanceListenerInvoker.ThrowIfFailed(OnJoinComplete(a.Generation, a.Assignment));
        if (prepare && MetadataReadyForJoin())
        {
            var listenerFailure = OnJoinPrepare(timer, lost);
            lock (_lock) _membership.JoinPrepared();
            _client.NetworkClient.Wakeup();
            RebalanceListenerInvoker.ThrowIfFailed(listenerFailure);
        }
        MaybeAutoCommitOffsetsAsync(timer.CurrentTimeMs);
        lock (_lock) return _membership.State == MemberState.Stable && !_membership.RejoinNeeded;
    }

    bool MetadataReadyForJoin()
    {
        if (_subscriptions.Type == SubscriptionType.AutoPattern && _subscriptions.Pattern is { } pattern)
        {
            var matched = new List<string>();
            foreach (var topic in _metadata.Fetch().Topics)
            {
                if (pattern.IsMatch(topic) && !(_config.ExcludeInternalTopics && topic.StartsWith("__", StringComparison.Ordinal))) matched.Add(topic);
            }
            _subscriptions.SetMatchedTopics(matched);
        }
        if (_metadata.UpdateVersion > _metadataVersionAtSubscribe) return true;
        _metadata.RequestUpdate();
        return false;
    }

    /// <summary>
    /// Java's onJoinPrepare: commit (auto-commit) and revoke before the JoinGroup goes out. Returns the
    /// first rebalance callback failure, for the caller to throw once the join is marked prepared.
    /// </summary>
    Exception? OnJoinPrepare(ConsumerTimer timer, bool generationLost)
    {
        var owned = _subscriptions.AssignedPartitions();
        Exception? listenerFailure = null;
        if (generationLost)
        {
            if (owned.Count > 0)
            {
                _logger.LogInformation("Lost partitions {Partitions} (group generation expired)", owned);
                listenerFailure = _listener.InvokePartitionsLost(owned);
            }
            _subscriptions.AssignFromSubscribed([]);
            _fetcher.ClearBufferedDataForUnassignedPartitions();
            return listenerFailure;
        }

        if (AutoCommitEnabled && owned.Count > 0)
            CommitOffsetsSync(_subscriptions.AllConsumed(), new ConsumerTimer(_time, Math.Min(timer.RemainingMs + 1000, (long)_config.DefaultApiTimeout.TotalMilliseconds)), throwOnFailure: false);

        if (CurrentProtocol() == RebalanceProtocol.Cooperative)
        {
            // Cooperative: keep partitions; only those of topics no longer subscribed are revoked.
            var subscribed = new HashSet<string>(_subscriptions.Subscription, StringComparer.Ordinal);
            var revoked = owned.FindAll(tp => !subscribed.Contains(tp.Topic));
            if (revoked.Count > 0)
            {
                listenerFailure = _listener.InvokePartitionsRevoked(revoked);
                var keep = owned.FindAll(tp => subscribed.Contains(tp.Topic));
                _subscriptions.AssignFromSubscribed(keep);
                _fetcher.ClearBufferedDataForUnassignedPartitions();
            }
        }
        else if (owned.Count > 0)
        {
            listenerFailure = _listener.InvokePartitionsRevoked(owned);
            _subscriptions.AssignFromSubscribed([]);
            _fetcher.ClearBufferedDataForUnassignedPartitions();
        }
        return listenerFailure;
    }

    /// <summary>
    /// Java's onJoinComplete: applies the new assignment and runs the callbacks. Returns the first
    /// callback failure, for the caller to throw once the assignment is in place.
    /// </summary>
    Exception? OnJoinComplete(Generation generation, byte[] assignmentBytes)
    {
        List<TopicPartition> assigned;
        try
        {
            assigned = ConsumerProtocol.DeserializeAssignment(assignmentBytes);
        }
        catch (KafkaProtocolException e)
        {
            _logger.LogError(e, "Could not read the assignment of generation {Generation}; rejoining", generation.GenerationId);
            lock (_lock) _membership.RequestRejoin("unreadable assignment");
            return null;
        }
        var subscribed = new HashSet<string>(_subscriptions.Subscription, StringComparer.Ordinal);
        var owned = _subscriptions.AssignedPartitions();
        var assignedSet = new HashSet<TopicPartition>(assigned);
        var ownedSet = new HashSet<TopicPartition>(owned);
        var added = assigned.FindAll(tp => !ownedSet.Contains(tp));
        var revoked = owned.FindAll(tp => !assignedSet.Contains(tp));
        _logger.LogInformation("Joined group {Group} generation {Generation} as {Member} with protocol {Protocol}; assigned {Partitions}",
            _config.GroupId, generation.GenerationId, generation.MemberId, generation.ProtocolName, assigned);

        Exception? listenerFailure = null;
        if (revoked.Count > 0)
        {
            // Cooperative: give up moved partitions now, then rejoin so they can be reassigned (KIP-429).
            listenerFailure = _listener.InvokePartitionsRevoked(revoked);
        }
        _subscriptions.AssignFromSubscribed(assigned);
        _fetcher.ClearBufferedDataForUnassignedPartitions();
        _metrics.RecordRebalance();
        // The assigned callback runs even when the revoked one failed (`??=` would skip it).
        var assignedFailure = _listener.InvokePartitionsAssigned(added);
        listenerFailure ??= assignedFailure;
        if (revoked.Count > 0)
        {
            lock (_lock) _membership.RequestRejoin("partitions revoked in a cooperative rebalance");
        }
        foreach (var tp in assigned)
        {
            if (!subscribed.Contains(tp.Topic))
            {
                lock (_lock) _membership.RequestRejoin("assignment includes a topic not subscribed");
                break;
            }
        }
        _nextAutoCommitMs = NowMs + (long)_config.AutoCommitInterval.TotalMilliseconds;
        return listenerFailure;
    }

    // ---- JoinGroup metadata and leader assignment (heartbeat thread, under _lock) ----

    IReadOnlyList<(string Name, byte[] Metadata)> JoinProtocols()
    {
        var topics = _subscriptions.Subscription;
        var owned = CurrentProtocol() == RebalanceProtocol.Cooperative || _assignors.Exists(a => a.Protocol == RebalanceProtocol.Cooperative)
            ? _subscriptions.AssignedPartitions()
            : [];
        var metadata = ConsumerProtocol.SerializeSubscription(topics, owned, _membership.Generation.GenerationId, _config.ClientRack);
        var result = new List<(string, byte[])>(_assignors.Count);
        foreach (var a in _assignors) result.Add((a.Name, metadata));
        return result;
    }

    IReadOnlyList<(string MemberId, byte[] Assignment)> PerformAssignment(string protocol, string leaderId, IReadOnlyList<JoinGroupMember> members)
    {
        var assignor = _assignors.Find(a => a.Name == protocol)
            ?? throw new KafkaException(ErrorCode.InconsistentGroupProtocol, $"The group chose assignor '{protocol}', which this consumer does not have.");
        var groupMembers = new List<GroupMember>(members.Count);
        var allTopics = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in members)
        {
            var gm = ConsumerProtocol.DeserializeSubscription(m.MemberId, m.GroupInstanceId, m.Metadata);
            groupMembers.Add(gm);
            foreach (var t in gm.Topics) allTopics.Add(t);
        }
        var cluster = _metadata.Fetch();
        var partitionsPerTopic = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var topic in allTopics)
        {
            if (cluster.PartitionCountForTopic(topic) is { } count and > 0) partitionsPerTopic[topic] = count;
            else _metadata.AddTopics([topic]);
        }
        var assignment = assignor.Assign(partitionsPerTopic, groupMembers);
        _logger.LogInformation("As leader of group {Group}, assigned with {Assignor}: {Assignment}", _config.GroupId, protocol,
            string.Join("; ", assignment.Select(kv => kv.Key + "=" + string.Join(",", kv.Value))));
        var result = new List<(string, byte[])>(assignment.Count);
        foreach (var (member, partitions) in assignment) result.Add((member, ConsumerProtocol.SerializeAssignment(partitions)));
        return result;
    }

    public void Dispose()
    {
        _closing = true;
        FailPendingAsyncCommits();
        _client.NetworkClient.Wakeup();
        if (_heartbeatThread.IsAlive && Thread.CurrentThread != _heartbeatThread) _heartbeatThread.Join(TimeSpan.FromSeconds(5));
    }

    internal GroupMembership MembershipForTests => _membership;

    /// <summary>Unit tests drive <see cref="MembershipForTests"/> themselves, so no heartbeat thread may race them.</summary>
    internal void PreventHeartbeatThreadForTests() => _heartbeatStarted = 1;
}
