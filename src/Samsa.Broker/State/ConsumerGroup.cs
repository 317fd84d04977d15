using Samsa.Protocol;

namespace Samsa.Broker.State;

/// <summary>Classic group states, named as DescribeGroups reports them.</summary>
internal enum GroupState
{
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}

/// <summary>A JoinGroup answer.</summary>
internal sealed record JoinResult(
    ErrorCode Error,
    int GenerationId = -1,
    string? ProtocolType = null,
    string? ProtocolName = null,
    string LeaderId = "",
    string MemberId = "",
    IReadOnlyList<GroupMemberView>? Members = null);

/// <summary>A member as the JoinGroup leader and DescribeGroups see it.</summary>
internal sealed record GroupMemberView(string MemberId, string? GroupInstanceId, string ClientId, string ClientHost, byte[] Metadata, byte[] Assignment);

/// <summary>A SyncGroup answer.</summary>
internal sealed record SyncResult(ErrorCode Error, string? ProtocolType = null, string? ProtocolName = null, byte[]? Assignment = null);

/// <summary>A committed offset.</summary>
internal readonly record struct CommittedOffset(long Offset, int LeaderEpoch, string? Metadata, long CommitTimestamp);

/// <summary>One member of a classic group.</summary>
internal sealed class GroupMember
{
    public GroupMember(string memberId, string? groupInstanceId, string clientId, string clientHost)
    {
        MemberId = memberId;
        GroupInstanceId = groupInstanceId;
        ClientId = clientId;
        ClientHost = clientHost;
    }

    public string MemberId { get; set; }

    public string? GroupInstanceId { get; }

    public string ClientId { get; set; }

    public string ClientHost { get; set; }

    public int SessionTimeoutMs { get; set; }

    public int RebalanceTimeoutMs { get; set; }

    public string ProtocolType { get; set; } = "";

    public List<(string Name, byte[] Metadata)> Protocols { get; set; } = [];

    public byte[] Assignment { get; set; } = [];

    public long LastHeartbeatMs { get; set; }

    public TaskCompletionSource<JoinResult>? PendingJoin { get; set; }

    public TaskCompletionSource<SyncResult>? PendingSync { get; set; }

    public byte[] MetadataFor(string protocol)
    {
        foreach (var (name, metadata) in Protocols)
        {
            if (name == protocol)
            {
                return metadata;
            }
        }
        return [];
    }

    public bool SameProtocols(List<(string Name, byte[] Metadata)> other)
    {
        if (other.Count != Protocols.Count)
        {
            return false;
        }
        for (int i = 0; i < other.Count; i++)
        {
            if (other[i].Name != Protocols[i].Name || !other[i].Metadata.AsSpan().SequenceEqual(Protocols[i].Metadata))
            {
                return false;
            }
        }
        return true;
    }
}

/// <summary>One classic group: members, generation, and committed offsets.</summary>
internal sealed class ConsumerGroup
{
    public ConsumerGroup(string groupId) => GroupId = groupId;

    public string GroupId { get; }

    public GroupState State { get; set; } = GroupState.Empty;

    public int GenerationId { get; set; }

    public string? ProtocolType { get; set; }

    public string? ProtocolName { get; set; }

    public string? LeaderId { get; set; }

    public Dictionary<string, GroupMember> Members { get; } = new(StringComparer.Ordinal);

    /// <summary>Member ids handed out with MEMBER_ID_REQUIRED (KIP-394) and when they expire.</summary>
    public Dictionary<string, long> PendingMembers { get; } = new(StringComparer.Ordinal);

    /// <summary>Static members (KIP-345): instance id to member id.</summary>
    public Dictionary<string, string> StaticMembers { get; } = new(StringComparer.Ordinal);

    /// <summary>When the current PreparingRebalance phase ends even if members are missing.</summary>
    public long RebalanceDeadlineMs { get; set; }

    /// <summary>True while an empty group waits group.initial.rebalance.delay.ms for more members.</summary>
    public bool InitialDelay { get; set; }

    public Dictionary<(string Topic, int Partition), CommittedOffset> Offsets { get; } = [];

    /// <summary>Offsets committed inside open transactions, by producer id (KIP-98).</summary>
    public Dictionary<long, Dictionary<(string Topic, int Partition), CommittedOffset>> PendingTxnOffsets { get; } = [];

    public string StateName => State.ToString();
}
