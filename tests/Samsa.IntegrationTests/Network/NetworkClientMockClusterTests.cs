using Samsa.Client.Configuration;
using Samsa.Client.Errors;
using Samsa.Client.Network;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Testing;
using Xunit.Abstractions;

namespace Samsa.IntegrationTests.Network;

/// <summary>NetworkClient over loopback against librdkafka's mock cluster (a broker we did not write).</summary>
public sealed class NetworkClientMockClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(10);

    private NetworkClientDriver Start(string bootstrap, Func<ClientOptions, ClientOptions>? configure = null)
    {
        var options = new ClientOptions { BootstrapServers = bootstrap, ClientId = "net-it" };
        if (configure is not null)
            options = configure(options);
        var loggers = new TestOutputLoggerFactory(output);
        return new NetworkClientDriver(NetworkClient.Create(options, loggerFactory: loggers), loggers);
    }

    [Fact]
    public async Task ApiVersions_and_Metadata_succeed_against_every_broker()
    {
        using var cluster = new MockCluster(3);
        cluster.CreateTopic("net-meta", partitions: 3, replicationFactor: 3);
        await using var driver = Start(cluster.BootstrapServers);
        using var cts = new CancellationTokenSource(TestTimeout);

        var metadata = await driver.WaitForMetadataAsync(cts.Token);
        Assert.Equal([1, 2, 3], metadata.Nodes.Select(n => n.Id).Order());

        foreach (var broker in cluster.Brokers)
        {
            var versions = await driver.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(broker.Id, new ApiVersionsRequest(), cancellationToken: cts.Token);
            Assert.Equal((short)ErrorCode.None, versions.ErrorCode);
            Assert.Contains(versions.ApiKeys, k => k.ApiKey == (short)ApiKey.Metadata);

            var response = await driver.SendAsync<MetadataRequest, MetadataResponse>(broker.Id,
                new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "net-meta" }] }, cancellationToken: cts.Token);
            var topic = Assert.Single(response.Topics);
            Assert.Equal("net-meta", topic.Name);
            Assert.Equal(3, topic.Partitions.Count);
            Assert.Equal(3, response.Brokers.Count);
            Assert.NotNull(driver.Client.ApiVersions.Get(broker.Id));
        }
        Assert.Equal(3, driver.Cluster.PartitionsForTopic("net-meta").Count);
    }

    [Fact]
    public async Task Broker_down_fails_requests_as_disconnected_backs_off_and_recovers_when_it_returns()
    {
        using var cluster = new MockCluster(3);
        await using var driver = Start(cluster.BootstrapServers, o => o with { RequestTimeout = TimeSpan.FromSeconds(3) });
        using var cts = new CancellationTokenSource(TestTimeout);
        await driver.WaitForMetadataAsync(cts.Token);
        await driver.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(2, new ApiVersionsRequest(), cancellationToken: cts.Token);

        // The mock drops the connection instead of answering, as a crashing broker would.
        cluster.PushDisconnects(ApiKey.ApiVersions);
        var lost = await Assert.ThrowsAsync<KafkaConnectionException>(() =>
            driver.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(2, new ApiVersionsRequest(), cancellationToken: cts.Token));
        Assert.True(lost.IsRetriable);
        Assert.False(lost.IsTimeout);
        Assert.Equal(2, lost.NodeId);

        cluster.SetBrokerDown(2);
        var refused = await Assert.ThrowsAsync<KafkaConnectionException>(() =>
            driver.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(2, new ApiVersionsRequest(), requestTimeoutMs: 800, cancellationToken: cts.Token));
        Assert.True(refused.IsRetriable);

        cluster.SetBrokerUp(2);
        var response = await driver.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(2, new ApiVersionsRequest(), cancellationToken: cts.Token);
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
    }

    [Fact]
    public async Task Rtt_above_the_request_timeout_times_out_closes_and_reconnects()
    {
        using var cluster = new MockCluster(1);
        await using var driver = Start(cluster.BootstrapServers, o => o with { RequestTimeout = TimeSpan.FromMilliseconds(500) });
        using var cts = new CancellationTokenSource(TestTimeout);
        await driver.WaitForMetadataAsync(cts.Token);
        await driver.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(1, new ApiVersionsRequest(), cancellationToken: cts.Token);

        cluster.SetRtt(1, 1500);
        var e = await Assert.ThrowsAsync<KafkaConnectionException>(() =>
            driver.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(1, new ApiVersionsRequest(), cancellationToken: cts.Token));
        Assert.True(e.IsTimeout);
        Assert.Equal(ErrorCode.RequestTimedOut, e.Code);

        cluster.SetRtt(1, 0);
        var response = await driver.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(1, new ApiVersionsRequest(), cancellationToken: cts.Token);
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
    }

    [Fact]
    public async Task A_moved_partition_leader_is_seen_after_the_next_metadata_refresh()
    {
        using var cluster = new MockCluster(3);
        cluster.CreateTopic("net-move", partitions: 2, replicationFactor: 3);
        cluster.SetPartitionLeader("net-move", 0, 1);
        await using var driver = Start(cluster.BootstrapServers);
        using var cts = new CancellationTokenSource(TestTimeout);
        await driver.WaitForMetadataAsync(cts.Token);
        var partition = new Samsa.Client.Metadata.TopicPartition("net-move", 0);
        var before = await driver.RefreshMetadataAsync(cts.Token);
        Assert.Equal(1, before.LeaderFor(partition)!.Id);

        cluster.SetPartitionLeader("net-move", 0, 3);
        Assert.Equal(1, driver.Cluster.LeaderFor(partition)!.Id);
        var after = await driver.RefreshMetadataAsync(cts.Token);
        Assert.Equal(3, after.LeaderFor(partition)!.Id);
    }

    [Fact]
    public async Task A_bootstrap_list_with_a_dead_address_still_connects()
    {
        using var cluster = new MockCluster(1);
        var dead = DeadLoopbackAddress();
        await using var driver = Start($"{dead},{cluster.BootstrapServers}");
        using var cts = new CancellationTokenSource(TestTimeout);
        var metadata = await driver.WaitForMetadataAsync(cts.Token);
        Assert.Equal(1, Assert.Single(metadata.Nodes).Id);
    }

    [Fact]
    public async Task Metadata_request_for_a_topic_uses_a_version_the_mock_supports()
    {
        using var cluster = new MockCluster(1);
        cluster.CreateTopic("net-versions", partitions: 1);
        await using var driver = Start(cluster.BootstrapServers);
        using var cts = new CancellationTokenSource(TestTimeout);
        await driver.WaitForMetadataAsync(cts.Token);
        var response = await driver.SendAsync<MetadataRequest, MetadataResponse>(1,
            new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "net-versions" }] }, cancellationToken: cts.Token);
        Assert.Equal("net-versions", Assert.Single(response.Topics).Name);
        var brokerMax = driver.Client.ApiVersions.Get(1)!.LatestUsableVersion(ApiKey.Metadata, 0, MetadataRequest.HighestVersion);
        Assert.True(brokerMax < MetadataRequest.HighestVersion, "the mock should be older than Samsa's newest Metadata");
        Assert.Single(driver.Cluster.PartitionsForTopic("net-versions"));
    }

    [Fact]
    public async Task Two_clients_in_one_process_work_independently()
    {
        using var cluster = new MockCluster(1);
        var a = Start(cluster.BootstrapServers);
        await using var b = Start(cluster.BootstrapServers);
        using var cts = new CancellationTokenSource(TestTimeout);
        await Task.WhenAll(
            a.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(1, new ApiVersionsRequest(), cancellationToken: cts.Token),
            b.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(1, new ApiVersionsRequest(), cancellationToken: cts.Token));
        Assert.NotSame(a.Client.ApiVersions, b.Client.ApiVersions);

        await a.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => a.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(1, new ApiVersionsRequest()));
        var response = await b.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(1, new ApiVersionsRequest(), cancellationToken: cts.Token);
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
    }

    private static string DeadLoopbackAddress()
    {
        // Bind then close: nothing listens on the port afterwards, so connects are refused at once.
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return "127.0.0.1:" + ((System.Net.IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
