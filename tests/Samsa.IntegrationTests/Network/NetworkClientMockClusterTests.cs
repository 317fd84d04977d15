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
}
