using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Admin.Handlers;

/// <summary>ListGroups: each broker lists the groups it coordinates, so ask every broker and merge.</summary>
internal static class ListGroupsHandler
{
    public static async Task<IReadOnlyList<GroupListing>> RunAsync(AdminContext context, CancellationToken cancellationToken)
    {
        var metadata = await MetadataHandler.RunAsync(context, [], cancellationToken).ConfigureAwait(false);
        var tasks = new List<Task<List<GroupListing>>>(metadata.Cluster.Brokers.Count);
        foreach (var broker in metadata.Cluster.Brokers)
            tasks.Add(ListOneAsync(context, broker, cancellationToken));
        var all = new List<GroupListing>();
        foreach (var t in tasks)
            all.AddRange(await t.ConfigureAwait(false));
        all.Sort((a, b) => string.CompareOrdinal(a.GroupId, b.GroupId));
        return all;
    }

    private static Task<List<GroupListing>> ListOneAsync(AdminContext context, BrokerDescription broker, CancellationToken cancellationToken) =>
        context.RetryAsync("ListGroups", async ct =>
        {
            var r = await context.Sender.SendAsync<ListGroupsRequest, ListGroupsResponse>(broker, _ => new ListGroupsRequest(), ct).ConfigureAwait(false);
            var code = (ErrorCode)r.ErrorCode;
            if (code != ErrorCode.None)
                throw AdminErrors.Create("ListGroups", $"on broker {broker.Id}", code, null);
            var list = new List<GroupListing>(r.Groups.Count);
            foreach (var g in r.Groups)
                list.Add(new GroupListing(g.GroupId, g.ProtocolType, string.IsNullOrEmpty(g.GroupState) ? null : g.GroupState, broker.Id));
            return list;
        }, cancellationToken);
}
