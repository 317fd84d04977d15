using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Testing;

namespace Samsa.Broker.Tests;

public class ListOffsetsTests
{
    internal static ListOffsetsRequest At(string topic, int partition, long timestamp) => new()
    {
        ReplicaId = -1,
        Topics = [new ListOffsetsRequest.ListOffsetsTopic { Name = topic, Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = partition, Timestamp = timestamp }] }],
    };

    internal static ListOffsetsRequest Latest(string topic, int partition) => At(topic, partition, -1);

    [Fact]
    public async Task Earliest_latest_and_timestamp_lookups()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Topics = ["t"] });
        await using var conn = await RawKafkaConnection.ConnectAsync(cluster.BootstrapServers);
        await conn.SendAsync<ProduceRequest, ProduceResponse>(ProduceFetchTests.Produce("t", 0, TestBatches.Build(3, timestamp: 1000)), 9);
        await conn.SendAsync<ProduceRequest, ProduceResponse>(ProduceFetchTests.Produce("t", 0, TestBatches.Build(3, timestamp: 2000)), 9);

        async Task<ListOffsetsResponse.ListOffsetsPartitionResponse> Query(long ts) =>
            (await conn.SendAsync<ListOffsetsRequest, ListOffsetsResponse>(At("t", 0, ts), 7)).Topics[0].Partitions[0];

        Assert.Equal(0, (await Query(-2)).Offset);
        Assert.Equal(6, (await Query(-1)).Offset);
        Assert.Equal(3, (await Query(1500)).Offset);
        Assert.Equal(-1, (await Query(5000)).Offset);
        var max = await Query(-3);
        Assert.Equal(2002, max.Timestamp);

        var v0 = await conn.SendAsync<ListOffsetsRequest, ListOffsetsResponse>(At("t", 0, -1), 0);
        Assert.Equal([6L], v0.Topics[0].Partitions[0].OldStyleOffsets);

        var unknown = await conn.SendAsync<ListOffsetsRequest, ListOffsetsResponse>(At("nope", 0, -1), 7);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, unknown.Topics[0].Partitions[0].ErrorCode);
    }
}
