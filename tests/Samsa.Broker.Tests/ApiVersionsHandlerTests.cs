using Samsa.Broker.Handlers;
using Samsa.Protocol;
using Samsa.Protocol.Primitives;

namespace Samsa.Broker.Tests;

public class ApiVersionsHandlerTests
{
    private static ApiVersionsResponseBody Parse(byte[] body, short version)
    {
        var reader = new KafkaReader(body);
        return ApiVersionsResponseBody.Read(ref reader, version);
    }

    [Fact]
    public async Task ApiVersions_v3_lists_supported_apis()
    {
        await using var cluster = await EmbeddedCluster.StartAsync();
        using var client = await RawClient.ConnectAsync(cluster.BootstrapServers);
        var body = await client.SendAsync(ApiKey.ApiVersions, 3, new ApiVersionsRequestBody { ClientSoftwareName = "raw", ClientSoftwareVersion = "1" }, flexibleRequestHeader: true, flexibleResponseHeader: false);
        var response = Parse(body, 3);
        Assert.Equal(ErrorCode.None, response.ErrorCode);
        Assert.Contains(response.ApiKeys, k => k.Key == ApiKey.ApiVersions && k.Min == 0 && k.Max == 4);
    }

    [Fact]
    public async Task Unsupported_ApiVersions_version_gets_v0_body_with_UNSUPPORTED_VERSION()
    {
        await using var cluster = await EmbeddedCluster.StartAsync();
        using var client = await RawClient.ConnectAsync(cluster.BootstrapServers);
        var body = await client.SendAsync(ApiKey.ApiVersions, 99, new ApiVersionsRequestBody(), flexibleRequestHeader: true, flexibleResponseHeader: false);
        var response = Parse(body, 0);
        Assert.Equal(ErrorCode.UnsupportedVersion, response.ErrorCode);
        Assert.Contains(response.ApiKeys, k => k.Key == ApiKey.ApiVersions && k.Max == 4);
    }

    [Fact]
    public async Task Emulated_Kafka_2_8_caps_advertised_versions()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { EmulateKafkaVersion = "2.8" });
        using var client = await RawClient.ConnectAsync(cluster.BootstrapServers);
        var body = await client.SendAsync(ApiKey.ApiVersions, 3, new ApiVersionsRequestBody(), flexibleRequestHeader: true, flexibleResponseHeader: false);
        var response = Parse(body, 3);
        Assert.Contains(response.ApiKeys, k => k.Key == ApiKey.ApiVersions && k.Max == 3);
        Assert.DoesNotContain(response.ApiKeys, k => k.Key == ApiKey.DescribeTransactions);
        var v4 = await client.SendAsync(ApiKey.ApiVersions, 4, new ApiVersionsRequestBody(), flexibleRequestHeader: true, flexibleResponseHeader: false);
        Assert.Equal(ErrorCode.UnsupportedVersion, Parse(v4, 0).ErrorCode);
    }

    [Fact]
    public async Task Unknown_api_key_closes_only_that_connection()
    {
        await using var cluster = await EmbeddedCluster.StartAsync();
        using var bad = await RawClient.ConnectAsync(cluster.BootstrapServers);
        using var good = await RawClient.ConnectAsync(cluster.BootstrapServers);
        await bad.SendOnlyAsync((ApiKey)999, 0, new ApiVersionsRequestBody(), flexibleRequestHeader: false);
        Assert.True(await bad.IsClosedByPeerAsync(TimeSpan.FromSeconds(5)));
        var body = await good.SendAsync(ApiKey.ApiVersions, 0, new ApiVersionsRequestBody(), false, false);
        Assert.Equal(ErrorCode.None, Parse(body, 0).ErrorCode);
    }

    [Fact]
    public async Task Malformed_frame_closes_the_connection()
    {
        await using var cluster = await EmbeddedCluster.StartAsync();
        using var bad = await RawClient.ConnectAsync(cluster.BootstrapServers);
        await bad.SendRawAsync([0, 0, 0, 3, 1, 2, 3]); // size below the minimal header
        Assert.True(await bad.IsClosedByPeerAsync(TimeSpan.FromSeconds(5)));
    }
}
