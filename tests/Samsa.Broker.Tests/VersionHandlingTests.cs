using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Testing;

namespace Samsa.Broker.Tests;

public class VersionHandlingTests
{
    [Fact]
    public async Task Unsupported_version_of_a_known_api_closes_the_connection_and_is_logged()
    {
        var logger = new ListLogger();
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { EmulateKafkaVersion = "2.8", Logger = logger });
        await using var conn = await RawKafkaConnection.ConnectAsync(cluster.BootstrapServers);
        // Metadata v12 is newer than Kafka 2.8 (v11).
        await Assert.ThrowsAnyAsync<IOException>(() => conn.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = null }, 12));
        Assert.Contains(logger.Lines, l => l.Contains("Metadata v12 is not supported (range 0-11", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Kcat_works_against_an_emulated_Kafka_2_8()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { EmulateKafkaVersion = "2.8", Topics = ["t:2"] });
        var produce = await KcatProcess.RunAsync(["-b", cluster.BootstrapServers, "-P", "-t", "t", "-z", "lz4"], "one\ntwo\nthree\n");
        Assert.True(produce.ExitCode == 0, produce.Stderr);
        var consume = await KcatProcess.RunAsync(["-b", cluster.BootstrapServers, "-C", "-t", "t", "-e", "-f", "%s\n"]);
        Assert.True(consume.ExitCode == 0, consume.Stderr);
        Assert.Equal(["one", "three", "two"], consume.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
    }

    [Fact]
    public void Unknown_emulated_release_is_rejected_with_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => new EmbeddedClusterOptions { EmulateKafkaVersion = "0.9" }.Validate());
        Assert.Contains("2.8", e.Message, StringComparison.Ordinal);
    }
}
