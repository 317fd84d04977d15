using Samsa.Protocol;

namespace Samsa.Broker;

/// <summary>
/// Highest API versions advertised by past Kafka releases, for version emulation
/// (<see cref="EmbeddedClusterOptions.EmulateKafkaVersion"/>). APIs a release lacked are absent.
/// </summary>
public static class KafkaVersions
{
    private static readonly Dictionary<ApiKey, short> s_kafka28 = new()
    {
        [ApiKey.Produce] = 9, [ApiKey.Fetch] = 12, [ApiKey.ListOffsets] = 6, [ApiKey.Metadata] = 11,
        [ApiKey.OffsetCommit] = 8, [ApiKey.OffsetFetch] = 7, [ApiKey.FindCoordinator] = 3,
        [ApiKey.JoinGroup] = 7, [ApiKey.Heartbeat] = 4, [ApiKey.LeaveGroup] = 4, [ApiKey.SyncGroup] = 5,
        [ApiKey.DescribeGroups] = 5, [ApiKey.ListGroups] = 4, [ApiKey.SaslHandshake] = 1,
        [ApiKey.ApiVersions] = 3, [ApiKey.CreateTopics] = 7, [ApiKey.DeleteTopics] = 6,
        [ApiKey.DeleteRecords] = 2, [ApiKey.InitProducerId] = 4, [ApiKey.OffsetForLeaderEpoch] = 4,
        [ApiKey.AddPartitionsToTxn] = 3, [ApiKey.AddOffsetsToTxn] = 3, [ApiKey.EndTxn] = 3,
        [ApiKey.TxnOffsetCommit] = 3, [ApiKey.DescribeConfigs] = 4, [ApiKey.AlterConfigs] = 2,
        [ApiKey.CreatePartitions] = 3, [ApiKey.DeleteGroups] = 2, [ApiKey.IncrementalAlterConfigs] = 1,
        [ApiKey.OffsetDelete] = 0, [ApiKey.DescribeCluster] = 0, [ApiKey.DescribeProducers] = 0,
    };

    private static readonly Dictionary<ApiKey, short> s_kafka30 = new(s_kafka28)
    {
        [ApiKey.Produce] = 9, [ApiKey.Fetch] = 12, [ApiKey.ListOffsets] = 7, [ApiKey.Metadata] = 12,
        [ApiKey.OffsetFetch] = 8, [ApiKey.FindCoordinator] = 4, [ApiKey.DescribeTransactions] = 0,
        [ApiKey.ListTransactions] = 0,
    };

    /// <summary>The release names <see cref="MaxVersionsFor"/> knows.</summary>
    public static IReadOnlyList<string> Known { get; } = ["2.8", "3.0"];

    /// <summary>Highest versions per API for a release, or null when unknown.</summary>
    public static IReadOnlyDictionary<ApiKey, short>? MaxVersionsFor(string release) => release switch
    {
        "2.8" or "2.8.0" or "2.8.1" or "2.8.2" => s_kafka28,
        "3.0" or "3.0.0" or "3.0.1" or "3.0.2" => s_kafka30,
        _ => null,
    };
}
