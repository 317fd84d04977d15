using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Admin.Handlers;

/// <summary>DescribeGroups: sent to each group's coordinator; consumer assignments are decoded.</summary>
internal static class DescribeGroupsHandler
{
    public static async Task<IReadOnlyList<GroupDescription>> RunAsync(AdminContext context, IReadOnlyList<string> groupIds, CancellationToken cancellationToken)
    {
        var result = new List<GroupDescription>(groupIds.Count);
        foreach (var id in groupIds.Distinct(StringComparer.Ordinal))
            result.Add(await DescribeOneAsync(context, id, cancellationToken).ConfigureAwait(false));
        return result;
    }

    private static Task<GroupDescription> DescribeOneAsync(AdminContext context, string groupId, CancellationToken cancellationToken) =>
        context.RetryAsync("DescribeGroups", async ct =>
        {
            var coordinator = await FindCoordinatorHandler.FindAsync(context, groupId, ct).ConfigureAwait(false);
            var r = await context.Sender.SendAsync<DescribeGroupsRequest, DescribeGroupsResponse>(coordinator, _ =>
            {
                var request = new DescribeGroupsRequest();
                request.Groups.Add(groupId);
                return request;
            }, ct).ConfigureAwait(false);
            var g = r.Groups.FirstOrDefault(x => x.GroupId == groupId)
                ?? throw new Samsa.Protocol.Errors.KafkaException($"DescribeGroups: the coordinator's response did not mention group '{groupId}'");
            var code = (ErrorCode)g.ErrorCode;
            if (code != ErrorCode.None)
            {
                var e = AdminErrors.Create("DescribeGroups", $"group '{groupId}'", code, null);
                throw FindCoordinatorHandler.IsCoordinatorError(code) || code.IsRetriable() ? new RetriableAdminException(code, e.Message) : e;
            }
            var members = new List<MemberDescription>(g.Members.Count);
            foreach (var m in g.Members)
            {
                var assignment = g.ProtocolType == "consumer" && m.MemberAssignment is { Length: > 0 } bytes
                    ? ConsumerAssignmentDecoder.Decode(bytes)
                    : [];
                members.Add(new MemberDescription(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost, assignment));
            }
            return new GroupDescription(g.GroupId, g.GroupState, g.ProtocolType, g.ProtocolData, coordinator.Id, members);
        }, cancellationToken);
}
