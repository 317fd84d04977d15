using Samsa.Protocol;

namespace Samsa.Broker.State;

/// <summary>Group coordinator settings (Kafka's group.* broker configs).</summary>
internal sealed record GroupSettings(int MinSessionTimeoutMs, int MaxSessionTimeoutMs, int InitialRebalanceDelayMs);

/// <summary>
/// The classic group protocol state machine (Kafka's GroupCoordinator + GroupMetadata): joins,
/// syncs, heartbeats, leaves, session and rebalance timeouts, and committed offsets. It does no
/// I/O: requests park on TaskCompletionSources that complete when the group moves on, and time
/// comes from a <see cref="TimeProvider"/> so tests drive expirations with a fake clock through
/// <see cref="Tick"/>. One lock guards all groups; none of this is on a hot path.
/// </summary>
internal sealed class GroupCoordinator : IDisposable
{
    private readonly object _lock = new();
    private readonly Dictionary<string, ConsumerGroup> _groups = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly GroupSettings _settings;
    private readonly ITimer? _timer;

    public GroupCoordinator(TimeProvider time, GroupSettings settings, bool startTimer = true)
    {
        _time = time;
        _settings = settings;
        if (startTimer)
        {
            _timer = time.CreateTimer(_ => Tick(), null, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50));
        }
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Raised after offsets change, so the cluster can persist them.</summary>
    public event Action? OffsetsChanged;

    public Task<JoinResult> JoinAsync(
        string groupId, string memberId, string? groupInstanceId, string protocolType,
        List<(string Name, byte[] Metadata)> protocols, int sessionTimeoutMs, int rebalanceTimeoutMs,
        bool requireKnownMemberId, string clientId, string clientHost)
    {
        if (string.IsNullOrEmpty(groupId))
        {
            return Task.FromResult(new JoinResult(ErrorCode.InvalidGroupId));
        }
        if (sessionTimeoutMs < _settings.MinSessionTimeoutMs || sessionTimeoutMs > _settings.MaxSessionTimeoutMs)
        {
            return Task.FromResult(new JoinResult(ErrorCode.InvalidSessionTimeout, MemberId: memberId));
        }
        if (protocols.Count == 0 || string.IsNullOrEmpty(protocolType))
        {
            return Task.FromResult(new JoinResult(ErrorCode.InconsistentGroupProtocol, MemberId: memberId));
        }
        lock (_lock)
        {
            long now = NowMs;
            if (!_groups.TryGetValue(groupId, out var group))
            {
                if (memberId.Length > 0)
                {
                    return Task.FromResult(new JoinResult(ErrorCode.UnknownMemberId, MemberId: memberId));
                }
                group = new ConsumerGroup(groupId);
                _groups[groupId] = group;
            }
            if (group.State == GroupState.Dead)
            {
                return Task.FromResult(new JoinResult(ErrorCode.CoordinatorNotAvailable, MemberId: memberId));
            }
            if (!SupportsProtocols(group, memberId, protocolType, protocols))
            {
                return Task.FromResult(new JoinResult(ErrorCode.InconsistentGroupProtocol, MemberId: memberId));
            }

            GroupMember? member;
            if (memberId.Length == 0)
            {
                if (groupInstanceId is not null && group.StaticMembers.TryGetValue(groupInstanceId, out var oldId)
                    && group.Members.Remove(oldId, out var old))
                {
                    // KIP-345: a static member coming back takes over its old identity; the old
                    // incarnation is fenced.
                    old.PendingJoin?.TrySetResult(new JoinResult(ErrorCode.FencedInstanceId, MemberId: oldId));
                    old.PendingSync?.TrySetResult(new SyncResult(ErrorCode.FencedInstanceId));
                    old.PendingJoin = null;
                    old.PendingSync = null;
                    old.MemberId = NewMemberId(clientId);
                    group.Members[old.MemberId] = old;
                    group.StaticMembers[groupInstanceId] = old.MemberId;
                    if (group.LeaderId == oldId)
                    {
                        group.LeaderId = old.MemberId;
                    }
                    member = old;
                }
                else
                {
                    string newId = NewMemberId(clientId);
                    if (requireKnownMemberId && groupInstanceId is null)
                    {
                        // KIP-394: hand out the id first, so a client that dies before its
                        // second join never becomes a member the group waits for.
                        group.PendingMembers[newId] = now + sessionTimeoutMs;
                        return Task.FromResult(new JoinResult(ErrorCode.MemberIdRequired, MemberId: newId));
                    }
                    member = new GroupMember(newId, groupInstanceId, clientId, clientHost);
                    group.Members[newId] = member;
                    if (groupInstanceId is not null)
                    {
                        group.StaticMembers[groupInstanceId] = newId;
                    }
                }
            }
            else if (!group.Members.TryGetValue(memberId, out member))
            {
                if (!group.PendingMembers.Remove(memberId))
                {
                    return Task.FromResult(new JoinResult(ErrorCode.UnknownMemberId, MemberId: memberId));
                }
                member = new GroupMember(memberId, groupInstanceId, clientId, clientHost);
                group.Members[memberId] = member;
                if (groupInstanceId is not null)
                {
                    group.StaticMembers[groupInstanceId] = memberId;
                }
            }
            else if (groupInstanceId is not null && group.StaticMembers.TryGetValue(groupInstanceId, out var current) && current != memberId)
            {
                return Task.FromResult(new JoinResult(ErrorCode.FencedInstanceId, MemberId: memberId));
            }

            bool changed = !member.SameProtocols(protocols) || member.ProtocolType != protocolType;
            member.ClientId = clientId;
            member.ClientHost = clientHost;
            member.SessionTimeoutMs = sessionTimeoutMs;
            member.RebalanceTimeoutMs = rebalanceTimeoutMs;
            member.ProtocolType = protocolType;
            member.Protocols = protocols;
            member.LastHeartbeatMs = now;
            member.PendingJoin?.TrySetResult(new JoinResult(ErrorCode.UnknownMemberId, MemberId: member.MemberId));
            var pending = new TaskCompletionSource<JoinResult>(TaskCreationOptions.RunContinuationsAsynchronously);

            switch (group.State)
            {
                case GroupState.Stable when !changed && group.LeaderId != member.MemberId:
                case GroupState.CompletingRebalance when !changed:
                    // Nothing changed: answer with the current generation (Kafka does the same).
                    return Task.FromResult(JoinResponseFor(group, member));
                case GroupState.PreparingRebalance:
                    member.PendingJoin = pending;
                    TryCompleteJoin(group, now);
                    return pending.Task;
                default:
                    member.PendingJoin = pending;
                    PrepareRebalance(group, now);
                    TryCompleteJoin(group, now);
                    return pending.Task;
            }
        }
    }

    private static string NewMemberId(string clientId) => $"{(string.IsNullOrEmpty(clientId) ? "member" : clientId)}-{Guid.NewGuid():N}";

    /// <summary>Whether the joining member shares the protocol type and at least one protocol with every other member.</summary>
    private static bool SupportsProtocols(ConsumerGroup group, string memberId, string protocolType, List<(string Name, byte[] Metadata)> protocols)
    {
        bool others = false;
        foreach (var m in group.Members.Values)
        {
            if (m.MemberId != memberId)
            {
                others = true;
                break;
            }
        }
        if (!others)
        {
            return true;
        }
        if (group.ProtocolType is not null && group.ProtocolType != protocolType)
        {
            return false;
        }
        foreach (var (name, _) in protocols)
        {
            bool all = true;
            foreach (var m in group.Members.Values)
            {
                if (m.MemberId != memberId && !m.Protocols.Exists(p => p.Name == name))
                {
                    all = false;
                    break;
                }
            }
            if (all)
            {
                return true;
            }
        }
        return false;
    }

    private void PrepareRebalance(ConsumerGroup group, long now)
    {
        if (group.State == GroupState.CompletingRebalance)
        {
            foreach (var m in group.Members.Values)
            {
                m.PendingSync?.TrySetResult(new SyncResult(ErrorCode.RebalanceInProgress));
                m.PendingSync = null;
            }
        }
        int timeout = 0;
        foreach (var m in group.Members.Values)
        {
            timeout = Math.Max(timeout, m.RebalanceTimeoutMs);
        }
        bool initial = group.State == GroupState.Empty;
        group.State = GroupState.PreparingRebalance;
        group.RebalanceDeadlineMs = now + (initial ? Math.Min(timeout, _settings.InitialRebalanceDelayMs) : timeout);
        group.InitialDelay = initial && _settings.InitialRebalanceDelayMs > 0;
    }

    /// <summary>Completes the join phase when every member has rejoined or the deadline passed.</summary>
    private void TryCompleteJoin(ConsumerGroup group, long now)
    {
        if (group.State != GroupState.PreparingRebalance)
        {
            return;
        }
        bool allJoined = group.Members.Values.All(m => m.PendingJoin is not null);
        bool deadline = now >= group.RebalanceDeadlineMs;
        if ((!allJoined || group.InitialDelay) && !deadline)
        {
            return;
        }
        group.InitialDelay = false;
        foreach (var m in group.Members.Values.Where(m => m.PendingJoin is null).ToList())
        {
            RemoveMember(group, m);
        }
        group.GenerationId++;
        if (group.Members.Count == 0)
        {
            group.State = GroupState.Empty;
            group.ProtocolName = null;
            group.LeaderId = null;
            return;
        }
        group.ProtocolType = group.Members.Values.First().ProtocolType;
        group.ProtocolName = SelectProtocol(group);
        if (group.LeaderId is null || !group.Members.ContainsKey(group.LeaderId))
        {
            group.LeaderId = group.Members.Keys.First();
        }
        group.State = GroupState.CompletingRebalance;
        foreach (var m in group.Members.Values)
        {
            m.Assignment = [];
            m.LastHeartbeatMs = now;
            var pending = m.PendingJoin!;
            m.PendingJoin = null;
            pending.TrySetResult(JoinResponseFor(group, m));
        }
    }

    private static JoinResult JoinResponseFor(ConsumerGroup group, GroupMember member)
    {
        List<GroupMemberView>? members = null;
        if (member.MemberId == group.LeaderId)
        {
            members = [];
            foreach (var m in group.Members.Values)
            {
                members.Add(new GroupMemberView(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost, m.MetadataFor(group.ProtocolName!), []));
            }
        }
        return new JoinResult(ErrorCode.None, group.GenerationId, group.ProtocolType, group.ProtocolName, group.LeaderId!, member.MemberId, members ?? []);
    }

    /// <summary>Kafka's vote: every member votes for its most preferred protocol that all members support.</summary>
    private static string SelectProtocol(ConsumerGroup group)
    {
        var candidates = group.Members.Values.First().Protocols.Select(p => p.Name)
            .Where(name => group.Members.Values.All(m => m.Protocols.Exists(p => p.Name == name))).ToList();
        var votes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var m in group.Members.Values)
        {
            var choice = m.Protocols.First(p => candidates.Contains(p.Name)).Name;
            votes[choice] = votes.GetValueOrDefault(choice) + 1;
        }
        return votes.OrderByDescending(v => v.Value).ThenBy(v => candidates.IndexOf(v.Key)).First().Key;
    }

    private static void RemoveMember(ConsumerGroup group, GroupMember member)
    {
        group.Members.Remove(member.MemberId);
        if (member.GroupInstanceId is not null && group.StaticMembers.GetValueOrDefault(member.GroupInstanceId) == member.MemberId)
        {
            group.StaticMembers.Remove(member.GroupInstanceId);
        }
        member.PendingJoin?.TrySetResult(new JoinResult(ErrorCode.UnknownMemberId, MemberId: member.MemberId));
        member.PendingSync?.TrySetResult(new SyncResult(ErrorCode.UnknownMemberId));
        member.PendingJoin = null;
        member.PendingSync = null;
        if (group.LeaderId == member.MemberId)
        {
            group.LeaderId = group.Members.Keys.FirstOrDefault();
        }
    }

    private ErrorCode Validate(ConsumerGroup? group, string memberId, string? groupInstanceId, int generationId, out GroupMember? member)
    {
        member = null;
        if (group is null || group.State == GroupState.Dead)
        {
            return ErrorCode.UnknownMemberId;
        }
        if (groupInstanceId is not null && group.StaticMembers.TryGetValue(groupInstanceId, out var current) && current != memberId)
        {
            return ErrorCode.FencedInstanceId;
        }
        if (!group.Members.TryGetValue(memberId, out member))
        {
            return ErrorCode.UnknownMemberId;
        }
        if (generationId != group.GenerationId)
        {
            return ErrorCode.IllegalGeneration;
        }
        return ErrorCode.None;
    }

    public Task<SyncResult> SyncAsync(string groupId, int generationId, string memberId, string? groupInstanceId,
        string? protocolType, string? protocolName, List<(string MemberId, byte[] Assignment)> assignments)
    {
        lock (_lock)
        {
            var group = _groups.GetValueOrDefault(groupId);
            var error = Validate(group, memberId, groupInstanceId, generationId, out var member);
            if (error != ErrorCode.None)
            {
                return Task.FromResult(new SyncResult(error));
            }
            if ((protocolType is not null && protocolType != group!.ProtocolType) || (protocolName is not null && protocolName != group!.ProtocolName))
            {
                return Task.FromResult(new SyncResult(ErrorCode.InconsistentGroupProtocol));
            }
            member!.LastHeartbeatMs = NowMs;
            switch (group!.State)
            {
                case GroupState.PreparingRebalance:
                    return Task.FromResult(new SyncResult(ErrorCode.RebalanceInProgress));
                case GroupState.Stable:
                    return Task.FromResult(new SyncResult(ErrorCode.None, group.ProtocolType, group.ProtocolName, member.Assignment));
                case GroupState.CompletingRebalance:
                    var pending = new TaskCompletionSource<SyncResult>(TaskCreationOptions.RunContinuationsAsynchronously);
                    member.PendingSync?.TrySetResult(new SyncResult(ErrorCode.RebalanceInProgress));
                    member.PendingSync = pending;
                    if (memberId == group.LeaderId)
                    {
                        foreach (var m in group.Members.Values)
                        {
                            m.Assignment = [];
                        }
                        foreach (var (id, assignment) in assignments)
                        {
                            if (group.Members.TryGetValue(id, out var target))
                            {
                                target.Assignment = assignment;
                            }
                        }
                        group.State = GroupState.Stable;
                        foreach (var m in group.Members.Values)
                        {
                            m.PendingSync?.TrySetResult(new SyncResult(ErrorCode.None, group.ProtocolType, group.ProtocolName, m.Assignment));
                            m.PendingSync = null;
                        }
                    }
                    return pending.Task;
                default:
                    return Task.FromResult(new SyncResult(ErrorCode.UnknownMemberId));
            }
        }
    }

    public ErrorCode Heartbeat(string groupId, int generationId, string memberId, string? groupInstanceId)
    {
        lock (_lock)
        {
            var group = _groups.GetValueOrDefault(groupId);
            var error = Validate(group, memberId, groupInstanceId, generationId, out var member);
            if (member is not null && error is ErrorCode.None or ErrorCode.IllegalGeneration)
            {
                member.LastHeartbeatMs = NowMs;
            }
            if (error != ErrorCode.None)
            {
                return error;
            }
            return group!.State == GroupState.PreparingRebalance ? ErrorCode.RebalanceInProgress : ErrorCode.None;
        }
    }

    /// <summary>Removes members; each (memberId, instanceId) gets its own error (LeaveGroup v3+).</summary>
    public (ErrorCode GroupError, List<ErrorCode> MemberErrors) Leave(string groupId, List<(string MemberId, string? GroupInstanceId)> members)
    {
        lock (_lock)
        {
            var errors = new List<ErrorCode>(members.Count);
            if (!_groups.TryGetValue(groupId, out var group) || group.State == GroupState.Dead)
            {
                foreach (var _ in members)
                {
                    errors.Add(ErrorCode.UnknownMemberId);
                }
                return (ErrorCode.UnknownMemberId, errors);
            }
            bool removed = false;
            foreach (var (memberId, instanceId) in members)
            {
                string? id = memberId;
                if (instanceId is not null)
                {
                    if (!group.StaticMembers.TryGetValue(instanceId, out var current))
                    {
                        errors.Add(ErrorCode.UnknownMemberId);
                        continue;
                    }
                    if (memberId.Length > 0 && memberId != current)
                    {
                        errors.Add(ErrorCode.FencedInstanceId);
                        continue;
                    }
                    id = current;
                }
                if (group.Members.TryGetValue(id, out var member))
                {
                    RemoveMember(group, member);
                    removed = true;
                    errors.Add(ErrorCode.None);
                }
                else if (group.PendingMembers.Remove(id))
                {
                    errors.Add(ErrorCode.None);
                }
                else
                {
                    errors.Add(ErrorCode.UnknownMemberId);
                }
            }
            if (removed)
            {
                OnMembershipChanged(group, NowMs);
            }
            return (ErrorCode.None, errors);
        }
    }

    private void OnMembershipChanged(ConsumerGroup group, long now)
    {
        switch (group.State)
        {
            case GroupState.Stable:
            case GroupState.CompletingRebalance:
                if (group.Members.Count == 0)
                {
                    group.State = GroupState.Empty;
                    group.GenerationId++;
                    group.LeaderId = null;
                    group.ProtocolName = null;
                }
                else
                {
                    PrepareRebalance(group, now);
                }
                break;
            case GroupState.PreparingRebalance:
                TryCompleteJoin(group, now);
                break;
        }
    }

    /// <summary>Expires sessions, ends overdue join phases and forgets stale pending member ids.</summary>
    public void Tick()
    {
        lock (_lock)
        {
            long now = NowMs;
            foreach (var group in _groups.Values)
            {
                foreach (var (id, expiry) in group.PendingMembers.ToList())
                {
                    if (now >= expiry)
                    {
                        group.PendingMembers.Remove(id);
                    }
                }
                bool removed = false;
                foreach (var member in group.Members.Values.ToList())
                {
                    // A member parked in JoinGroup is alive by definition (Kafka completes its
                    // heartbeat while the join is pending).
                    if (member.PendingJoin is null && now - member.LastHeartbeatMs >= member.SessionTimeoutMs)
                    {
                        RemoveMember(group, member);
                        removed = true;
                    }
                }
                if (removed)
                {
                    OnMembershipChanged(group, now);
                }
                else if (group.State == GroupState.PreparingRebalance)
                {
                    TryCompleteJoin(group, now);
                }
            }
        }
    }

    /// <summary>Validates a commit's group/member/generation; ErrorCode.None means the offsets may be stored.</summary>
    public ErrorCode ValidateCommit(string groupId, int generationId, string memberId, string? groupInstanceId)
    {
        lock (_lock)
        {
            var group = _groups.GetValueOrDefault(groupId);
            if (generationId < 0 && memberId.Length == 0)
            {
                // A simple (standalone) consumer: allowed unless the group has live members.
                return group is null || group.State is GroupState.Empty or GroupState.Dead ? ErrorCode.None : ErrorCode.IllegalGeneration;
            }
            var error = Validate(group, memberId, groupInstanceId, generationId, out var member);
            if (error != ErrorCode.None)
            {
                return error;
            }
            member!.LastHeartbeatMs = NowMs;
            // As Kafka's GroupCoordinator: a member of the current generation may still commit while
            // the group prepares a rebalance (that is how consumers commit before revoking); only once
            // the new generation exists (CompletingRebalance) is the old one's commit refused.
            return group!.State == GroupState.CompletingRebalance ? ErrorCode.RebalanceInProgress : ErrorCode.None;
        }
    }

    public void StoreOffset(string groupId, string topic, int partition, CommittedOffset offset)
    {
        lock (_lock)
        {
            if (!_groups.TryGetValue(groupId, out var group))
            {
                group = new ConsumerGroup(groupId);
                _groups[groupId] = group;
            }
            if (group.State == GroupState.Dead)
            {
                group.State = GroupState.Empty;
            }
            group.Offsets[(topic, partition)] = offset;
        }
    }

    public void OnOffsetsStored() => OffsetsChanged?.Invoke();

    public void StoreTxnOffset(string groupId, long producerId, string topic, int partition, CommittedOffset offset)
    {
        lock (_lock)
        {
            if (!_groups.TryGetValue(groupId, out var group))
            {
                group = new ConsumerGroup(groupId);
                _groups[groupId] = group;
            }
            if (!group.PendingTxnOffsets.TryGetValue(producerId, out var pending))
            {
                pending = [];
                group.PendingTxnOffsets[producerId] = pending;
            }
            pending[(topic, partition)] = offset;
        }
    }

    /// <summary>Applies or discards a producer's transactional offsets when its transaction ends.</summary>
    public void CompleteTxn(string groupId, long producerId, bool commit)
    {
        lock (_lock)
        {
            if (_groups.TryGetValue(groupId, out var group) && group.PendingTxnOffsets.Remove(producerId, out var pending) && commit)
            {
                foreach (var (key, offset) in pending)
                {
                    group.Offsets[key] = offset;
                }
            }
        }
        if (commit)
        {
            OffsetsChanged?.Invoke();
        }
    }

    /// <summary>Committed offset, or null; <paramref name="unstable"/> is set when a transaction holds a newer one (KIP-447).</summary>
    public CommittedOffset? FetchOffset(string groupId, string topic, int partition, out bool unstable)
    {
        lock (_lock)
        {
            unstable = false;
            if (!_groups.TryGetValue(groupId, out var group))
            {
                return null;
            }
            foreach (var pending in group.PendingTxnOffsets.Values)
            {
                if (pending.ContainsKey((topic, partition)))
                {
                    unstable = true;
                }
            }
            return group.Offsets.TryGetValue((topic, partition), out var o) ? o : null;
        }
    }

    public List<(string Topic, int Partition, CommittedOffset Offset)> FetchAllOffsets(string groupId)
    {
        lock (_lock)
        {
            var result = new List<(string, int, CommittedOffset)>();
            if (_groups.TryGetValue(groupId, out var group))
            {
                foreach (var ((topic, partition), offset) in group.Offsets.OrderBy(o => o.Key.Topic, StringComparer.Ordinal).ThenBy(o => o.Key.Partition))
                {
                    result.Add((topic, partition, offset));
                }
            }
            return result;
        }
    }

    public ErrorCode DeleteOffsets(string groupId, string topic, int partition)
    {
        lock (_lock)
        {
            if (!_groups.TryGetValue(groupId, out var group))
            {
                return ErrorCode.GroupIdNotFound;
            }
            group.Offsets.Remove((topic, partition));
            return ErrorCode.None;
        }
    }

    public List<(string GroupId, string ProtocolType, string State)> List()
    {
        lock (_lock)
        {
            return [.. _groups.Values.Where(g => g.State != GroupState.Dead).OrderBy(g => g.GroupId, StringComparer.Ordinal)
                .Select(g => (g.GroupId, g.ProtocolType ?? "", g.StateName))];
        }
    }

    /// <summary>DescribeGroups view; a group that does not exist is reported as Dead, as Kafka does.</summary>
    public (string State, string ProtocolType, string Protocol, List<GroupMemberView> Members) Describe(string groupId)
    {
        lock (_lock)
        {
            if (!_groups.TryGetValue(groupId, out var group))
            {
                return ("Dead", "", "", []);
            }
            var members = new List<GroupMemberView>();
            foreach (var m in group.Members.Values)
            {
                members.Add(new GroupMemberView(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost,
                    group.ProtocolName is null ? [] : m.MetadataFor(group.ProtocolName), m.Assignment));
            }
            string protocol = group.State == GroupState.Stable || group.State == GroupState.CompletingRebalance ? group.ProtocolName ?? "" : "";
            return (group.StateName, group.ProtocolType ?? "", protocol, members);
        }
    }

    public ErrorCode Delete(string groupId)
    {
        lock (_lock)
        {
            if (!_groups.TryGetValue(groupId, out var group) || group.State == GroupState.Dead)
            {
                return ErrorCode.GroupIdNotFound;
            }
            if (group.State != GroupState.Empty)
            {
                return ErrorCode.NonEmptyGroup;
            }
            group.State = GroupState.Dead;
            _groups.Remove(groupId);
        }
        OffsetsChanged?.Invoke();
        return ErrorCode.None;
    }

    /// <summary>Every group's committed offsets, for persistence.</summary>
    public Dictionary<string, List<(string Topic, int Partition, CommittedOffset Offset)>> Snapshot()
    {
        lock (_lock)
        {
            var result = new Dictionary<string, List<(string, int, CommittedOffset)>>(StringComparer.Ordinal);
            foreach (var g in _groups.Values)
            {
                result[g.GroupId] = [.. g.Offsets.Select(o => (o.Key.Topic, o.Key.Partition, o.Value))];
            }
            return result;
        }
    }

    public void Dispose() => _timer?.Dispose();
}
