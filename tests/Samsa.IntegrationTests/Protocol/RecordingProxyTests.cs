using System.Buffers.Binary;
using Samsa.Protocol;
using Samsa.Testing;

namespace Samsa.IntegrationTests.Protocol;

/// <summary>The recording proxy in front of librdkafka's mock cluster, driven by kcat.</summary>
public sealed class RecordingProxyTests
{
    [Fact]
    public async Task Kcat_traffic_through_the_proxy_is_recorded_in_order_with_matching_responses()
    {
        using var cluster = new MockCluster(1);
        cluster.CreateTopic("proxy-produce", partitions: 1);
        await using var proxy = RecordingProxy.ForCluster(cluster);

        await Kcat.ProduceAsync(proxy.BootstrapServers, "proxy-produce", ["a", "b"], partition: 0);
        var consumed = await Kcat.ConsumeAsync(proxy.BootstrapServers, "proxy-produce", 2, partition: 0);

        Assert.Equal(["a", "b"], consumed.Lines);
        var exchanges = proxy.Exchanges();
        Assert.Contains(exchanges, e => e.Request.ApiKey == ApiKey.ApiVersions && e.Response is not null);
        Assert.Contains(exchanges, e => e.Request.ApiKey == ApiKey.Metadata && e.Response is not null);
        // Produce and Fetch go to the broker address learned from Metadata: the rewrite keeps them on the proxy.
        Assert.Contains(exchanges, e => e.Request.ApiKey == ApiKey.Produce && e.Response is not null);
        Assert.Contains(exchanges, e => e.Request.ApiKey == ApiKey.Fetch && e.Response is not null);
        foreach (var e in exchanges)
        {
            if (e.Response is { } response)
            {
                Assert.Equal(e.Request.CorrelationId, BinaryPrimitives.ReadInt32BigEndian(response.Frame));
                Assert.Equal(e.Request.ApiKey, response.ApiKey);
                Assert.True(response.Sequence > e.Request.Sequence);
            }
        }
    }

    [Fact]
    public async Task Recorded_metadata_response_keeps_the_brokers_own_address()
    {
        using var cluster = new MockCluster(1);
        await using var proxy = RecordingProxy.ForCluster(cluster);

        using var metadata = await Kcat.MetadataAsync(proxy.BootstrapServers);

        // kcat saw the proxy's address; the recording holds the broker's bytes.
        Assert.Equal(proxy.Address(0), metadata.RootElement.GetProperty("brokers")[0].GetProperty("name").GetString());
        var responses = proxy.Frames.Where(f => f.ApiKey == ApiKey.Metadata && f.Direction == FrameDirection.Response).ToList();
        Assert.NotEmpty(responses);
        var port = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(port, cluster.Broker(1).Port);
        Assert.All(responses, r => Assert.True(r.Frame.AsSpan().IndexOf([.. "127.0.0.1"u8, .. port]) > 0));
    }

    [Fact]
    public async Task Raw_connection_exchanges_an_ApiVersions_v0_frame()
    {
        using var cluster = new MockCluster(1);
        await using var connection = await RawKafkaConnection.ConnectAsync(cluster.Broker(1).Address);

        // ApiVersions v0 request: header v1 (key, version, correlation id, client id "t"), empty body.
        byte[] request = [0, 18, 0, 0, 0, 0, 0, 7, 0, 1, (byte)'t'];
        var response = await connection.SendAndReceiveAsync(request);

        Assert.Equal(7, BinaryPrimitives.ReadInt32BigEndian(response));
        Assert.Equal(0, BinaryPrimitives.ReadInt16BigEndian(response.AsSpan(4)));
    }

    [Fact]
    public async Task Pushed_broker_and_cluster_errors_reach_the_wire()
    {
        using var cluster = new MockCluster(1);
        await using var connection = await RawKafkaConnection.ConnectAsync(cluster.Broker(1).Address);
        async Task<short> ApiVersionsError()
        {
            byte[] request = [0, 18, 0, 0, 0, 0, 0, (byte)connection.NextCorrelationId(), 0, 1, (byte)'t'];
            var response = await connection.SendAndReceiveAsync(request);
            return BinaryPrimitives.ReadInt16BigEndian(response.AsSpan(4));
        }

        cluster.PushRequestErrors(ApiKey.ApiVersions, ErrorCode.PolicyViolation);
        var clusterError = await ApiVersionsError();
        cluster.PushBrokerRequestErrors(1, ApiKey.ApiVersions, (ErrorCode.ClusterAuthorizationFailed, 0));
        var brokerError = await ApiVersionsError();
        var afterwards = await ApiVersionsError();

        Assert.Equal((short)ErrorCode.ClusterAuthorizationFailed, brokerError);
        Assert.Equal((short)ErrorCode.PolicyViolation, clusterError);
        Assert.Equal((short)ErrorCode.None, afterwards);
    }

    [Fact]
    public async Task Every_broker_of_a_cluster_is_reached_through_its_own_proxy_listener()
    {
        using var cluster = new MockCluster(3);
        cluster.CreateTopic("proxy-multi", partitions: 3, replicationFactor: 1);
        for (var p = 0; p < 3; p++)
        {
            cluster.SetPartitionLeader("proxy-multi", p, p + 1);
        }
        await using var proxy = RecordingProxy.ForCluster(cluster);

        for (var p = 0; p < 3; p++)
        {
            await Kcat.ProduceAsync(proxy.BootstrapServers, "proxy-multi", [$"to-{p}"], partition: p);
        }

        var produceBrokers = proxy.Exchanges().Where(e => e.Request.ApiKey == ApiKey.Produce && e.Response is not null)
            .Select(e => e.Request.BrokerIndex).ToHashSet();
        Assert.Equal([0, 1, 2], produceBrokers.Order());
    }
}
