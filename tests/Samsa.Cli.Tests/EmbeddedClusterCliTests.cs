using System.Text.Json;
using Samsa.Broker;

namespace Samsa.Cli.Tests;

/// <summary>One embedded cluster shared by the tests of a class, started with the given options.</summary>
public abstract class EmbeddedClusterFixtureBase : IAsyncLifetime
{
    private readonly EmbeddedClusterOptions _options;

    protected EmbeddedClusterFixtureBase(EmbeddedClusterOptions options) => _options = options;

    public EmbeddedCluster Cluster { get; private set; } = null!;

    public string Bootstrap => Cluster.BootstrapServers;

    public async Task InitializeAsync() => Cluster = await EmbeddedCluster.StartAsync(_options);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>Two brokers that create topics on first use, with topic "existing" (3 partitions).</summary>
public sealed class EmbeddedClusterFixture() : EmbeddedClusterFixtureBase(new EmbeddedClusterOptions { Brokers = 2, Topics = ["existing:3"] });

public class EmbeddedClusterCliTests : IClassFixture<EmbeddedClusterFixture>
{
    private readonly EmbeddedClusterFixture _fx;

    public EmbeddedClusterCliTests(EmbeddedClusterFixture fx) => _fx = fx;

    [Fact]
    public async Task Metadata_json_lists_brokers_and_topics()
    {
        var r = await CliRunner.RunAsync("", "metadata", "-b", _fx.Bootstrap, "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal(2, doc.RootElement.GetProperty("brokers").GetArrayLength());
        var topic = doc.RootElement.GetProperty("topics").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "existing");
        Assert.Equal(3, topic.GetProperty("partitions").GetArrayLength());
    }

    [Fact]
    public async Task Brokers_come_from_SAMSA_BROKERS_when_b_is_missing()
    {
        var env = new Dictionary<string, string> { ["SAMSA_BROKERS"] = _fx.Bootstrap };
        var r = await CliRunner.RunAsync("", env, TimeSpan.FromSeconds(20), "topics", "list");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("existing", r.Lines);
    }

    [Fact]
    public async Task Topics_create_describe_add_partitions_and_delete()
    {
        var b = _fx.Bootstrap;
        var created = await CliRunner.RunAsync("", "topics", "create", "-b", b, "cli-made", "-P", "2", "-r", "1");
        Assert.True(created.ExitCode == 0, created.Stderr);
        Assert.Contains("created topic 'cli-made'", created.Stdout);

        var again = await CliRunner.RunAsync("", "topics", "create", "-b", b, "cli-made", "-P", "2");
        Assert.Equal(Cli.ExitFailure, again.ExitCode);
        Assert.Contains("TopicAlreadyExists", again.Stderr.Replace("_", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
        var tolerated = await CliRunner.RunAsync("", "topics", "create", "-b", b, "cli-made", "--if-not-exists");
        Assert.Equal(0, tolerated.ExitCode);

        var grown = await CliRunner.RunAsync("", "topics", "add-partitions", "-b", b, "cli-made", "-P", "4");
        Assert.True(grown.ExitCode == 0, grown.Stderr);

        var described = await CliRunner.RunAsync("", "topics", "describe", "-b", b, "-t", "cli-made", "--json");
        Assert.True(described.ExitCode == 0, described.Stderr);
        using (var doc = JsonDocument.Parse(described.Stdout))
        {
            var parts = doc.RootElement.GetProperty("partitions");
            Assert.Equal(4, parts.GetArrayLength());
            Assert.All(parts.EnumerateArray(), p => Assert.Equal(0, p.GetProperty("latest_offset").GetInt64()));
        }

        var deleted = await CliRunner.RunAsync("", "topics", "delete", "-b", b, "cli-made");
        Assert.True(deleted.ExitCode == 0, deleted.Stderr);
        var list = await CliRunner.RunAsync("", "topics", "list", "-b", b);
        Assert.DoesNotContain("cli-made", list.Lines);
    }

    [Fact]
    public async Task Groups_describe_shows_lag_per_partition()
    {
        var b = _fx.Bootstrap;
        Assert.Equal(0, (await CliRunner.RunAsync("", "topics", "create", "-b", b, "lagged", "-P", "3")).ExitCode);
        await Testing.Kcat.ProduceAsync(b, "lagged", ["a", "b"], partition: 0);
        await Testing.Kcat.ProduceAsync(b, "lagged", ["c"], partition: 2);
        (await Testing.Kcat.RunAsync(["-b", b, "-G", "lag-g", "-X", "auto.offset.reset=earliest", "-e", "-q", "lagged"])).EnsureSuccess();
        await Testing.Kcat.ProduceAsync(b, "lagged", ["d", "e", "f"], partition: 2);

        var r = await CliRunner.RunAsync("", "groups", "describe", "-b", b, "-G", "lag-g", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var lag = doc.RootElement.GetProperty("partitions").EnumerateArray()
            .ToDictionary(p => p.GetProperty("partition").GetInt32(), p => p.GetProperty("lag").GetInt64());
        Assert.Equal(0, lag[0]);
        Assert.Equal(3, lag[2]);
        Assert.Equal(3, doc.RootElement.GetProperty("total_lag").GetInt64());

        var list = await CliRunner.RunAsync("", "groups", "list", "-b", b);
        Assert.Contains(list.Lines, l => l.StartsWith("lag-g\t", StringComparison.Ordinal));
        var text = await CliRunner.RunAsync("", "groups", "describe", "-b", b, "lag-g");
        Assert.Contains("total lag 3", text.Stdout);
    }

    [Fact]
    public async Task Group_consume_with_a_count_commits_only_what_it_printed()
    {
        // All ten records arrive in one poll; -c 3 must leave the other seven for the group's next run.
        var b = _fx.Bootstrap;
        Assert.Equal(0, (await CliRunner.RunAsync("", "topics", "create", "-b", b, "counted", "-P", "1")).ExitCode);
        var lines = string.Concat(Enumerable.Range(0, 10).Select(i => $"r{i}\n"));
        Assert.Equal(0, (await CliRunner.RunAsync(lines, "produce", "-b", b, "-t", "counted")).ExitCode);

        var first = await CliRunner.RunAsync("", "consume", "-b", b, "-t", "counted", "-G", "counted-g", "-c", "3");
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Equal(["r0", "r1", "r2"], first.Lines);
        var second = await CliRunner.RunAsync("", "consume", "-b", b, "-t", "counted", "-G", "counted-g", "-c", "3");
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Equal(["r3", "r4", "r5"], second.Lines);

        var described = await CliRunner.RunAsync("", "groups", "describe", "-b", b, "counted-g", "--json");
        using var doc = JsonDocument.Parse(described.Stdout);
        var p = doc.RootElement.GetProperty("partitions").EnumerateArray().Single();
        Assert.Equal(6, p.GetProperty("committed_offset").GetInt64());
        Assert.Equal(4, p.GetProperty("lag").GetInt64());
    }

    [Fact]
    public async Task Describing_a_missing_topic_fails_clearly()
    {
        var r = await CliRunner.RunAsync("", "topics", "describe", "-b", _fx.Bootstrap, "no-such-topic", "--timeout", "3000");
        Assert.Equal(Cli.ExitFailure, r.ExitCode);
        Assert.Contains("no-such-topic", r.Stderr);
    }
}
