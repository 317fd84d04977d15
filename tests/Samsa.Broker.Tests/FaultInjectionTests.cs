using Samsa.Broker.Faults;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Testing;

namespace Samsa.Broker.Tests;

public class FaultInjectionTests
{
    private static MetadataRequest AllTopics() => new() { Topics = null };

    [Fact]
    public async Task FailNext_answers_the_next_requests_with_the_error_then_recovers()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Topics = ["t"] });
        await using var conn = await RawKafkaConnection.ConnectAsync(cluster.BootstrapServers);
        cluster.Faults.FailNext(ApiKey.Produce, ErrorCode.NotLeaderOrFollower, count: 2);
        for (int i = 0; i < 2; i++)
        {
            var failed = await conn.SendAsync<ProduceRequest, ProduceResponse>(ProduceFetchTests.Produce("t", 0, TestBatches.Build(1)), 9);
            Assert.Equal((short)ErrorCode.NotLeaderOrFollower, ProduceFetchTests.Single(failed).ErrorCode);
        }
        var ok = await conn.SendAsync<ProduceRequest, ProduceResponse>(ProduceFetchTests.Produce("t", 0, TestBatches.Build(1)), 9);
        Assert.Equal((short)ErrorCode.None, ProduceFetchTests.Single(ok).ErrorCode);
        Assert.Equal(1, cluster.HighWatermarkOf("t", 0));
    }

    [Fact]
    public async Task Interceptor_can_observe_and_answer_once()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Topics = ["t"] });
        await using var conn = await RawKafkaConnection.ConnectAsync(cluster.BootstrapServers);
        var seen = new List<short>();
        using var observer = cluster.Faults.Intercept(ApiKey.Metadata, (ctx, _) => { lock (seen) { seen.Add(ctx.ApiVersion); } return null; });
        cluster.Faults.Intercept(ApiKey.Metadata, (_, _) => InterceptDecision.Respond(new MetadataResponse { ClusterId = "fake" }), once: true);

        var first = await conn.SendAsync<MetadataRequest, MetadataResponse>(AllTopics(), 12);
        var second = await conn.SendAsync<MetadataRequest, MetadataResponse>(AllTopics(), 12);
        Assert.Equal("fake", first.ClusterId);
        Assert.Equal(cluster.ClusterId, second.ClusterId);
        Assert.Equal([12, 12], seen);
    }

    [Fact]
    public async Task DisconnectNext_closes_the_connection_and_cut_connections_drops_clients()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Topics = ["t"] });
        await using var conn = await RawKafkaConnection.ConnectAsync(cluster.BootstrapServers);
        cluster.Faults.DisconnectNext(ApiKey.Metadata);
        await Assert.ThrowsAnyAsync<IOException>(() => conn.SendAsync<MetadataRequest, MetadataResponse>(AllTopics(), 12));

        await using var second = await RawKafkaConnection.ConnectAsync(cluster.BootstrapServers);
        await second.SendAsync<MetadataRequest, MetadataResponse>(AllTopics(), 12);
        Assert.Equal(1, cluster.CutConnections());
        await Assert.ThrowsAnyAsync<IOException>(() => second.SendAsync<MetadataRequest, MetadataResponse>(AllTopics(), 12));
    }

    [Fact]
    public async Task Latency_delays_but_still_serves()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Topics = ["t"] });
        await using var conn = await RawKafkaConnection.ConnectAsync(cluster.BootstrapServers);
        using (cluster.Faults.AddLatency(ApiKey.Metadata, TimeSpan.FromMilliseconds(200)))
        {
            var pending = conn.SendAsync<MetadataRequest, MetadataResponse>(AllTopics(), 12);
            await Task.Delay(50);
            Assert.False(pending.IsCompleted);
            Assert.Single((await pending).Topics);
        }
    }

    [Fact]
    public async Task Stopped_broker_loses_its_leaderships_and_comes_back_on_the_same_port()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Brokers = 3, Topics = ["t:6"] });
        string address = cluster.AddressOf(1);
        await cluster.StopBrokerAsync(1);
        await using (var conn = await RawKafkaConnection.ConnectAsync(cluster.AddressOf(2)))
        {
            var metadata = await conn.SendAsync<MetadataRequest, MetadataResponse>(AllTopics(), 12);
            Assert.DoesNotContain(metadata.Brokers, b => b.NodeId == 1);
            Assert.All(metadata.Topics[0].Partitions, p => Assert.NotEqual(1, p.LeaderId));
            Assert.Contains(metadata.Topics[0].Partitions, p => p.OfflineReplicas.Contains(1));
        }
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => RawKafkaConnection.ConnectAsync(address));

        await cluster.StartBrokerAsync(1);
        Assert.Equal(address, cluster.AddressOf(1));
        await using var back = await RawKafkaConnection.ConnectAsync(address);
        var after = await back.SendAsync<MetadataRequest, MetadataResponse>(AllTopics(), 12);
        Assert.Contains(after.Brokers, b => b.NodeId == 1);
    }

    [Fact]
    public async Task Kcat_producer_retries_through_injected_leader_errors()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Topics = ["t"] });
        cluster.Faults.FailNext(ApiKey.Produce, ErrorCode.NotLeaderOrFollower, count: 3);
        var produce = await KcatProcess.RunAsync(["-b", cluster.BootstrapServers, "-P", "-t", "t", "-X", "retry.backoff.ms=10"], "a\nb\nc\n");
        Assert.True(produce.ExitCode == 0, produce.Stderr);
        Assert.Equal(3, cluster.HighWatermarkOf("t", 0));
    }
}
