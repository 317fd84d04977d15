using System.Globalization;
using Samsa.Client.Admin;
using Samsa.Protocol;
using Samsa.Protocol.Errors;

namespace Samsa.Cli.Commands;

/// <summary>
/// Checks topics before producing or consuming, so a typo or a missing topic is one clear line at
/// once instead of a client waiting for metadata until max.block.ms or forever.
/// </summary>
internal static class TopicCheck
{
    /// <summary>
    /// For produce: the topic exists, or the cluster creates it now on first use (a Metadata request
    /// that allows auto-creation, as the producer's own would); otherwise a clear error. Also checks
    /// that <paramref name="partition"/>, when given, exists.
    /// </summary>
    public static async Task ForProduceAsync(AdminClient admin, string topic, int? partition, CancellationToken ct)
    {
        TopicDescription described;
        try
        {
            described = (await admin.DescribeTopicsCreatingAsync([topic], ct).ConfigureAwait(false)).Single();
        }
        catch (KafkaException e) when (e.Code == ErrorCode.UnknownTopicOrPartition)
        {
            throw new KafkaException(ErrorCode.UnknownTopicOrPartition,
                $"topic '{topic}' does not exist and the cluster does not create topics on first use (auto.create.topics.enable=false); " +
                $"create it with 'samsa topics create {topic} -P PARTITIONS'");
        }
        CheckPartition(described, partition);
    }

    /// <summary>For consume: every topic must exist already; returns their descriptions.</summary>
    public static async Task<IReadOnlyList<TopicDescription>> ForConsumeAsync(AdminClient admin, IReadOnlyList<string> topics, int? partition, CancellationToken ct)
    {
        IReadOnlyList<TopicDescription> described;
        try
        {
            described = await admin.DescribeTopicsAsync(topics, ct).ConfigureAwait(false);
        }
        catch (KafkaException e) when (e.Code == ErrorCode.UnknownTopicOrPartition)
        {
            throw new KafkaException(ErrorCode.UnknownTopicOrPartition,
                $"{e.Message}; check the name with 'samsa topics list' or create it with 'samsa topics create'");
        }
        foreach (var t in described)
            CheckPartition(t, partition);
        return described;
    }

    private static void CheckPartition(TopicDescription topic, int? partition)
    {
        if (partition is not { } p)
            return;
        foreach (var d in topic.Partitions)
        {
            if (d.Partition == p)
                return;
        }
        throw new KafkaException(ErrorCode.UnknownTopicOrPartition, string.Create(CultureInfo.InvariantCulture,
            $"topic '{topic.Name}' has no partition {p} (it has {topic.Partitions.Count}: 0-{topic.Partitions.Count - 1})"));
    }
}
