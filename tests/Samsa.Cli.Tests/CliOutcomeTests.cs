using System.Text.Json;
using Samsa.Protocol;

namespace Samsa.Cli.Tests;

/// <summary>
/// What a run ends with: produce fails (exit 1, one line) when the cluster rejects records, and the
/// self-contained commands work with no cluster given at all.
/// </summary>
public class CliOutcomeTests : IClassFixture<EmbeddedClusterFixture>
{
    private readonly EmbeddedClusterFixture _fx;

    public CliOutcomeTests(EmbeddedClusterFixture fx) => _fx = fx;

    [Fact]
    public async Task Produce_says_how_many_records_were_not_delivered_and_why()
    {
        _fx.Cluster.CreateTopic("rejected", 1);
        using (_fx.Cluster.Faults.FailNext(ApiKey.Produce, ErrorCode.TopicAuthorizationFailed, count: 10))
        {
            var r = await CliRunner.RunAsync("a\nb\nc\n", "produce", "-b", _fx.Bootstrap, "-t", "rejected", "-X", "linger.ms=50");
            Assert.Equal(Cli.ExitFailure, r.ExitCode);
            var line = Assert.Single(r.Stderr.Trim().Split('\n'));
            Assert.StartsWith("samsa: error: 3 of 3 records were not delivered to 'rejected'; first error: ", line);
            Assert.Contains("authoriz", line, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Perf_without_brokers_runs_on_an_embedded_cluster()
    {
        var produce = await CliRunner.RunAsync("", "perf", "produce", "--records", "300", "--record-size", "20", "--json");
        Assert.True(produce.ExitCode == 0, produce.Stderr);
        using (var doc = JsonDocument.Parse(Assert.Single(produce.Lines)))
            Assert.Equal(300, doc.RootElement.GetProperty("records").GetInt64());

        var consume = await CliRunner.RunAsync("", "perf", "consume", "--records", "300", "--json");
        Assert.True(consume.ExitCode == 0, consume.Stderr);
        using (var doc = JsonDocument.Parse(Assert.Single(consume.Lines)))
            Assert.True(doc.RootElement.GetProperty("records").GetInt64() >= 300);
    }
}
