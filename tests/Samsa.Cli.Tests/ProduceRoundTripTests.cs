using System.Text.Json;
using Samsa.Testing;

namespace Samsa.Cli.Tests;

/// <summary>samsa produce, then samsa consume (and kcat), over both clusters and every codec.</summary>
public class ProduceRoundTripTests : IClassFixture<EmbeddedClusterFixture>, IClassFixture<MockClusterFixture>
{
    private readonly EmbeddedClusterFixture _embedded;
    private readonly MockClusterFixture _mock;

    public ProduceRoundTripTests(EmbeddedClusterFixture embedded, MockClusterFixture mock)
    {
        _embedded = embedded;
        _mock = mock;
    }

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var cluster in new[] { "embedded", "mock" })
        {
            foreach (var codec in new[] { "none", "gzip", "snappy", "lz4", "zstd" })
                data.Add(cluster, codec);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Produced_lines_come_back_with_keys_and_headers(string cluster, string codec)
    {
        var topic = $"rt-{cluster}-{codec}";
        string bootstrap;
        if (cluster == "mock")
        {
            _mock.Cluster.CreateTopic(topic, 1, 3);
            bootstrap = _mock.Bootstrap;
        }
        else
        {
            _embedded.Cluster.CreateTopic(topic, 1);
            bootstrap = _embedded.Bootstrap;
        }

        var produced = await CliRunner.RunAsync("user-1|first\nuser-2|second \u00e9\nno key here\n",
            "produce", "-b", bootstrap, "-t", topic, "-K", "|", "-z", codec, "-H", "trace=abc", "-H", "origin=cli", "--acks", "all");
        Assert.True(produced.ExitCode == 0, produced.Stderr);

        var consumed = await CliRunner.RunAsync("", "consume", "-b", bootstrap, "-t", topic, "-e", "--json");
        Assert.True(consumed.ExitCode == 0, consumed.Stderr);
        var records = consumed.Lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["user-1", "user-2", null], records.Select(r => r.GetProperty("key").GetString()));
        Assert.Equal(["first", "second \u00e9", "no key here"], records.Select(r => r.GetProperty("value").GetString()));
        Assert.All(records, r =>
        {
            Assert.Equal("abc", r.GetProperty("headers").GetProperty("trace").GetString());
            Assert.Equal("cli", r.GetProperty("headers").GetProperty("origin").GetString());
        });

        // A client we did not write reads the same bytes.
        var kcat = await Kcat.ConsumeAsync(bootstrap, topic, 3, "%k=%s\\n");
        Assert.Equal(["user-1=first", "user-2=second \u00e9", "=no key here"], kcat.Lines);
    }

    [Fact]
    public async Task Produce_to_a_partition_lands_there()
    {
        const string topic = "rt-partition";
        _embedded.Cluster.CreateTopic(topic, 3);
        var r = await CliRunner.RunAsync("a\nb\n", "produce", "-b", _embedded.Bootstrap, "-t", topic, "-p", "2");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var c = await CliRunner.RunAsync("", "consume", "-b", _embedded.Bootstrap, "-t", topic, "-p", "2", "-e");
        Assert.Equal(["a", "b"], c.Lines);
    }

    [Fact]
    public async Task Produce_to_an_unreachable_cluster_fails_and_says_so()
    {
        var r = await CliRunner.RunAsync("a\n", null, TimeSpan.FromSeconds(25),
            "produce", "-b", "127.0.0.1:1", "-t", "t", "-X", "max.block.ms=1500", "-X", "delivery.timeout.ms=1500", "-X", "request.timeout.ms=1000", "-X", "linger.ms=0");
        Assert.Equal(Cli.ExitFailure, r.ExitCode);
        Assert.Contains("samsa: error:", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public async Task Perf_produce_json_has_the_fields_and_counts_every_record()
    {
        const string topic = "rt-perf";
        _mock.Cluster.CreateTopic(topic, 1, 1);
        var r = await CliRunner.RunAsync("", "perf", "produce", "-b", _mock.Bootstrap, "-t", topic, "--records", "5000", "--record-size", "100",
            "-X", "acks=1", "-X", "linger.ms=5", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(Assert.Single(r.Lines));
        var root = doc.RootElement;
        Assert.Equal(5000, root.GetProperty("records").GetInt64());
        Assert.Equal(500_000, root.GetProperty("bytes").GetInt64());
        Assert.Equal(0, root.GetProperty("errors").GetInt64());
        Assert.True(root.GetProperty("records_per_sec").GetDouble() > 0);
        Assert.True(root.GetProperty("latency_ms").GetProperty("max").GetDouble() >= root.GetProperty("latency_ms").GetProperty("p50").GetDouble());
        var end = await CliRunner.RunAsync("", "topics", "describe", "-b", _mock.Bootstrap, topic, "--json");
        using var d = JsonDocument.Parse(end.Stdout);
        Assert.Equal(5001, d.RootElement.GetProperty("partitions")[0].GetProperty("latest_offset").GetInt64()); // + the warm-up record
    }

    [Fact]
    public async Task Perf_produce_sends_the_payload_file_values_in_turn()
    {
        const string topic = "rt-perf-payloads";
        _mock.Cluster.CreateTopic(topic, 1, 1);
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "alpha\nbe\n\nc\n");
            var r = await CliRunner.RunAsync("", "perf", "produce", "-b", _mock.Bootstrap, "-t", topic, "--records", "7", "--payload-file", file,
                "-X", "acks=1", "--json");
            Assert.True(r.ExitCode == 0, r.Stderr);
            using var doc = JsonDocument.Parse(Assert.Single(r.Lines));
            // alpha, be, c, alpha, be, c, alpha (the empty line is skipped): 5+2+1 twice, then 5.
            Assert.Equal(21, doc.RootElement.GetProperty("bytes").GetInt64());
            var kcat = await Kcat.RunAsync(["-C", "-b", _mock.Bootstrap, "-t", topic, "-o", "1", "-c", "7", "-e", "-q", "-f", "%s\n"]);
            Assert.Equal(["alpha", "be", "c", "alpha", "be", "c", "alpha"], kcat.Lines);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Perf_produce_rejects_an_empty_payload_file()
    {
        var file = Path.GetTempFileName();
        try
        {
            var r = await CliRunner.RunAsync("", "perf", "produce", "-b", _mock.Bootstrap, "-t", "rt-perf-empty", "--records", "1", "--payload-file", file);
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("has no non-empty lines", r.Stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Demo_runs_end_to_end_on_its_own_cluster()
    {
        var r = await CliRunner.RunAsync("", "demo", "--records", "3");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("Starting an embedded Kafka-compatible cluster", r.Stdout);
        Assert.Equal(3, r.Lines.Count(l => l.Contains("-> partition", StringComparison.Ordinal)));
        Assert.Equal(3, r.Lines.Count(l => l.Contains("headers: source=samsa-demo", StringComparison.Ordinal)));
        Assert.Contains("lag 0", r.Stdout);
    }
}
