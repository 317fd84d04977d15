using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Testing;

namespace Samsa.Broker.Tests;

public class DataDirectoryTests
{
    [Fact]
    public async Task Logs_topics_and_committed_offsets_survive_a_restart()
    {
        string dir = Path.Combine(Path.GetTempPath(), "samsa-broker-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = new EmbeddedClusterOptions { DataDirectory = dir, Topics = ["t:2"] };
            await using (var cluster = await EmbeddedCluster.StartAsync(options))
            {
                await using var conn = await RawKafkaConnection.ConnectAsync(cluster.BootstrapServers);
                await conn.SendAsync<ProduceRequest, ProduceResponse>(ProduceFetchTests.Produce("t", 1, TestBatches.Build(3, "a")), 9);
                await conn.SendAsync<ProduceRequest, ProduceResponse>(ProduceFetchTests.Produce("t", 1, TestBatches.Build(2, "b")), 9);
                await conn.SendAsync<OffsetCommitRequest, OffsetCommitResponse>(new OffsetCommitRequest
                {
                    GroupId = "g",
                    Topics = [new OffsetCommitRequest.OffsetCommitRequestTopic { Name = "t", Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 1, CommittedOffset = 4 }] }],
                }, 8);
            }
            await using (var restarted = await EmbeddedCluster.StartAsync(options with { Topics = [] }))
            {
                Assert.Equal(5, restarted.HighWatermarkOf("t", 1));
                await using var conn = await RawKafkaConnection.ConnectAsync(restarted.BootstrapServers);
                var fetch = await conn.SendAsync<FetchRequest, FetchResponse>(ProduceFetchTests.Fetch("t", 1, 0), 12);
                Assert.Equal(["a0", "a1", "a2", "b0", "b1"], TestBatches.Values(ProduceFetchTests.Single(fetch).Records));
                var more = await conn.SendAsync<ProduceRequest, ProduceResponse>(ProduceFetchTests.Produce("t", 1, TestBatches.Build(1, "c")), 9);
                Assert.Equal(5, ProduceFetchTests.Single(more).BaseOffset);
                var offsets = await conn.SendAsync<OffsetFetchRequest, OffsetFetchResponse>(new OffsetFetchRequest
                {
                    GroupId = "g", Topics = [new OffsetFetchRequest.OffsetFetchRequestTopic { Name = "t", PartitionIndexes = [1] }],
                }, 7);
                Assert.Equal(4, offsets.Topics[0].Partitions[0].CommittedOffset);
            }
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
