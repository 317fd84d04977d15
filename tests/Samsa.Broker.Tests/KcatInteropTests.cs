namespace Samsa.Broker.Tests;

/// <summary>kcat (librdkafka), a client we did not write, against the embedded cluster.</summary>
public class KcatInteropTests
{
    [Fact]
    public async Task Kcat_lists_metadata_of_every_broker_and_topic()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Brokers = 3, Topics = ["orders:6"] });
        var result = await KcatProcess.RunAsync(["-b", cluster.BootstrapServers, "-L"]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("3 brokers:", result.Stdout);
        Assert.Contains("topic \"orders\" with 6 partitions", result.Stdout);
        foreach (int id in cluster.BrokerIds)
        {
            Assert.Contains($"broker {id} at {cluster.AddressOf(id)}", result.Stdout);
        }
    }

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task Kcat_produces_and_consumes_with_compression(string codec)
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Brokers = 2, Topics = ["t:3"] });
        var lines = Enumerable.Range(0, 200).Select(i => $"message-{i}").ToList();
        var produce = await KcatProcess.RunAsync(["-b", cluster.BootstrapServers, "-P", "-t", "t", "-z", codec, "-X", "enable.idempotence=true"], string.Join('\n', lines) + "\n");
        Assert.True(produce.ExitCode == 0, produce.Stderr);
        long total = 0;
        for (int p = 0; p < 3; p++)
        {
            total += cluster.HighWatermarkOf("t", p)!.Value;
        }
        Assert.Equal(200, total);
        var consume = await KcatProcess.RunAsync(["-b", cluster.BootstrapServers, "-C", "-t", "t", "-e", "-o", "beginning", "-f", "%s\n"]);
        Assert.True(consume.ExitCode == 0, consume.Stderr);
        var received = consume.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ToList();
        Assert.Equal(lines.Order().ToList(), received);
    }
}
