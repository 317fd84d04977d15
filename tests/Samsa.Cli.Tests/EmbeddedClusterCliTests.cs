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

    [Fact]
    public async Task Broker_command_prints_bootstrap_first_and_stops_when_stdin_closes()
    {
        var stdin = new BlockingReader();
        var output = new SynchronizedWriter();
        using var error = new StringWriter();
        var run = Cli.RunAsync(["broker", "--brokers", "1", "--topic", "b1:2"], stdin, output, error, new Dictionary<string, string>());
        var first = await output.FirstLineAsync(TimeSpan.FromSeconds(10));
        Assert.StartsWith("BOOTSTRAP 127.0.0.1:", first);
        var bootstrap = first["BOOTSTRAP ".Length..];

        var topics = await CliRunner.RunAsync("", "topics", "list", "-b", bootstrap);
        Assert.Contains("b1", topics.Lines);

        stdin.Close();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("stopping the embedded cluster", error.ToString());
    }

    [Fact]
    public async Task Broker_command_listens_on_the_given_port_and_can_refuse_unknown_topics()
    {
        // A port the OS just handed out and released: free unless another process grabs it in between.
        var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var stdin = new BlockingReader();
        var output = new SynchronizedWriter();
        using var error = new StringWriter();
        var run = Cli.RunAsync(["broker", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-auto-create"],
            stdin, output, error, new Dictionary<string, string>());
        var first = await output.FirstLineAsync(TimeSpan.FromSeconds(10));
        Assert.Equal($"BOOTSTRAP 127.0.0.1:{port}", first);

        var produced = await CliRunner.RunAsync("x\n", "produce", "-b", $"127.0.0.1:{port}", "-t", "never-made");
        Assert.Equal(Cli.ExitFailure, produced.ExitCode);
        Assert.Contains("topic 'never-made' does not exist", produced.Stderr);

        stdin.Close();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData("--port", "70000", "--port needs an integer between 0 and 65535, got '70000'")]
    [InlineData("--brokers", "0", "--brokers needs an integer between 1 and 64, got '0'")]
    [InlineData("--topic", "orders:x", "Topic 'orders:x' has an invalid partition count 'x'.")]
    public async Task Broker_command_rejects_bad_options_as_usage_errors(string flag, string value, string expected)
    {
        var r = await CliRunner.RunAsync("", "broker", flag, value);
        Assert.Equal(Cli.ExitUsage, r.ExitCode);
        var line = Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.Contains(expected, line);
        Assert.Equal("", r.Stdout);
    }

    /// <summary>A stdin whose lines never come; <see cref="Close"/> ends it (EOF).</summary>
    private sealed class BlockingReader : TextReader
    {
        private readonly TaskCompletionSource<string?> _eof = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken) => new(_eof.Task.WaitAsync(cancellationToken));

        public override string? ReadLine() => _eof.Task.GetAwaiter().GetResult();

        public override void Close() => _eof.TrySetResult(null);
    }

    /// <summary>A thread-safe stdout that lets a test wait for the first line.</summary>
    private sealed class SynchronizedWriter : StringWriter
    {
        private readonly TaskCompletionSource<string> _firstLine = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _lock = new();

        public override void Write(char value)
        {
            lock (_lock)
            {
                base.Write(value);
                var text = GetStringBuilder().ToString();
                var nl = text.IndexOf('\n', StringComparison.Ordinal);
                if (nl >= 0)
                    _firstLine.TrySetResult(text[..nl]);
            }
        }

        public override void Write(string? value)
        {
            foreach (var c in value ?? "")
                Write(c);
        }

        public override void Write(char[] buffer, int index, int count)
        {
            for (var i = 0; i < count; i++)
                Write(buffer[index + i]);
        }

        public override Task WriteLineAsync(string? value)
        {
            Write(value);
            Write('\n');
            return Task.CompletedTask;
        }

        public Task<string> FirstLineAsync(TimeSpan timeout) => _firstLine.Task.WaitAsync(timeout);
    }
}
