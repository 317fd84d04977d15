using Samsa.Client.Consumer;
using Samsa.Client.Metadata;
using Samsa.Protocol;
using Samsa.Protocol.Errors;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Admin.Handlers;

/// <summary>
/// OffsetFetch: a group's committed offsets, from its coordinator. v0-7 name one group; v8+ carry a
/// list of groups. A null topic list (v2+) asks for every committed partition; v0-1 need the
/// partitions spelled out, so they are taken from metadata.
/// </summary>
internal static class OffsetFetchHandler
{
    public static Task<IReadOnlyDictionary<TopicPartition, OffsetAndMetadata>> RunAsync(AdminContext context, string groupId,
        IReadOnlyCollection<TopicPartition>? partitions, CancellationToken cancellationToken) =>
        context.RetryAsync<IReadOnlyDictionary<TopicPartition, OffsetAndMetadata>>("OffsetFetch", async ct =>
        {
            var coordinator = await FindCoordinatorHandler.FindAsync(context, groupId, ct).ConfigureAwait(false);
            var wanted = partitions;
            var versions = context.Sender.BrokerVersions(coordinator, ApiKey.OffsetFetch);
            if (wanted is null && versions is { } range && Math.Min(range.Max, OffsetFetchRequest.HighestVersion) < 2)
                wanted = await AllPartitionsAsync(context, ct).ConfigureAwait(false);

            short used = 0;
            OffsetFetchResponse r;
            try
            {
                r = await context.Sender.SendAsync<OffsetFetchRequest, OffsetFetchResponse>(coordinator, v =>
                {
                    used = v;
                    return Build(v, groupId, wanted);
                }, ct).ConfigureAwait(false);
            }
            catch (KafkaProtocolException) when (wanted is null)
            {
                // librdkafka's mock answers "all partitions" (null topics) with a null array the spec
                // does not allow; spell the partitions out instead.
                wanted = await AllPartitionsAsync(context, ct).ConfigureAwait(false);
                r = await context.Sender.SendAsync<OffsetFetchRequest, OffsetFetchResponse>(coordinator, v =>
                {
                    used = v;
                    return Build(v, groupId, wanted);
                }, ct).ConfigureAwait(false);
            }
            return Convert(r, used, groupId);
        }, cancellationToken);

    internal static OffsetFetchRequest Build(short version, string groupId, IReadOnlyCollection<TopicPartition>? partitions)
    {
        var request = new OffsetFetchRequest();
        if (version >= 8)
        {
            var group = new OffsetFetchRequest.OffsetFetchRequestGroup { GroupId = groupId, Topics = null };
            if (partitions is not null)
            {
                group.Topics = [];
                foreach (var byTopic in partitions.GroupBy(p => p.Topic))
                    group.Topics.Add(new OffsetFetchRequest.OffsetFetchRequestTopics { Name = byTopic.Key, PartitionIndexes = byTopic.Select(p => p.Partition).ToList() });
            }
            request.Groups.Add(group);
            return request;
        }

        request.GroupId = groupId;
        if (partitions is null)
        {
            request.Topics = null;
        }
        else
        {
            request.Topics = [];
            foreach (var byTopic in partitions.GroupBy(p => p.Topic))
                request.Topics.Add(new OffsetFetchRequest.OffsetFetchRequestTopic { Name = byTopic.Key, PartitionIndexes = byTopic.Select(p => p.Partition).ToList() });
        }
        return request;
    }

    internal static IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> Convert(OffsetFetchResponse r, short version, string groupId)
    {
        var result = new Dictionary<TopicPartition, OffsetAndMetadata>();
        if (version >= 8)
        {
            foreach (var g in r.Groups)
            {
                Check((ErrorCode)g.ErrorCode, groupId);
                foreach (var t in g.Topics)
                {
                    foreach (var p in t.Partitions)
                        Add(result, t.Name, p.PartitionIndex, p.CommittedOffset, p.Metadata, p.CommittedLeaderEpoch, (ErrorCode)p.ErrorCode, groupId);
                }
            }
            return result;
        }

        Check((ErrorCode)r.ErrorCode, groupId);
        foreach (var t in r.Topics)
        {
            foreach (var p in t.Partitions)
                Add(result, t.Name, p.PartitionIndex, p.CommittedOffset, p.Metadata, p.CommittedLeaderEpoch, (ErrorCode)p.ErrorCode, groupId);
        }
        return result;
    }

    private static void Add(Dictionary<TopicPartition, OffsetAndMetadata> result, string topic, int partition, long offset,
        string? metadata, int leaderEpoch, ErrorCode code, string groupId)
    {
        if (code == ErrorCode.UnknownTopicOrPartition)
            return; // nothing committed for a partition that does not exist (anymore)
        if (code != ErrorCode.None)
            throw AdminErrors.Create("OffsetFetch", $"group '{groupId}' {topic}-{partition}", code, null);
        if (offset < 0)
            return; // -1: nothing committed
        result[new TopicPartition(topic, partition)] = new OffsetAndMetadata(offset, metadata, leaderEpoch >= 0 ? leaderEpoch : null);
    }

    private static void Check(ErrorCode code, string groupId)
    {
        if (code == ErrorCode.None)
            return;
        var e = AdminErrors.Create("OffsetFetch", $"group '{groupId}'", code, null);
        throw FindCoordinatorHandler.IsCoordinatorError(code) || code.IsRetriable() ? new RetriableAdminException(code, e.Message) : e;
    }

    private static async Task<IReadOnlyCollection<TopicPartition>> AllPartitionsAsync(AdminContext context, CancellationToken ct)
    {
        var metadata = await MetadataHandler.RunAsync(context, null, ct).ConfigureAwait(false);
        var all = new List<TopicPartition>();
        foreach (var t in metadata.Topics)
        {
            foreach (var p in t.Partitions)
                all.Add(new TopicPartition(t.Name, p.Partition));
        }
        return all;
    }
}
