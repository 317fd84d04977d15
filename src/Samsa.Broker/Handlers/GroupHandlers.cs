using Samsa.Broker.Network;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>Shared coordinator check: group requests must go to the group's coordinator.</summary>
internal static class CoordinatorCheck
{
    public static bool IsCoordinator(EmbeddedCluster cluster, RequestContext context, string key) =>
        cluster.State.CoordinatorFor(key) == context.BrokerId;
}

/// <summary>JoinGroup v0-9, including the member-id-required round (KIP-394, v4+) and static members (KIP-345).</summary>
internal sealed class JoinGroupHandler(EmbeddedCluster cluster) : ApiHandler<JoinGroupRequest, JoinGroupResponse>
{
    protected override async ValueTask<JoinGroupResponse?> HandleRequestAsync(RequestContext context, JoinGroupRequest request, CancellationToken cancellationToken)
    {
        short version = context.ApiVersion;
        if (!CoordinatorCheck.IsCoordinator(cluster, context, request.GroupId))
        {
            return CreateErrorResponse(request, version, ErrorCode.NotCoordinator);
        }
        var protocols = request.Protocols.ConvertAll(p => (p.Name, p.Metadata));
        int rebalanceTimeout = version >= 1 ? request.RebalanceTimeoutMs : request.SessionTimeoutMs;
        var result = await cluster.Groups.JoinAsync(request.GroupId, request.MemberId, version >= 5 ? request.GroupInstanceId : null,
            request.ProtocolType, protocols, request.SessionTimeoutMs, rebalanceTimeout, requireKnownMemberId: version >= 4,
            context.ClientId ?? "", "/127.0.0.1").WaitAsync(cancellationToken).ConfigureAwait(false);
        var response = new JoinGroupResponse
        {
            ErrorCode = (short)result.Error,
            GenerationId = result.GenerationId,
            ProtocolName = result.ProtocolName ?? (version >= 7 ? null : ""),
            Leader = result.LeaderId,
            MemberId = result.MemberId,
        };
        if (version >= 7)
        {
            response.ProtocolType = result.ProtocolType;
        }
        foreach (var m in result.Members ?? [])
        {
            response.Members.Add(new JoinGroupResponse.JoinGroupResponseMember
            {
                MemberId = m.MemberId,
                GroupInstanceId = version >= 5 ? m.GroupInstanceId : null,
                Metadata = m.Metadata,
            });
        }
        return response;
    }

    protected override JoinGroupResponse CreateErrorResponse(JoinGroupRequest request, short version, ErrorCode error) =>
        new() { ErrorCode = (short)error, GenerationId = -1, MemberId = request.MemberId, ProtocolName = version >= 7 ? null : "" };
}

/// <summary>SyncGroup v0-5.</summary>
internal sealed class SyncGroupHandler(EmbeddedCluster cluster) : ApiHandler<SyncGroupRequest, SyncGroupResponse>
{
    protected override async ValueTask<SyncGroupResponse?> HandleRequestAsync(RequestContext context, SyncGroupRequest request, CancellationToken cancellationToken)
    {
        short version = context.ApiVersion;
        if (!CoordinatorCheck.IsCoordinator(cluster, context, request.GroupId))
        {
            return CreateErrorResponse(request, version, ErrorCode.NotCoordinator);
        }
        var assignments = request.Assignments.ConvertAll(a => (a.MemberId, a.Assignment));
        var result = await cluster.Groups.SyncAsync(request.GroupId, request.GenerationId, request.MemberId,
            version >= 3 ? request.GroupInstanceId : null, version >= 5 ? request.ProtocolType : null,
            version >= 5 ? request.ProtocolName : null, assignments).WaitAsync(cancellationToken).ConfigureAwait(false);
        var response = new SyncGroupResponse { ErrorCode = (short)result.Error, Assignment = result.Assignment ?? [] };
        if (version >= 5)
        {
            response.ProtocolType = result.ProtocolType;
            response.ProtocolName = result.ProtocolName;
        }
        return response;
    }

    protected override SyncGroupResponse CreateErrorResponse(SyncGroupRequest request, short version, ErrorCode error) =>
        new() { ErrorCode = (short)error };
}

/// <summary>Heartbeat v0-4.</summary>
internal sealed class HeartbeatHandler(EmbeddedCluster cluster) : ApiHandler<HeartbeatRequest, HeartbeatResponse>
{
    protected override ValueTask<HeartbeatResponse?> HandleRequestAsync(RequestContext context, HeartbeatRequest request, CancellationToken cancellationToken)
    {
        if (!CoordinatorCheck.IsCoordinator(cluster, context, request.GroupId))
        {
            return new(CreateErrorResponse(request, context.ApiVersion, ErrorCode.NotCoordinator));
        }
        var error = cluster.Groups.Heartbeat(request.GroupId, request.GenerationId, request.MemberId, context.ApiVersion >= 3 ? request.GroupInstanceId : null);
        return new(new HeartbeatResponse { ErrorCode = (short)error });
    }

    protected override HeartbeatResponse CreateErrorResponse(HeartbeatRequest request, short version, ErrorCode error) =>
        new() { ErrorCode = (short)error };
}

/// <summary>LeaveGroup v0-5 (v3+ removes several members, KIP-345).</summary>
internal sealed class LeaveGroupHandler(EmbeddedCluster cluster) : ApiHandler<LeaveGroupRequest, LeaveGroupResponse>
{
    protected override ValueTask<LeaveGroupResponse?> HandleRequestAsync(RequestContext context, LeaveGroupRequest request, CancellationToken cancellationToken)
    {
        short version = context.ApiVersion;
        if (!CoordinatorCheck.IsCoordinator(cluster, context, request.GroupId))
        {
            return new(CreateErrorResponse(request, version, ErrorCode.NotCoordinator));
        }
        if (version < 3)
        {
            var (_, errors) = cluster.Groups.Leave(request.GroupId, [(request.MemberId, null)]);
            return new(new LeaveGroupResponse { ErrorCode = (short)errors[0] });
        }
        var members = request.Members.ConvertAll(m => (m.MemberId, m.GroupInstanceId));
        var (groupError, memberErrors) = cluster.Groups.Leave(request.GroupId, members);
        var response = new LeaveGroupResponse { ErrorCode = (short)groupError };
        for (int i = 0; i < members.Count; i++)
        {
            response.Members.Add(new LeaveGroupResponse.MemberResponse
            {
                MemberId = members[i].MemberId,
                GroupInstanceId = members[i].GroupInstanceId,
                ErrorCode = (short)memberErrors[i],
            });
        }
        return new(response);
    }

    protected override LeaveGroupResponse CreateErrorResponse(LeaveGroupRequest request, short version, ErrorCode error) =>
        new() { ErrorCode = (short)error };
}

/// <summary>ListGroups v0-5 (v4 state filter, v5 type filter).</summary>
internal sealed class ListGroupsHandler(EmbeddedCluster cluster) : ApiHandler<ListGroupsRequest, ListGroupsResponse>
{
    protected override ValueTask<ListGroupsResponse?> HandleRequestAsync(RequestContext context, ListGroupsRequest request, CancellationToken cancellationToken)
    {
        short version = context.ApiVersion;
        var response = new ListGroupsResponse();
        foreach (var (groupId, protocolType, state) in cluster.Groups.List())
        {
            if (!CoordinatorCheck.IsCoordinator(cluster, context, groupId))
            {
                continue; // each broker lists the groups it coordinates, as Kafka does
            }
            if (version >= 4 && request.StatesFilter.Count > 0 && !request.StatesFilter.Exists(s => string.Equals(s, state, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }
            if (version >= 5 && request.TypesFilter.Count > 0 && !request.TypesFilter.Exists(t => string.Equals(t, "classic", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }
            var listed = new ListGroupsResponse.ListedGroup { GroupId = groupId, ProtocolType = protocolType };
            if (version >= 4)
            {
                listed.GroupState = state;
            }
            if (version >= 5)
            {
                listed.GroupType = "classic";
            }
            response.Groups.Add(listed);
        }
        return new(response);
    }

    protected override ListGroupsResponse CreateErrorResponse(ListGroupsRequest request, short version, ErrorCode error) =>
        new() { ErrorCode = (short)error };
}

/// <summary>DescribeGroups v0-5.</summary>
internal sealed class DescribeGroupsHandler(EmbeddedCluster cluster) : ApiHandler<DescribeGroupsRequest, DescribeGroupsResponse>
{
    protected override ValueTask<DescribeGroupsResponse?> HandleRequestAsync(RequestContext context, DescribeGroupsRequest request, CancellationToken cancellationToken)
    {
        short version = context.ApiVersion;
        var response = new DescribeGroupsResponse();
        foreach (var groupId in request.Groups)
        {
            var described = new DescribeGroupsResponse.DescribedGroup { GroupId = groupId };
            if (!CoordinatorCheck.IsCoordinator(cluster, context, groupId))
            {
                described.ErrorCode = (short)ErrorCode.NotCoordinator;
            }
            else
            {
                var (state, protocolType, protocol, members) = cluster.Groups.Describe(groupId);
                described.GroupState = state;
                described.ProtocolType = protocolType;
                described.ProtocolData = protocol;
                foreach (var m in members)
                {
                    described.Members.Add(new DescribeGroupsResponse.DescribedGroupMember
                    {
                        MemberId = m.MemberId,
                        GroupInstanceId = version >= 4 ? m.GroupInstanceId : null,
                        ClientId = m.ClientId,
                        ClientHost = m.ClientHost,
                        MemberMetadata = m.Metadata,
                        MemberAssignment = m.Assignment,
                    });
                }
            }
            response.Groups.Add(described);
        }
        return new(response);
    }

    protected override DescribeGroupsResponse CreateErrorResponse(DescribeGroupsRequest request, short version, ErrorCode error)
    {
        var response = new DescribeGroupsResponse();
        foreach (var g in request.Groups)
        {
            response.Groups.Add(new DescribeGroupsResponse.DescribedGroup { GroupId = g, ErrorCode = (short)error });
        }
        return response;
    }
}

/// <summary>DeleteGroups v0-2: only empty groups can be deleted (NON_EMPTY_GROUP otherwise).</summary>
internal sealed class DeleteGroupsHandler(EmbeddedCluster cluster) : ApiHandler<DeleteGroupsRequest, DeleteGroupsResponse>
{
    protected override ValueTask<DeleteGroupsResponse?> HandleRequestAsync(RequestContext context, DeleteGroupsRequest request, CancellationToken cancellationToken)
    {
        var response = new DeleteGroupsResponse();
        foreach (var groupId in request.GroupsNames)
        {
            var error = CoordinatorCheck.IsCoordinator(cluster, context, groupId) ? cluster.Groups.Delete(groupId) : ErrorCode.NotCoordinator;
            response.Results.Add(new DeleteGroupsResponse.DeletableGroupResult { GroupId = groupId, ErrorCode = (short)error });
        }
        return new(response);
    }

    protected override DeleteGroupsResponse CreateErrorResponse(DeleteGroupsRequest request, short version, ErrorCode error)
    {
        var response = new DeleteGroupsResponse();
        foreach (var g in request.GroupsNames)
        {
            response.Results.Add(new DeleteGroupsResponse.DeletableGroupResult { GroupId = g, ErrorCode = (short)error });
        }
        return response;
    }
}
