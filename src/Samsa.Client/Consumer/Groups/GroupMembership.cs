using Samsa.Protocol;
using Samsa.Protocol.Errors;

namespace Samsa.Client.Consumer.Groups;

/// <summary>Where a member stands in the classic group protocol (Java's MemberState).</summary>
internal enum MemberState
{
    /// <summary>Not in a generation; a JoinGroup is next once the application prepared the join.</summary>
    Unjoined,

    /// <summary>JoinGroup in flight.</summary>
    Joining,

    /// <summary>SyncGroup in flight.</summary>
    Syncing,

    /// <summary>Has an assignment for the current generation; heartbeating.</summary>
    Stable,
}

/// <summary>Timings of the membership, in milliseconds.</summary>
internal sealed record GroupMembershipSettings(
    string GroupId,
    string? GroupInstanceId,
    int SessionTimeoutMs,
    int RebalanceTimeoutMs,
    int HeartbeatIntervalMs,
    long RetryBackoffMs);

/// <summary>
/// The classic consumer group protocol as a state machine that does no I/O (Java's AbstractCoordinator
/// plus Heartbeat, shaped like its RequestManager.poll): <see cref="Poll"/> returns the requests to send
/// now (FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup) and the <c>On*</c> methods feed
/// their responses back. The owner serialises calls (it holds a lock): the heartbeat thread drives
/// Poll, the application thread runs the rebalance callbacks and then calls <see cref="JoinPrepared"/>.
/// Time comes in as arguments, so tests drive it with a fake clock.
/// </summary>
internal sealed class GroupMembership
{
    readonly GroupMembershipSettings _settings;
    readonly Func<IReadOnlyList<(string Name, byte[] Metadata)>> _protocols;
    readonly Func<string, string, IReadOnlyList<JoinGroupMember>, IReadOnlyList<(string MemberId, byte[] Assignment)>> _assign;

    bool _findInFlight;
    bool _heartbeatInFlight;
    long _nextFindMs;
    long _nextJoinMs;
    long _lastHeartbeatSendMs;
    long _lastHeartbeatReceiveMs;
    long _nextHeartbeatMs;
    bool _joinPrepared;
    (Generation Generation, byte[] Assignment)? _pendingAssignment;
    SyncGroupCall? _pendingSync;

    /// <param name="settings">Group id, instance id and timings.</param>
    /// <param name="protocols">Supplies the JoinGroup protocols (assignor names with subscription metadata) at join time.</param>
    /// <param name="assign">Leader only: (protocol, leader id, members) to each member's serialized assignment.</param>
    public GroupMembership(GroupMembershipSettings settings,
        Func<IReadOnlyList<(string Name, byte[] Metadata)>> protocols,
        Func<string, string, IReadOnlyList<JoinGroupMember>, IReadOnlyList<(string MemberId, byte[] Assignment)>> assign)
    {
        _settings = settings;
        _protocols = protocols;
        _assign = assign;
    }

    public MemberState State { get; private set; } = MemberState.Unjoined;

    /// <summary>The coordinator's broker id and address, or null while unknown.</summary>
    public (int NodeId, string Host, int Port)? Coordinator { get; private set; }

    /// <summary>The current generation (NoGeneration when not in one). MemberId survives failed joins.</summary>
    public Generation Generation { get; private set; } = Generation.NoGeneration;

    /// <summary>True when the member must (re)join: initially, after a rebalance signal, after losing its generation.</summary>
    public bool RejoinNeeded { get; private set; } = true;

    /// <summary>
    /// True when the generation was lost (fenced, expired, left on poll timeout) while owning partitions:
    /// the application calls onPartitionsLost instead of onPartitionsRevoked before rejoining.
    /// </summary>
    public bool GenerationLost { get; private set; }

    /// <summary>Why the last rejoin was requested, for logs.</summary>
    public string RejoinReason { get; private set; } = "initial join";

    /// <summary>A non-retriable failure (fenced static member, authorization...). Surfaced to the application.</summary>
    public KafkaException? FatalError { get; private set; }

    /// <summary>True when the application must run onJoinPrepare (commit, revoke) before the JoinGroup goes out.</summary>
    public bool NeedsJoinPrepare => RejoinNeeded && !_joinPrepared && State is MemberState.Unjoined or MemberState.Stable;

    public bool IsStatic => _settings.GroupInstanceId is not null;

    /// <summary>The application finished onJoinPrepare; the next Poll may send JoinGroup.</summary>
    public void JoinPrepared()
    {
        _joinPrepared = true;
        GenerationLost = false;
        if (State == MemberState.Stable) State = MemberState.Unjoined;
    }

    /// <summary>Asks for a rebalance, e.g. when the subscription or a topic's partition count changed, or after a cooperative revoke.</summary>
    public void RequestRejoin(string reason)
    {
        if (!RejoinNeeded) RejoinReason = reason;
        RejoinNeeded = true;
    }

    /// <summary>The assignment received by the latest SyncGroup, once; null when none is new.</summary>
    public (Generation Generation, byte[] Assignment)? TakeAssignment()
    {
        var a = _pendingAssignment;
        _pendingAssignment = null;
        return a;
    }

    public void MarkCoordinatorUnknown(string reason, long nowMs)
    {
        if (Coordinator is null) return;
        Coordinator = null;
        LastCoordinatorLossReason = reason;
        _heartbeatInFlight = false;
        _nextFindMs = Math.Max(_nextFindMs, nowMs);
        // A join or sync addressed to the old coordinator is abandoned; the generation (if any) stays.
        if (State is MemberState.Joining or MemberState.Syncing)
        {
            State = MemberState.Unjoined;
            _pendingSync = null;
            _joinPrepared = true;
            RejoinNeeded = true;
        }
    }

    public string? LastCoordinatorLossReason { get; private set; }

    /// <summary>Returns the requests to send now.</summary>
    public List<GroupRequest> Poll(long nowMs)
    {
        var result = new List<GroupRequest>();
        if (FatalError is not null) return result;
        if (Coordinator is null)
        {
            if (!_findInFlight && nowMs >= _nextFindMs)
            {
                _findInFlight = true;
                result.Add(new FindCoordinatorCall(_settings.GroupId));
            }
            return result;
        }

        if (State == MemberState.Stable)
        {
            if (nowMs - _lastHeartbeatReceiveMs > _settings.SessionTimeoutMs && _lastHeartbeatReceiveMs < _lastHeartbeatSendMs)
            {
                // No successful heartbeat for a whole session: treat the coordinator as gone (Java does the same).
                MarkCoordinatorUnknown("session timed out without a successful heartbeat", nowMs);
                return Poll(nowMs);
            }
            if (!_heartbeatInFlight && nowMs >= _nextHeartbeatMs)
            {
                _heartbeatInFlight = true;
                _lastHeartbeatSendMs = nowMs;
                result.Add(new HeartbeatCall(_settings.GroupId, Generation.GenerationId, Generation.MemberId, _settings.GroupInstanceId));
            }
        }

        if (State == MemberState.Syncing && _pendingSync is not null)
        {
            result.Add(_pendingSync);
            _pendingSync = null;
        }

        if (State == MemberState.Unjoined && RejoinNeeded && _joinPrepared && nowMs >= _nextJoinMs)
        {
            State = MemberState.Joining;
            result.Add(new JoinGroupCall(_settings.GroupId, _settings.SessionTimeoutMs, _settings.RebalanceTimeoutMs,
                Generation.MemberId, _settings.GroupInstanceId, _protocols()));
        }
        return result;
    }

    /// <summary>Milliseconds until <see cref="Poll"/> has something time-driven to do (capped by the caller).</summary>
    public long TimeToNextPoll(long nowMs)
    {
        if (FatalError is not null) return long.MaxValue;
        if (Coordinator is null) return _findInFlight ? long.MaxValue : Math.Max(0, _nextFindMs - nowMs);
        if (State == MemberState.Stable)
        {
            var hb = _heartbeatInFlight ? long.MaxValue : Math.Max(0, _nextHeartbeatMs - nowMs);
            var session = Math.Max(0, _lastHeartbeatReceiveMs + _settings.SessionTimeoutMs + 1 - nowMs);
            return Math.Min(hb, session);
        }
        if (State == MemberState.Unjoined && RejoinNeeded && _joinPrepared) return Math.Max(0, _nextJoinMs - nowMs);
        if (_pendingSync is not null) return 0;
        return long.MaxValue;
    }

    public void OnFindCoordinatorResponse(ErrorCode error, int nodeId, string host, int port, long nowMs)
    {
        _findInFlight = false;
        if (error == ErrorCode.None && nodeId >= 0)
        {
            Coordinator = (nodeId, host, port);
            return;
        }
        if (error is ErrorCode.GroupAuthorizationFailed)
        {
            FatalError = new KafkaException(error, $"Not authorized to use group '{_settings.GroupId}'.");
            return;
        }
        _nextFindMs = nowMs + _settings.RetryBackoffMs;
    }

    /// <summary>A request failed without a response (disconnect, timeout).</summary>
    public void OnRequestFailed(GroupRequest call, long nowMs)
    {
        switch (call)
        {
            case FindCoordinatorCall:
                _findInFlight = false;
                _nextFindMs = nowMs + _settings.RetryBackoffMs;
                break;
            case HeartbeatCall:
                _heartbeatInFlight = false;
                _nextHeartbeatMs = nowMs + _settings.RetryBackoffMs;
                MarkCoordinatorUnknown("heartbeat failed", nowMs);
                break;
            case JoinGroupCall or SyncGroupCall:
                MarkCoordinatorUnknown("join/sync failed", nowMs);
                if (State is MemberState.Joining or MemberState.Syncing)
                {
                    State = MemberState.Unjoined;
                    _joinPrepared = true;
                }
                break;
        }
    }

    public void OnJoinGroupResponse(JoinGroupResult r, long nowMs)
    {
        if (State != MemberState.Joining) return;
        State = MemberState.Unjoined;
        switch (r.Error)
        {
            case ErrorCode.None:
                Generation = new Generation(r.GenerationId, r.MemberId, r.ProtocolName);
                if (r.ProtocolName is null)
                {
                    FatalError = new KafkaException(ErrorCode.InconsistentGroupProtocol, "JoinGroup response named no protocol.");
                    return;
                }
                IReadOnlyList<(string, byte[])> assignments = [];
                if (r.LeaderId == r.MemberId)
                {
                    try
                    {
                        assignments = _assign(r.ProtocolName, r.LeaderId, r.Members);
                    }
                    catch (Exception e) when (e is KafkaException or InvalidOperationException or ArgumentException)
                    {
                        FatalError = e as KafkaException ?? new KafkaException("Group leader failed to assign partitions: " + e.Message, e);
                        return;
                    }
                }
                State = MemberState.Syncing;
                _pendingSync = new SyncGroupCall(_settings.GroupId, r.GenerationId, r.MemberId, _settings.GroupInstanceId, r.ProtocolName, assignments);
                return;
            case ErrorCode.MemberIdRequired:
                // KIP-394: the broker handed out a member id; join again with it right away.
                Generation = new Generation(-1, r.MemberId, null);
                _nextJoinMs = nowMs;
                return;
            case ErrorCode.UnknownMemberId:
                Generation = Generation.NoGeneration;
                _nextJoinMs = nowMs;
                return;
            case ErrorCode.IllegalGeneration:
                Generation = Generation with { GenerationId = -1 };
                _nextJoinMs = nowMs;
                return;
            case ErrorCode.CoordinatorNotAvailable or ErrorCode.NotCoordinator:
                MarkCoordinatorUnknown("JoinGroup: " + r.Error, nowMs);
                _joinPrepared = true;
                return;
            case ErrorCode.CoordinatorLoadInProgress or ErrorCode.RebalanceInProgress:
                _nextJoinMs = nowMs + _settings.RetryBackoffMs;
                return;
            default:
                if (r.Error.IsRetriable())
                {
                    _nextJoinMs = nowMs + _settings.RetryBackoffMs;
                    return;
                }
                FatalError = new KafkaException(r.Error, $"JoinGroup for group '{_settings.GroupId}' failed: {r.Error}" +
                    (r.Error == ErrorCode.FencedInstanceId ? $" (another consumer uses group.instance.id '{_settings.GroupInstanceId}')." : "."));
                return;
        }
    }

    public void OnSyncGroupResponse(ErrorCode error, byte[] assignment, long nowMs)
    {
        if (State != MemberState.Syncing) return;
        State = MemberState.Unjoined;
        switch (error)
        {
            case ErrorCode.None:
                State = MemberState.Stable;
                RejoinNeeded = false;
                _joinPrepared = false;
                _pendingAssignment = (Generation, assignment);
                _lastHeartbeatReceiveMs = nowMs;
                _lastHeartbeatSendMs = nowMs;
                _nextHeartbeatMs = nowMs + _settings.HeartbeatIntervalMs;
                return;
            case ErrorCode.RebalanceInProgress:
                _joinPrepared = true;
                RequestRejoin("SyncGroup: rebalance in progress");
                return;
            case ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration:
                Generation = Generation.NoGeneration;
                _joinPrepared = true;
                RequestRejoin("SyncGroup: " + error);
                return;
            case ErrorCode.CoordinatorNotAvailable or ErrorCode.NotCoordinator:
                _joinPrepared = true;
                RequestRejoin("SyncGroup: " + error);
                MarkCoordinatorUnknown("SyncGroup: " + error, nowMs);
                return;
            default:
                if (error.IsRetriable())
                {
                    _joinPrepared = true;
                    _nextJoinMs = nowMs + _settings.RetryBackoffMs;
                    RequestRejoin("SyncGroup: " + error);
                    return;
                }
                FatalError = new KafkaException(error, $"SyncGroup for group '{_settings.GroupId}' failed: {error}.");
                return;
        }
    }

    public void OnHeartbeatResponse(ErrorCode error, long nowMs)
    {
        _heartbeatInFlight = false;
        _nextHeartbeatMs = nowMs + _settings.HeartbeatIntervalMs;
        switch (error)
        {
            case ErrorCode.None:
                _lastHeartbeatReceiveMs = nowMs;
                return;
            case ErrorCode.RebalanceInProgress:
                _lastHeartbeatReceiveMs = nowMs;
                RequestRejoin("group is rebalancing");
                return;
            case ErrorCode.IllegalGeneration:
                LoseGeneration("heartbeat: " + error, keepMemberId: true);
                return;
            case ErrorCode.UnknownMemberId:
                LoseGeneration("heartbeat: " + error, keepMemberId: false);
                return;
            case ErrorCode.FencedInstanceId:
                FatalError = new KafkaException(error, $"Consumer with group.instance.id '{_settings.GroupInstanceId}' was fenced by another instance.");
                return;
            case ErrorCode.CoordinatorNotAvailable or ErrorCode.NotCoordinator:
                MarkCoordinatorUnknown("heartbeat: " + error, nowMs);
                return;
            default:
                _nextHeartbeatMs = nowMs + _settings.RetryBackoffMs;
                return;
        }
    }

    // IllegalGeneration keeps the member id (the member still exists, only its generation is old);
    // UnknownMemberId drops it, as Java's resetStateAndGeneration does.
    void LoseGeneration(string reason, bool keepMemberId)
    {
        var hadGeneration = Generation.GenerationId >= 0 || State == MemberState.Stable;
        Generation = keepMemberId ? new Generation(-1, Generation.MemberId, null) : Generation.NoGeneration;
        State = MemberState.Unjoined;
        _joinPrepared = false;
        GenerationLost = hadGeneration;
        RejoinNeeded = true;
        RejoinReason = reason;
    }

    /// <summary>
    /// Leaves the group: returns the LeaveGroup to send (dynamic members only; a static member's
    /// session simply expires, KIP-345) and resets the generation.
    /// </summary>
    public LeaveGroupCall? LeaveGroup(string reason, bool markLost)
    {
        LeaveGroupCall? call = null;
        if (!IsStatic && Coordinator is not null && Generation.MemberId.Length > 0)
            call = new LeaveGroupCall(_settings.GroupId, Generation.MemberId, _settings.GroupInstanceId, reason);
        var owned = State == MemberState.Stable || Generation.GenerationId >= 0;
        Generation = Generation.NoGeneration;
        State = MemberState.Unjoined;
        _joinPrepared = false;
        _heartbeatInFlight = false;
        RejoinNeeded = true;
        RejoinReason = reason;
        if (markLost && owned) GenerationLost = true;
        return call;
    }

    /// <summary>
    /// Heartbeat-thread check of max.poll.interval.ms: leaves the group when the application has not
    /// polled in time (Java's pollTimer), so its partitions go to live members.
    /// </summary>
    public LeaveGroupCall? MaybeLeaveOnPollTimeout(long nowMs, long lastPollMs, long maxPollIntervalMs, out bool left)
    {
        left = false;
        if (State == MemberState.Unjoined && Generation.GenerationId < 0) return null;
        if (nowMs - lastPollMs <= maxPollIntervalMs) return null;
        left = true;
        return LeaveGroup("consumer poll timeout has expired: max.poll.interval.ms passed without a poll", markLost: true);
    }
}
