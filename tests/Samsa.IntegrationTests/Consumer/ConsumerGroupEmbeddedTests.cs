using Samsa.Client.Consumer;
using Samsa.Client.Metadata;
using Samsa.IntegrationTests.Clusters;
using Xunit.Abstractions;

namespace Samsa.IntegrationTests.Consumer;

/// <summary>
/// The consumer group suite against our embedded broker's group coordinator, plus offsets that
/// survive the broker itself restarting (the mock cannot restart with state).
/// </summary>
// One collection: the two backends' group suites run one after the other, not competing for CPU
// with each other's timed rebalances (and sharing the process-wide LeaderSyncDelayMs).
[Collection(nameof(ConsumerGroupSuite))]
public sealed class ConsumerGroupEmbeddedTests(ITestOutputHelper output) : ConsumerGroupSuite(output)
{
    protected override async Task<ITestCluster> StartClusterAsync() => await EmbeddedTestCluster.StartAsync(1);

    [Fact]
    public async Task Committed_offsets_survive_a_whole_cluster_restart_from_its_data_directory()
    {
        var dir = Directory.CreateTempSubdirectory("samsa-it-offsets-");
        try
        {
            var tp0 = new TopicPartition("gr", 0);
            await using (var cluster = await EmbeddedTestCluster.StartAsync(1, dir.FullName))
            {
                cluster.CreateTopic("gr", partitions: 2);
                await ProduceAsync(cluster, "gr", 2, 20);
                using var first = Create(cluster.BootstrapServers, "group-restart", autoCommit: false);
                first.Subscribe(["gr"]);
                var sinks = new[] { new List<ConsumeResult<string?, string?>>() };
                PollAll([first], sinks, () => sinks[0].Count >= 40, TimeSpan.FromSeconds(10));
                Assert.Equal(40, sinks[0].Count);
                first.Commit();
                first.Close();
            }

            // Same port is not needed: the new cluster finds topics, logs and offsets on disk.
            await using var restarted = await EmbeddedTestCluster.StartAsync(1, dir.FullName);
            await ProduceAsync(restarted, "gr", 2, 5, start: 20);
            using var second = Create(restarted.BootstrapServers, "group-restart", autoCommit: false);
            second.Subscribe(["gr"]);
            var next = new[] { new List<ConsumeResult<string?, string?>>() };
            PollAll([second], next, () => next[0].Count >= 10, TimeSpan.FromSeconds(10));
            Assert.Equal(10, next[0].Count);
            Assert.All(next[0], r => Assert.True(r.Offset >= 20, $"{r} was already committed"));
            Assert.Equal(20, second.Committed([tp0])[tp0]!.Offset);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
