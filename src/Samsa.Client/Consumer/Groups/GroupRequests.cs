using Samsa.Protocol;

namespace Samsa.Client.Consumer.Groups;

/// <summary>A request the group state machine wants sent. The shell maps it to the wire message.</summary>
internal abstract record GroupRequest;

/// <summary>FindCoordinator(key type GROUP) to any broker.</summary>
internal sealed record FindCoordinatorCall(string GroupId) : GroupRequest;

/// <summary>JoinGroup to the coordinator.</summary>
internal sealed record JoinGroupCall(
    string GroupId,
    int SessionTimeoutMs,
    int RebalanceTimeoutMs,
    string MemberId,
    string? GroupInstanceId,
    IReadOnlyList<(string Name, byte[] Metadata)> Protocols) : GroupRequest;

/// <summary>SyncGroup to the coordinator; the leader carries every member's assignment.</summary>
internal sealed record SyncGroupCall(
    string GroupId,
    int GenerationId,
    string MemberId,
    string? GroupInstanceId,
    string ProtocolName,
    IReadOnlyList<(string MemberId, byte[] Assignment)> Assignments) : GroupRequest;

/// <summary>Heartbeat to the coordinator.</summary>
internal sealed record HeartbeatCall(string GroupId, int GenerationId, string MemberId, string? GroupInstanceId) : GroupRequest;

/// <summary>LeaveGroup to the coordinator.</summary>
internal sealed record LeaveGroupCall(string GroupId, string MemberId, string? GroupInstanceId, string Reason) : GroupRequest;

/// <summary>One member as the JoinGroup response lists it (leader only).</summary>
internal sealed record JoinGroupMember(string MemberId, string? GroupInstanceId, byte[] Metadata);

/// <summary>The parts of a JoinGroup response the state machine uses.</summary>
internal sealed record JoinGroupResult(
    ErrorCode Error,
    int GenerationId,
    string? ProtocolName,
    string LeaderId,
    string MemberId,
    IReadOnlyList<JoinGroupMember> Members);

/// <summary>A group generation: id, member id and protocol (Java's AbstractCoordinator.Generation).</summary>
internal sealed record Generation(int GenerationId, string MemberId, string? ProtocolName)
{
    public static readonly Generation NoGeneration = new(-1, "", null);
}
