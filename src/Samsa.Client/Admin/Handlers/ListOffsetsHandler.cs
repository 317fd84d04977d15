using Samsa.Client.Consumer;
using Samsa.Client.Metadata;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Admin.Handlers;

/// <summary>
/// ListOffsets: split by partition leader, one request per leader. v0 answers with an array of
/// old-style offsets (asked for one); v1+ with offset and timestamp. Partitions whose leader moved
/// are looked up again.
/// </summary>
internal static class ListOffsetsHandler
{
    public static async Task<IReadOnlyDictionary<TopicPartition, ListOffsetsResultInfo>> RunAsync(AdminContext context,
        IReadOnlyDictionary<TopicPartition, OffsetSpec> specs, CancellationToken cancellationToken)
    {
        var result = new Dictionary<TopicPartition, ListOffsetsResultInfo>();
        if (specs.Count == 0)
            return result;
        var pending = new Dictionary<TopicPartition, OffsetSpec>(specs);
        await context.RetryAsync("ListOffsets", async ct =>
        {
            var topics = pending.Keys.Select(k => k.Topic).Distinct(StringComparer.Ordinal).ToArray();
            var metadata = await MetadataHandler.RunAsync(context, topics, ct).ConfigureAwait(false);
            var byLeader = new Dictionary<int, List<TopicPartition>>();
            foreach (var tp in pending.Keys)
            {
                var topic = metadata.Topics.FirstOrDefault(t => t.Name == tp.Topic);
                var partition = topic?.Partitions.FirstOrDefault(p => p.Partition == tp.Partition);
                if (partition is null)
                    throw AdminErrors.Create("ListOffsets", tp.ToString(), ErrorCode.UnknownTopicOrPartition, null);
                if (partition.Leader < 0)
                    throw new RetriableAdminException(ErrorCode.LeaderNotAvailable, $"ListOffsets {tp}: no leader");
                if (!byLeader.TryGetValue(partition.Leader, out var list))
                    byLeader[partition.Leader] = list = [];
                list.Add(tp);
            }

            var sends = new List<Task<ErrorCode?>>();
            foreach (var (leaderId, list) in byLeader)
            {
                var leader = MetadataHandler.FindBroker(metadata, leaderId)
                    ?? throw new RetriableAdminException(ErrorCode.LeaderNotAvailable, $"ListOffsets: leader {leaderId} is not in metadata");
                sends.Add(SendToLeaderAsync(context, leader, list, specs, pending, result, ct));
            }
            ErrorCode? retriable = null;
            foreach (var s in sends)
                retriable ??= await s.ConfigureAwait(false);
            if (retriable is { } code)
                throw new RetriableAdminException(code, $"ListOffsets: {code.Describe()}, retrying");
            if (pending.Count > 0)
                throw new RetriableAdminException(ErrorCode.UnknownServerError, $"ListOffsets: no answer for {string.Join(", ", pending.Keys)}");
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return result;
    }

    private static async Task<ErrorCode?> SendToLeaderAsync(AdminContext context, BrokerDescription leader, List<TopicPartition> partitions, IReadOnlyDictionary<TopicPartition, OffsetSpec> specs,
        Dictionary<TopicPartition, OffsetSpec> pending, Dictionary<TopicPartition, ListOffsetsResultInfo> result, CancellationToken ct)
    {
        short used = 0;
        var r = await context.Sender.SendAsync<ListOffsetsRequest, ListOffsetsResponse>(leader, v =>
        {
            used = v;
            var request = new ListOffsetsRequest { ReplicaId = -1 };
            foreach (var byTopic in partitions.GroupBy(p => p.Topic))
            {
                var topic = new ListOffsetsRequest.ListOffsetsTopic { Name = byTopic.Key };
                foreach (var tp in byTopic)
                {
                    var partition = new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = tp.Partition, Timestamp = specs[tp].Timestamp };
                    if (v == 0)
                        partition.MaxNumOffsets = 1;
                    topic.Partitions.Add(partition);
                }
                request.Topics.Add(topic);
            }
            return request;
        }, ct).ConfigureAwait(false);

        ErrorCode? retriable = null;
        lock (result)
        {
            foreach (var t in r.Topics)
            {
                foreach (var p in t.Partitions)
                {
                    var tp = new TopicPartition(t.Name, p.PartitionIndex);
                    var code = (ErrorCode)p.ErrorCode;
                    if (code == ErrorCode.None)
                    {
                        var info = used == 0
                            ? new ListOffsetsResultInfo(p.OldStyleOffsets.Count > 0 ? p.OldStyleOffsets[0] : -1, -1, null)
                            : new ListOffsetsResultInfo(p.Offset, p.Timestamp, p.LeaderEpoch >= 0 ? p.LeaderEpoch : null);
                        result[tp] = info;
                        pending.Remove(tp);
                    }
                    else if (code.IsRetriable() || code is ErrorCode.NotLeaderOrFollower or ErrorCode.LeaderNotAvailable)
                    {
                        retriable = code;
                    }
                    else
                    {
                        throw AdminErrors.Create("ListOffsets", tp.ToString(), code, null);
                    }
                }
            }
        }
        return retriable;
    }
}
