using Samsa.Protocol;
using Samsa.Testing;

namespace Samsa.IntegrationTests.Protocol;

/// <summary>The third-party fixtures themselves: librdkafka's mock cluster driven through P/Invoke, and kcat.</summary>
public sealed class MockClusterFixtureTests
{
    [Fact]
    public async Task Metadata_lists_every_mock_broker_with_its_id_and_port()
    {
        using var cluster = new MockCluster(3);
        cluster.CreateTopic("fixture-meta", partitions: 2, replicationFactor: 3);

        using var metadata = await Kcat.MetadataAsync(cluster.BootstrapServers);

        var brokers = metadata.RootElement.GetProperty("brokers");
        Assert.Equal(3, brokers.GetArrayLength());
        foreach (var broker in brokers.EnumerateArray())
        {
            var id = broker.GetProperty("id").GetInt32();
            Assert.Equal(cluster.Broker(id).Address, broker.GetProperty("name").GetString());
        }
        var topic = Assert.Single(metadata.RootElement.GetProperty("topics").EnumerateArray(), t => t.GetProperty("topic").GetString() == "fixture-meta");
        Assert.Equal(2, topic.GetProperty("partitions").GetArrayLength());
    }

    [Fact]
    public async Task Kcat_produces_and_consumes_keys_values_and_headers()
    {
        using var cluster = new MockCluster(1);
        cluster.CreateTopic("fixture-roundtrip", partitions: 1);

        await Kcat.ProduceAsync(cluster.BootstrapServers, "fixture-roundtrip", ["k1:v1", "k2:v2"], partition: 0, keyDelimiter: ":",
            compression: "gzip", headers: [new("h", "x")]);
        var consumed = await Kcat.ConsumeAsync(cluster.BootstrapServers, "fixture-roundtrip", 2, "%k=%s|%h\\n", partition: 0);

        Assert.Equal(["k1=v1|h=x", "k2=v2|h=x"], consumed.Lines);
    }

    [Fact]
    public async Task Leader_moves_to_the_requested_broker()
    {
        using var cluster = new MockCluster(3);
        cluster.CreateTopic("fixture-leader", partitions: 1, replicationFactor: 3);
        cluster.SetPartitionLeader("fixture-leader", 0, 2);

        using var metadata = await Kcat.MetadataAsync(cluster.BootstrapServers, "fixture-leader");

        var topic = Assert.Single(metadata.RootElement.GetProperty("topics").EnumerateArray());
        var partition = Assert.Single(topic.GetProperty("partitions").EnumerateArray());
        Assert.Equal(2, partition.GetProperty("leader").GetInt32());
    }

    [Fact]
    public void Broker_errors_are_queued_per_broker_and_api()
    {
        using var cluster = new MockCluster(2);

        cluster.PushBrokerRequestErrors(2, ApiKey.Produce, (ErrorCode.NotLeaderOrFollower, 0), (ErrorCode.None, 50));
        cluster.PushRequestErrors(ApiKey.Fetch, ErrorCode.NotLeaderOrFollower);
        cluster.PushDisconnects(ApiKey.Metadata, 1);
        cluster.ClearRequestErrors(ApiKey.Metadata);

        Assert.Equal(2, cluster.BrokerErrorStackCount(2, ApiKey.Produce));
        Assert.Equal(0, cluster.BrokerErrorStackCount(1, ApiKey.Produce));
    }

    [Fact]
    public async Task Down_broker_refuses_clients_until_it_is_up_again()
    {
        using var cluster = new MockCluster(1);
        cluster.CreateTopic("fixture-down", partitions: 1);

        cluster.SetBrokerDown(1);
        var down = await Kcat.RunAsync(["-L", "-b", cluster.BootstrapServers, "-m", "2"], timeout: TimeSpan.FromSeconds(10));
        cluster.SetBrokerUp(1);
        using var up = await Kcat.MetadataAsync(cluster.BootstrapServers, extraArgs: ["-m", "5"]);

        Assert.NotEqual(0, down.ExitCode);
        Assert.Equal(1, up.RootElement.GetProperty("brokers").GetArrayLength());
    }

    [Fact]
    public void Unknown_broker_id_is_rejected_with_a_clear_error()
    {
        using var cluster = new MockCluster(1);

        var e = Assert.Throws<InvalidOperationException>(() => cluster.SetRtt(7, 10));
        Assert.Contains("broker 7", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_twice_is_harmless_and_later_calls_throw_ObjectDisposed()
    {
        var cluster = new MockCluster(1);
        cluster.Dispose();
        cluster.Dispose();

        Assert.Throws<ObjectDisposedException>(() => cluster.CreateTopic("t"));
    }

    [Fact]
    public async Task Producing_to_an_unknown_topic_auto_creates_it()
    {
        using var cluster = new MockCluster(1);

        await Kcat.ProduceAsync(cluster.BootstrapServers, "fixture-auto", ["x"]);
        using var metadata = await Kcat.MetadataAsync(cluster.BootstrapServers, "fixture-auto");

        var topic = Assert.Single(metadata.RootElement.GetProperty("topics").EnumerateArray());
        Assert.Equal("fixture-auto", topic.GetProperty("topic").GetString());
        Assert.Equal(MockCluster.AutoCreatedPartitions, topic.GetProperty("partitions").GetArrayLength());
    }
}
