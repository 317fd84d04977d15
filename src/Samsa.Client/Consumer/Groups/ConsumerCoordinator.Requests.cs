using Microsoft.Extensions.Logging;
using Samsa.Client.Network;
using Samsa.Protocol;
using Samsa.Protocol.Errors;
using Samsa.Protocol.Messages;
using Samsa.Client.Metadata;

namespace Samsa.Client.Consumer.Groups;

internal sealed partial class ConsumerCoordinator
{
    const short MaxOffsetCommitVersion = 8;
    const short MaxOffsetFetchVersion = 8;

    Node? CoordinatorNode()
    {
        var c = _membership.Coordinator;
        return c is { } n ? new Node(n.NodeId, n.Host, n.Port) : null;
    }

    // ---- heartbeat thread ----

    void HeartbeatLoop()
    {
        while (!_closing)
        {
            long waitMs;
            try
            {
                var now = NowMs;
                List<GroupRequest> calls;
                Node? coordinator;
                LeaveGroupCall? leave;
                lock (_lock)
                {
                    leave = _membership.MaybeLeaveOnPollTimeout(now, Interlocked.Read(ref _lastPollMs),
                        (long)_config.MaxPollInterval.TotalMilliseconds, out var left);
                    if (left)
                    {
                        _logger.LogWarning("Consumer poll timeout: max.poll.interval.ms ({Interval} ms) passed without a poll; leaving group {Group}. " +
                            "Poll more often or lower max.poll.records.", (long)_config.MaxPollInterval.TotalMilliseconds, _config.GroupId);
                        _wakeupApplication();
                    }
                    calls = _membership.Poll(now);
                    coordinator = CoordinatorNode();
                    waitMs = _membership.TimeToNextPoll(now);
                }
                if (leave is not null && coordinator is not null) SendLeaveGroup(coordinator, leave);
                foreach (var call in calls) Dispatch(call, coordinator);
                var timer = new ConsumerTimer(_time, Math.Clamp(waitMs, 0, 200));
                _client.Poll(timer, null, disableWakeup: true);
            }
            catch (Exception e) when (!_closing)
            {
                _logger.LogError(e, "Unexpected error in the heartbeat thread");
                Thread.Sleep(100);
            }
            catch (Exception)
            {
                return;
            }
        }
    }

    void Dispatch(GroupRequest call, Node? coordinator)
    {
        switch (call)
        {
            case FindCoordinatorCall find:
                SendFindCoordinator(find);
                break;
            case JoinGroupCall join when coordinator is not null:
                SendJoinGroup(coordinator, join);
                break;
            case SyncGroupCall sync when coordinator is not null:
                SendSyncGroup(coordinator, sync);
                break;
            case HeartbeatCall hb when coordinator is not null:
                SendHeartbeat(coordinator, hb);
                break;
            case LeaveGroupCall leave when coordinator is not null:
                SendLeaveGroup(coordinator, leave);
                break;
            default:
                lock (_lock) _membership.OnRequestFailed(call, NowMs);
                break;
        }
    }

    Node? AnyBroker()
    {
        var nodes = _metadata.Fetch().Nodes;
        if (nodes.Count == 0) return null;
        return nodes[Random.Shared.Next(nodes.Count)];
    }

    void KnowNode(Node node)
    {
        var nodes = new List<Node>(_coordinatorNodes.FetchNodes());
        nodes.RemoveAll(n => n.Id == node.Id);
        nodes.Add(node);
        _coordinatorNodes.SetNodes(nodes);
    }

    void SendFindCoordinator(FindCoordinatorCall call)
    {
        var node = AnyBroker();
        if (node is null)
        {
            _metadata.RequestUpdate();
            _wakeupApplication();
            lock (_lock) _membership.OnRequestFailed(call, NowMs);
            return;
        }
        KnowNode(node);
        var future = _client.Send<FindCoordinatorRequest, FindCoordinatorResponse>(node, v => v >= 4
            ? new FindCoordinatorRequest { KeyType = 0, CoordinatorKeys = [call.GroupId] }
            : new FindCoordinatorRequest { Key = call.GroupId, KeyType = 0 }, FindCoordinatorRequest.HighestVersion);
        future.AddListener(r =>
        {
            var body = (FindCoordinatorResponse)r.Body!;
            ErrorCode error;
            int nodeId;
            string host;
            int port;
            if (r.Version >= 4)
            {
                var c = body.Coordinators.Count > 0 ? body.Coordinators[0] : null;
                error = c is null ? ErrorCode.CoordinatorNotAvailable : (ErrorCode)c.ErrorCode;
                (nodeId, host, port) = c is null ? (-1, "", -1) : (c.NodeId, c.Host, c.Port);
            }
            else
            {
                error = (ErrorCode)body.ErrorCode;
                (nodeId, host, port) = (body.NodeId, body.Host, body.Port);
            }
            if (error == ErrorCode.None)
            {
                // Its own connection id, as Java does (Integer.MAX_VALUE - id), so the coordinator socket is separate.
                KnowNode(new Node(int.MaxValue - nodeId, host, port));
                _logger.LogInformation("Discovered group coordinator {Host}:{Port} (id {Node}) for group {Group}", host, port, nodeId, call.GroupId);
            }
            KafkaException? fatal;
            lock (_lock)
            {
                _membership.OnFindCoordinatorResponse(error, int.MaxValue - nodeId, host, port, NowMs);
                fatal = _membership.FatalError;
            }
            if (error == ErrorCode.None) SendPendingAsyncCommits();
            // Other errors leave them for the next lookup, which the heartbeat thread retries; after a
            // fatal one (GROUP_AUTHORIZATION_FAILED) there is none, so they would wait until close.
            else if (fatal is not null) FailPendingAsyncCommits(fatal);
        }, e =>
        {
            _logger.LogDebug(e, "FindCoordinator failed");
            lock (_lock) _membership.OnRequestFailed(call, NowMs);
        });
    }

    void SendJoinGroup(Node coordinator, JoinGroupCall call)
    {
        var timeout = Math.Max(_client.NetworkClient.DefaultRequestTimeoutMs, call.RebalanceTimeoutMs + JoinGroupTimeoutLapseMs);
        _logger.LogInformation("(Re-)joining group {Group} ({Reason})", call.GroupId, _membership.RejoinReason);
        var future = _client.Send<JoinGroupRequest, JoinGroupResponse>(coordinator, v =>
        {
            var request = new JoinGroupRequest
            {
                GroupId = call.GroupId,
                SessionTimeoutMs = call.SessionTimeoutMs,
                RebalanceTimeoutMs = v >= 1 ? call.RebalanceTimeoutMs : -1,
                MemberId = call.MemberId,
                GroupInstanceId = v >= 5 ? call.GroupInstanceId : null,
                ProtocolType = ConsumerProtocol.ProtocolType,
            };
            foreach (var (name, metadata) in call.Protocols) request.Protocols.Add(new JoinGroupRequest.JoinGroupRequestProtocol { Name = name, Metadata = metadata });
            return request;
        }, JoinGroupRequest.HighestVersion, timeout);
        future.AddListener(r =>
        {
            var body = (JoinGroupResponse)r.Body!;
            var members = new List<JoinGroupMember>(body.Members.Count);
            foreach (var m in body.Members) members.Add(new JoinGroupMember(m.MemberId, m.GroupInstanceId, m.Metadata));
            var leader = body.SkipAssignment ? "" : body.Leader;
            var result = new JoinGroupResult((ErrorCode)body.ErrorCode, body.GenerationId, body.ProtocolName, leader, body.MemberId, members);
            lock (_lock)
            {
                _membership.OnJoinGroupResponse(result, NowMs);
                if (result.Error != ErrorCode.None) _logger.LogInformation("JoinGroup for {Group} returned {Error}", call.GroupId, result.Error);
            }
            _client.NetworkClient.Wakeup();
        }, e =>
        {
            _logger.LogInformation(e, "JoinGroup failed");
            lock (_lock) _membership.OnRequestFailed(call, NowMs);
        });
    }

    void SendSyncGroup(Node coordinator, SyncGroupCall call)
    {
        var future = _client.Send<SyncGroupRequest, SyncGroupResponse>(coordinator, v =>
        {
            var request = new SyncGroupRequest
            {
                GroupId = call.GroupId,
                GenerationId = call.GenerationId,
                MemberId = call.MemberId,
                GroupInstanceId = v >= 3 ? call.GroupInstanceId : null,
                ProtocolType = v >= 5 ? ConsumerProtocol.ProtocolType : null,
                ProtocolName = v >= 5 ? call.ProtocolName : null,
            };
            foreach (var (member, assignment) in call.Assignments)
                request.Assignments.Add(new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = member, Assignment = assignment });
            return request;
        }, SyncGroupRequest.HighestVersion);
        future.AddListener(r =>
        {
            var body = (SyncGroupResponse)r.Body!;
            lock (_lock) _membership.OnSyncGroupResponse((ErrorCode)body.ErrorCode, body.Assignment, NowMs);
            if ((ErrorCode)body.ErrorCode != ErrorCode.None) _logger.LogInformation("SyncGroup for {Group} returned {Error}", call.GroupId, (ErrorCode)body.ErrorCode);
            _wakeupApplication();
        }, e =>
        {
            lock (_lock) _membership.OnRequestFailed(call, NowMs);
        });
    }

    void SendHeartbeat(Node coordinator, HeartbeatCall call)
    {
        var future = _client.Send<HeartbeatRequest, HeartbeatResponse>(coordinator, v => new HeartbeatRequest
        {
            GroupId = call.GroupId,
            GenerationId = call.GenerationId,
            MemberId = call.MemberId,
            GroupInstanceId = v >= 3 ? call.GroupInstanceId : null,
        }, HeartbeatRequest.HighestVersion);
        future.AddListener(r =>
        {
            var error = (ErrorCode)((HeartbeatResponse)r.Body!).ErrorCode;
            bool rejoin;
            lock (_lock)
            {
                _membership.OnHeartbeatResponse(error, NowMs);
                rejoin = _membership.RejoinNeeded;
            }
            if (error != ErrorCode.None) _logger.LogInformation("Heartbeat for group {Group} returned {Error}", call.GroupId, error);
            if (rejoin) _wakeupApplication();
        }, e =>
        {
            lock (_lock) _membership.OnRequestFailed(call, NowMs);
        });
    }

    RequestFuture SendLeaveGroup(Node coordinator, LeaveGroupCall call)
    {
        _logger.LogInformation("Leaving group {Group} as {Member}: {Reason}", call.GroupId, call.MemberId, call.Reason);
        return _client.Send<LeaveGroupRequest, LeaveGroupResponse>(coordinator, v => v >= 3
            ? new LeaveGroupRequest
            {
                GroupId = call.GroupId,
                Members = [new LeaveGroupRequest.MemberIdentity { MemberId = call.MemberId, GroupInstanceId = call.GroupInstanceId, Reason = v >= 5 ? call.Reason : null }],
            }
            : new LeaveGroupRequest { GroupId = call.GroupId, MemberId = call.MemberId }, LeaveGroupRequest.HighestVersion);
    }

    // ---- offsets ----

    void MaybeAutoCommitOffsetsAsync(long nowMs)
    {
        if (!AutoCommitEnabled || nowMs < _nextAutoCommitMs) return;
        _nextAutoCommitMs = nowMs + (long)_config.AutoCommitInterval.TotalMilliseconds;
        var offsets = _subscriptions.AllConsumed();
        if (offsets.Count == 0) return;
        var future = SendOffsetCommit(offsets);
        future?.AddListener(_ => { }, e => _logger.LogWarning(e, "Auto-commit of offsets {Offsets} failed", offsets));
    }

    /// <summary>Sends an OffsetCommit; null when there is no coordinator yet (the caller retries).</summary>
    RequestFuture? SendOffsetCommit(IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> offsets, Action<Exception?>? done = null)
    {
        Node? coordinator;
        Generation generation;
        lock (_lock)
        {
            coordinator = CoordinatorNode();
            // Only a stable member commits with its generation; otherwise (manual assignment) as a simple consumer.
            generation = _subscriptions.HasAutoAssignedPartitions
                ? (_membership.State == MemberState.Stable ? _membership.Generation : _membership.Generation)
                : Generation.NoGeneration;
        }
        if (coordinator is null)
        {
            LookUpCoordinator();
            return null;
        }
        var started = Environment.TickCount64;
        var groupId = _config.GroupId!;
        var instanceId = _config.GroupInstanceId;
        var future = _client.Send<OffsetCommitRequest, OffsetCommitResponse>(coordinator, v =>
        {
            var request = new OffsetCommitRequest
            {
                GroupId = groupId,
                GenerationIdOrMemberEpoch = v >= 1 ? generation.GenerationId : -1,
                MemberId = v >= 1 ? generation.MemberId : "",
                GroupInstanceId = v >= 7 ? instanceId : null,
            };
            var topics = new Dictionary<string, OffsetCommitRequest.OffsetCommitRequestTopic>(StringComparer.Ordinal);
            foreach (var (tp, o) in offsets)
            {
                if (!topics.TryGetValue(tp.Topic, out var t))
                {
                    topics[tp.Topic] = t = new OffsetCommitRequest.OffsetCommitRequestTopic { Name = tp.Topic };
                    request.Topics.Add(t);
                }
                t.Partitions.Add(new OffsetCommitRequest.OffsetCommitRequestPartition
                {
                    PartitionIndex = tp.Partition,
                    CommittedOffset = o.Offset,
                    CommittedLeaderEpoch = v >= 6 ? o.LeaderEpoch ?? -1 : -1,
                    CommittedMetadata = o.Metadata ?? "",
                });
            }
            return request;
        }, MaxOffsetCommitVersion);
        future.AddListener(r =>
        {
            _metrics.RecordCommit(Environment.TickCount64 - started);
            done?.Invoke(OffsetCommitError((OffsetCommitResponse)r.Body!));
        }, e => done?.Invoke(e));
        return future;
    }

    KafkaException? OffsetCommitError(OffsetCommitResponse response)
    {
        foreach (var t in response.Topics)
        {
            foreach (var p in t.Partitions)
            {
                var error = (ErrorCode)p.ErrorCode;
                if (error == ErrorCode.None) continue;
                var tp = new TopicPartition(t.Name, p.PartitionIndex);
                switch (error)
                {
                    case ErrorCode.CoordinatorNotAvailable or ErrorCode.NotCoordinator or ErrorCode.RequestTimedOut:
                        lock (_lock) _membership.MarkCoordinatorUnknown("OffsetCommit: " + error, NowMs);
                        return new KafkaException(error, $"Offset commit for {tp} failed: {error}; retry.");
                    case ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration or ErrorCode.RebalanceInProgress:
                        lock (_lock) _membership.RequestRejoin("OffsetCommit: " + error);
                        return new CommitFailedException(error,
                            $"Offset commit for {tp} failed with {error}: the group rebalanced and the partitions may belong to another member. " +
                            "Poll more often (max.poll.interval.ms) or process fewer records per poll (max.poll.records).");
                    default:
                        return new KafkaException(error, $"Offset commit for {tp} failed: {error}.");
                }
            }
        }
        return null;
    }

    /// <summary>Commits and waits, retrying retriable failures until the timer expires.</summary>
    public void CommitOffsetsSync(IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> offsets, ConsumerTimer timer, bool throwOnFailure = true)
    {
        if (offsets.Count == 0) return;
        Exception? last = null;
        do
        {
            Exception? result = null;
            var completed = false;
            var future = SendOffsetCommit(offsets, e => { result = e; completed = true; });
            if (future is null)
            {
                WaitForCoordinator(timer);
                continue;
            }
            _client.Poll(future, timer);
            if (!future.IsDone) break;
            if (future.Failed) result ??= future.Exception;
            if (completed && result is null) return;
            last = result;
            if (result is CommitFailedException || result is KafkaException { IsRetriable: false } and not Errors.KafkaConnectionException)
                break;
            Thread.Sleep((int)Math.Min(timer.RemainingMs, (long)_config.RetryBackoff.TotalMilliseconds));
            timer.Update();
        }
        while (timer.NotExpired);
        if (!throwOnFailure)
        {
            if (last is not null) _logger.LogWarning(last, "Committing offsets failed");
            return;
        }
        throw last as KafkaException ?? new KafkaException(ErrorCode.RequestTimedOut, "Timed out committing offsets.", last);
    }

    /// <summary>Commits without waiting; <paramref name="callback"/> runs on a polling thread.</summary>
    public void CommitOffsetsAsync(IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> offsets, Action<IReadOnlyDictionary<TopicPartition, OffsetAndMetadata>, Exception?>? callback) =>
        SendOrQueueAsyncCommit(offsets, e => callback?.Invoke(offsets, e));

    public Task CommitOffsetsTask(IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> offsets, CancellationToken cancellationToken)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        SendOrQueueAsyncCommit(offsets, e =>
        {
            if (e is null) tcs.TrySetResult();
            else tcs.TrySetException(e);
        });
        cancellationToken.Register(() => tcs.TrySetCanceled(cancellationToken));
        return tcs.Task;
    }

    /// <summary>
    /// Sends an asynchronous commit, or, while the coordinator is unknown, keeps it until
    /// FindCoordinator answers (Java's pendingAsyncCommits): a CommitAsync right after Assign, before
    /// any poll found the coordinator, completes instead of failing.
    /// </summary>
    void SendOrQueueAsyncCommit(IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> offsets, Action<Exception?> done)
    {
        if (SendOffsetCommit(offsets, done) is not null) return;
        _pendingAsyncCommits.Enqueue((offsets, done));
        // The lookup may have ended between the check and the enqueue (found, or failed fatally):
        // then no response handler will drain the queue again.
        bool known;
        KafkaException? fatal;
        lock (_lock)
        {
            known = CoordinatorNode() is not null;
            fatal = _membership.FatalError;
        }
        if (known) SendPendingAsyncCommits();
        else if (fatal is not null) FailPendingAsyncCommits(fatal);
    }

    void SendPendingAsyncCommits()
    {
        while (_pendingAsyncCommits.TryDequeue(out var pending))
        {
            if (SendOffsetCommit(pending.Offsets, pending.Done) is null)
            {
                // Lost again already: keep it for the next discovery.
                _pendingAsyncCommits.Enqueue(pending);
                return;
            }
        }
    }

    /// <summary>Fails commits still waiting for a coordinator (the consumer is closing).</summary>
    void FailPendingAsyncCommits() =>
        FailPendingAsyncCommits(new KafkaException(ErrorCode.CoordinatorNotAvailable, "The consumer was closed before the group coordinator was found; the offsets were not committed."));

    /// <summary>Fails commits still waiting for a coordinator with <paramref name="error"/>.</summary>
    void FailPendingAsyncCommits(KafkaException error)
    {
        while (_pendingAsyncCommits.TryDequeue(out var pending))
            pending.Done(error);
    }

    /// <summary>
    /// Makes sure FindCoordinator is being sent. The heartbeat thread owns the lookup (it sends what
    /// <c>GroupMembership.Poll</c> asks for); it is started here too, because a commit or committed()
    /// may come before the first poll (Java's ensureCoordinatorReady works without a poll). Taking the
    /// lookup from the membership here and dropping it would leave it marked in flight for ever.
    /// </summary>
    void LookUpCoordinator()
    {
        Start();
        _client.NetworkClient.Wakeup();
    }

    void WaitForCoordinator(ConsumerTimer timer)
    {
        LookUpCoordinator();
        var wait = new ConsumerTimer(_time, Math.Min(timer.RemainingMs, 100));
        _client.Poll(wait, null);
        timer.Update();
    }

    /// <summary>Fetches committed offsets, waiting up to the timer; null when it timed out.</summary>
    public Dictionary<TopicPartition, OffsetAndMetadata?>? FetchCommittedOffsets(IReadOnlyCollection<TopicPartition> partitions, ConsumerTimer timer)
    {
        if (partitions.Count == 0) return [];
        do
        {
            var future = SendOffsetFetch(partitions);
            if (future is null)
            {
                WaitForCoordinator(timer);
                continue;
            }
            _client.Poll(future, timer);
            if (!future.IsDone) return null;
            if (future.Succeeded)
            {
                var result = ParseOffsetFetch(future.Value, out var error);
                if (result is not null) return result;
                if (error is { IsRetriable: false }) throw error;
            }
            else if (future.Exception is KafkaException { IsRetriable: false } fatal) throw fatal;
            Thread.Sleep((int)Math.Min(timer.RemainingMs, (long)_config.RetryBackoff.TotalMilliseconds));
            timer.Update();
        }
        while (timer.NotExpired);
        return null;
    }

    /// <summary>
    /// Application thread, each poll: positions of newly assigned partitions come from committed
    /// offsets (no commit: reset with auto.offset.reset). Asynchronous so a slow coordinator does not block fetching others.
    /// </summary>
    public void RefreshCommittedOffsetsIfNeeded()
    {
        if (_pendingOffsetFetch is { } pending)
        {
            if (!pending.IsDone) return;
            _pendingOffsetFetch = null;
            var asked = _pendingOffsetFetchPartitions!;
            _pendingOffsetFetchPartitions = null;
            KafkaException? error = null;
            if (pending.Succeeded && ParseOffsetFetch(pending.Value, out error) is { } committed)
            {
                foreach (var tp in asked)
                {
                    if (!_subscriptions.IsAssigned(tp) || _subscriptions.Position(tp) is not null) continue;
                    if (committed.TryGetValue(tp, out var o) && o is not null)
                    {
                        _subscriptions.Seek(tp, new FetchPosition(o.Offset, o.LeaderEpoch));
                        _logger.LogInformation("Setting offset for {Partition} to the committed offset {Offset}", tp, o.Offset);
                    }
                    else
                    {
                        _subscriptions.RequestOffsetReset(tp);
                    }
                }
            }
            else if (error is { IsRetriable: false })
            {
                throw error;
            }
        }
        var initializing = _subscriptions.InitializingPartitions();
        if (initializing.Count == 0) return;
        var future = SendOffsetFetch(initializing);
        if (future is null) return;
        _pendingOffsetFetch = future;
        _pendingOffsetFetchPartitions = [.. initializing];
    }

    RequestFuture? SendOffsetFetch(IReadOnlyCollection<TopicPartition> partitions)
    {
        Node? coordinator;
        lock (_lock) coordinator = CoordinatorNode();
        if (coordinator is null)
        {
            LookUpCoordinator();
            return null;
        }
        var groupId = _config.GroupId!;
        var byTopic = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (var tp in partitions)
        {
            if (!byTopic.TryGetValue(tp.Topic, out var l)) byTopic[tp.Topic] = l = [];
            l.Add(tp.Partition);
        }
        return _client.Send<OffsetFetchRequest, OffsetFetchResponse>(coordinator, v =>
        {
            var request = new OffsetFetchRequest { RequireStable = v >= 7 };
            if (v >= 8)
            {
                var group = new OffsetFetchRequest.OffsetFetchRequestGroup { GroupId = groupId, Topics = [] };
                foreach (var (topic, ps) in byTopic) group.Topics.Add(new OffsetFetchRequest.OffsetFetchRequestTopics { Name = topic, PartitionIndexes = ps });
                request.Groups.Add(group);
            }
            else
            {
                request.GroupId = groupId;
                request.Topics = [];
                foreach (var (topic, ps) in byTopic) request.Topics.Add(new OffsetFetchRequest.OffsetFetchRequestTopic { Name = topic, PartitionIndexes = ps });
            }
            return request;
        }, MaxOffsetFetchVersion);
    }

    Dictionary<TopicPartition, OffsetAndMetadata?>? ParseOffsetFetch(ClientResponse response, out KafkaException? error)
    {
        error = null;
        var body = (OffsetFetchResponse)response.Body!;
        var result = new Dictionary<TopicPartition, OffsetAndMetadata?>();
        ErrorCode top;
        if (response.Version >= 8)
        {
            var group = body.Groups.Count > 0 ? body.Groups[0] : null;
            top = group is null ? ErrorCode.CoordinatorNotAvailable : (ErrorCode)group.ErrorCode;
            if (group is not null && top == ErrorCode.None)
            {
                foreach (var t in group.Topics)
                {
                    foreach (var p in t.Partitions)
                    {
                        if (!AddCommitted(result, t.Name, p.PartitionIndex, (ErrorCode)p.ErrorCode, p.CommittedOffset, p.CommittedLeaderEpoch, p.Metadata, out error)) return null;
                    }
                }
            }
        }
        else
        {
            top = (ErrorCode)body.ErrorCode;
            if (top == ErrorCode.None)
            {
                foreach (var t in body.Topics)
                {
                    foreach (var p in t.Partitions)
                    {
                        if (!AddCommitted(result, t.Name, p.PartitionIndex, (ErrorCode)p.ErrorCode, p.CommittedOffset, p.CommittedLeaderEpoch, p.Metadata, out error)) return null;
                    }
                }
            }
        }
        if (top != ErrorCode.None)
        {
            if (top is ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable)
                lock (_lock) _membership.MarkCoordinatorUnknown("OffsetFetch: " + top, NowMs);
            error = new KafkaException(top, $"Fetching committed offsets of group '{_config.GroupId}' failed: {top}.");
            return null;
        }
        return result;
    }

    static bool AddCommitted(Dictionary<TopicPartition, OffsetAndMetadata?> result, string topic, int partition, ErrorCode error,
        long offset, int leaderEpoch, string? metadata, out KafkaException? failure)
    {
        failure = null;
        var tp = new TopicPartition(topic, partition);
        if (error == ErrorCode.None)
        {
            result[tp] = offset >= 0 ? new OffsetAndMetadata(offset, metadata, leaderEpoch >= 0 ? leaderEpoch : null) : null;
            return true;
        }
        if (error == ErrorCode.UnknownTopicOrPartition)
        {
            result[tp] = null;
            return true;
        }
        // UNSTABLE_OFFSET_COMMIT (KIP-447) and loading are retriable: ask again.
        failure = new KafkaException(error, $"Fetching the committed offset of {tp} failed: {error}.");
        return false;
    }

    /// <summary>Close: commit (auto-commit), revoke, leave the group (dynamic members), stop the heartbeat thread.</summary>
    public void Close(ConsumerTimer timer)
    {
        try
        {
            if (AutoCommitEnabled)
            {
                var offsets = _subscriptions.AllConsumed();
                if (offsets.Count > 0) CommitOffsetsSync(offsets, timer, throwOnFailure: false);
            }
            var owned = _subscriptions.AssignedPartitions();
            // A callback failure is logged by the invoker and not rethrown: closing must finish
            // (leave the group, release connections), and Dispose calls this.
            if (owned.Count > 0 && _subscriptions.HasAutoAssignedPartitions) _listener.InvokePartitionsRevoked(owned);
            LeaveGroupCall? leave;
            Node? coordinator;
            lock (_lock)
            {
                coordinator = CoordinatorNode();
                leave = _membership.LeaveGroup("the consumer is being closed", markLost: false);
            }
            if (leave is not null && coordinator is not null)
            {
                var future = SendLeaveGroup(coordinator, leave);
                _client.Poll(future, timer, disableWakeup: true);
            }
        }
        finally
        {
            Dispose();
        }
    }

    /// <summary>
    /// Unsubscribe: revoke and leave the group so the rest can take the partitions at once. A failing
    /// revoke callback is thrown after the LeaveGroup went out, so the group does not wait for this member.
    /// </summary>
    public void LeaveGroupOnUnsubscribe(ConsumerTimer timer)
    {
        var owned = _subscriptions.AssignedPartitions();
        var listenerFailure = owned.Count > 0 ? _listener.InvokePartitionsRevoked(owned) : null;
        LeaveGroupCall? leave;
        Node? coordinator;
        lock (_lock)
        {
            coordinator = CoordinatorNode();
            leave = _membership.LeaveGroup("the consumer unsubscribed", markLost: false);
        }
        if (leave is not null && coordinator is not null) _client.Poll(SendLeaveGroup(coordinator, leave), timer, disableWakeup: true);
        RebalanceListenerInvoker.ThrowIfFailed(listenerFailure);
    }
}
