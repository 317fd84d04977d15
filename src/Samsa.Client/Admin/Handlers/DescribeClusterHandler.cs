using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Admin.Handlers;

/// <summary>
/// DescribeCluster (KIP-700) when the broker supports it, which names the real controller on KRaft
/// clusters; otherwise Metadata, which carries the same brokers and cluster id.
/// </summary>
internal static class DescribeClusterHandler
{
    public static async Task<ClusterDescription> RunAsync(AdminContext context, CancellationToken cancellationToken)
    {
        var metadata = await MetadataHandler.RunAsync(context, [], cancellationToken).ConfigureAwait(false);
        if (context.Sender.BrokerVersions(null, ApiKey.DescribeCluster) is not { } range || range.Max < 0)
            return metadata.Cluster;
        return await context.RetryAsync("DescribeCluster", async ct =>
        {
            var r = await context.Sender.SendAsync<DescribeClusterRequest, DescribeClusterResponse>(
                null, _ => new DescribeClusterRequest(), ct).ConfigureAwait(false);
            var code = (ErrorCode)r.ErrorCode;
            if (code != ErrorCode.None)
                throw AdminErrors.Create("DescribeCluster", null, code, r.ErrorMessage);
            var brokers = new List<BrokerDescription>(r.Brokers.Count);
            foreach (var b in r.Brokers)
                brokers.Add(new BrokerDescription(b.BrokerId, b.Host, b.Port, b.Rack));
            brokers.Sort((a, b) => a.Id.CompareTo(b.Id));
            return new ClusterDescription(r.ClusterId, r.ControllerId, brokers);
        }, cancellationToken).ConfigureAwait(false);
    }
}
