using System.Text.Json;
using Samsa.Testing;

namespace Samsa.Cli.Tests;

/// <summary>librdkafka's mock cluster (3 brokers): a broker we did not write, fed and read by kcat.</summary>
public sealed class MockClusterFixture : IDisposable
{
    public MockCluster Cluster { get; } = new(3);

    public string Bootstrap => Cluster.BootstrapServers;

    public void Dispose() => Cluster.Dispose();
}

public class MockClusterCliTests : IClassFixture<MockClusterFixture>
{
    private readonly MockClusterFixture _fx;

    public MockClusterCliTests(MockClusterFixture fx) => _fx = fx;

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task Consume_json_shows_what_kcat_produced_with_keys_and_headers(string codec)
    {
        var topic = "kc-" + codec;
        _fx.Cluster.CreateTopic(topic, 1, 3);
        await Kcat.ProduceAsync(_fx.Bootstrap, topic, ["k1:v\u00e91", "k2:{\"a\":1}", "k3:third"], keyDelimiter: ":", compression: codec,
            headers: [new("trace", "t-1"), new("app", "kcat")]);

        var r = await CliRunner.RunAsync("", "consume", "-b", _fx.Bootstrap, "-t", topic, "-e", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var records = r.Lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(3, records.Count);
        Assert.Equal(["k1", "k2", "k3"], records.Select(x => x.GetProperty("key").GetString()));
        Assert.Equal(["v\u00e91", "{\"a\":1}", "third"], records.Select(x => x.GetProperty("value").GetString()));
        Assert.Equal([0L, 1L, 2L], records.Select(x => x.GetProperty("offset").GetInt64()));
        Assert.All(records, x =>
        {
            Assert.Equal(topic, x.GetProperty("topic").GetString());
            Assert.Equal(0, x.GetProperty("partition").GetInt32());
            Assert.True(x.GetProperty("timestamp").GetInt64() > 1_600_000_000_000);
            Assert.Equal("t-1", x.GetProperty("headers").GetProperty("trace").GetString());
            Assert.Equal("kcat", x.GetProperty("headers").GetProperty("app").GetString());
        });
    }

    [Fact]
    public async Task Consume_count_and_offset_select_records()
    {
        const string topic = "kc-select";
        _fx.Cluster.CreateTopic(topic, 1, 3);
        await Kcat.ProduceAsync(_fx.Bootstrap, topic, Enumerable.Range(0, 10).Select(i => $"r{i}"));

        var fromFive = await CliRunner.RunAsync("", "consume", "-b", _fx.Bootstrap, "-t", topic, "-o", "5", "-c", "2");
        Assert.True(fromFive.ExitCode == 0, fromFive.Stderr);
        Assert.Equal(["r5", "r6"], fromFive.Lines);

        var lastThree = await CliRunner.RunAsync("", "consume", "-b", _fx.Bootstrap, "-t", topic, "-o", "-3", "-e");
        Assert.True(lastThree.ExitCode == 0, lastThree.Stderr);
        Assert.Equal(["r7", "r8", "r9"], lastThree.Lines);
    }

    [Fact]
    public async Task Consume_as_group_commits_and_groups_describe_shows_zero_lag()
    {
        const string topic = "kc-group";
        _fx.Cluster.CreateTopic(topic, 1, 3);
        await Kcat.ProduceAsync(_fx.Bootstrap, topic, ["a", "b", "c", "d"]);

        var first = await CliRunner.RunAsync("", "consume", "-b", _fx.Bootstrap, "-t", topic, "-G", "cli-g", "-e");
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Equal(["a", "b", "c", "d"], first.Lines);

        var described = await CliRunner.RunAsync("", "groups", "describe", "-b", _fx.Bootstrap, "cli-g", "--json");
        Assert.True(described.ExitCode == 0, described.Stderr);
        using var doc = JsonDocument.Parse(described.Stdout);
        var p = doc.RootElement.GetProperty("partitions").EnumerateArray().Single();
        Assert.Equal(4, p.GetProperty("committed_offset").GetInt64());
        Assert.Equal(4, p.GetProperty("end_offset").GetInt64());
        Assert.Equal(0, p.GetProperty("lag").GetInt64());
    }

    [Fact]
    public async Task Topics_describe_reports_offsets_across_leaders()
    {
        const string topic = "kc-describe";
        _fx.Cluster.CreateTopic(topic, 6, 3);
        await Kcat.ProduceAsync(_fx.Bootstrap, topic, Enumerable.Range(0, 30).Select(i => $"x{i}"), partition: 2);

        var r = await CliRunner.RunAsync("", "topics", "describe", "-b", _fx.Bootstrap, topic, "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var latest = doc.RootElement.GetProperty("partitions").EnumerateArray()
            .ToDictionary(p => p.GetProperty("partition").GetInt32(), p => p.GetProperty("latest_offset").GetInt64());
        Assert.Equal(6, latest.Count);
        Assert.Equal(30, latest[2]);
        Assert.Equal(0, latest[0]);
    }

    [Fact]
    public async Task Perf_consume_json_reports_the_fields_comparison_scripts_read()
    {
        const string topic = "kc-perf";
        _fx.Cluster.CreateTopic(topic, 1, 1);
        await Kcat.ProduceAsync(_fx.Bootstrap, topic, Enumerable.Range(0, 2000).Select(i => $"record-{i:D6}"));

        var r = await CliRunner.RunAsync("", "perf", "consume", "-b", _fx.Bootstrap, "-t", topic, "--records", "2000", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(Assert.Single(r.Lines));
        var root = doc.RootElement;
        Assert.Equal(2000, root.GetProperty("records").GetInt64());
        Assert.Equal(2000 * 13, root.GetProperty("bytes").GetInt64());
        Assert.True(root.GetProperty("records_per_sec").GetDouble() > 0);
        Assert.True(root.GetProperty("cpu_seconds").GetDouble() >= 0);
        Assert.True(root.GetProperty("alloc_bytes_per_record").GetDouble() > 0);
        foreach (var f in new[] { "avg", "p50", "p95", "p99", "p999", "max" })
            Assert.True(root.GetProperty("latency_ms").GetProperty(f).GetDouble() >= 0);
    }

    [Fact]
    public async Task Perf_consume_single_reads_one_record_per_consume_call_and_counts_them_all()
    {
        const string topic = "kc-perf-single";
        _fx.Cluster.CreateTopic(topic, 2, 1);
        for (var p = 0; p < 2; p++)
            (await Kcat.ProduceAsync(_fx.Bootstrap, topic, Enumerable.Range(0, 700).Select(i => $"record-{i:D6}"), partition: p)).EnsureSuccess();

        var r = await CliRunner.RunAsync("", "perf", "consume", "-b", _fx.Bootstrap, "-t", topic, "--records", "1400", "--single", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(Assert.Single(r.Lines));
        Assert.Equal(1400, doc.RootElement.GetProperty("records").GetInt64());
        Assert.Equal(1400 * 13, doc.RootElement.GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task Perf_consume_fails_clearly_when_records_are_missing()
    {
        const string topic = "kc-perf-short";
        _fx.Cluster.CreateTopic(topic, 1, 1);
        await Kcat.ProduceAsync(_fx.Bootstrap, topic, ["only", "three", "records"]);
        var r = await CliRunner.RunAsync("", "perf", "consume", "-b", _fx.Bootstrap, "-t", topic, "--records", "10", "--timeout", "1000");
        Assert.Equal(Cli.ExitFailure, r.ExitCode);
        Assert.Contains("only 3 of 10 records", r.Stderr);
    }

    [Fact]
    public async Task Unsupported_admin_request_fails_with_a_clear_message()
    {
        var r = await CliRunner.RunAsync("", "topics", "create", "-b", _fx.Bootstrap, "cannot", "--timeout", "5000");
        Assert.Equal(Cli.ExitFailure, r.ExitCode);
        Assert.Contains("CreateTopics", r.Stderr);
        Assert.Contains("does not support", r.Stderr);
    }
}
