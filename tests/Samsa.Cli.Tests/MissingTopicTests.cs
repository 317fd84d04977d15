using Samsa.Broker;

namespace Samsa.Cli.Tests;

/// <summary>An embedded cluster that does not create topics on first use (auto.create.topics.enable=false).</summary>
public sealed class NoAutoCreateClusterFixture()
    : EmbeddedClusterFixtureBase(new EmbeddedClusterOptions { Brokers = 2, AutoCreateTopics = false, Topics = ["present:2"] });

/// <summary>
/// A missing topic, partition or group is one clear line and exit code 1 at once. The runs are
/// bounded at 20 s, below every client wait involved (max.block.ms 60 s, --timeout 30 s), so a
/// command that waited instead of failing would end "interrupted" (130), not 1.
/// </summary>
public class MissingTopicTests : IClassFixture<NoAutoCreateClusterFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private readonly NoAutoCreateClusterFixture _fx;

    public MissingTopicTests(NoAutoCreateClusterFixture fx) => _fx = fx;

    private Task<CliRun> Run(string stdin, params string[] args) => CliRunner.RunAsync(stdin, null, Bound, args);

    private static void AssertOneLineFailure(CliRun r, string expected)
    {
        Assert.Equal(Cli.ExitFailure, r.ExitCode);
        var line = Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.StartsWith("samsa: error: ", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public async Task Produce_to_a_missing_topic_fails_at_once_saying_how_to_create_it()
    {
        var r = await Run("a\nb\n", "produce", "-b", _fx.Bootstrap, "-t", "nope");
        AssertOneLineFailure(r, "topic 'nope' does not exist and the cluster does not create topics on first use");
        Assert.Contains("samsa topics create nope", r.Stderr);
    }

    [Fact]
    public async Task Perf_produce_to_a_missing_topic_fails_at_once()
    {
        var r = await Run("", "perf", "produce", "-b", _fx.Bootstrap, "-t", "nope", "--records", "10");
        AssertOneLineFailure(r, "topic 'nope' does not exist");
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public async Task Produce_to_a_missing_partition_fails_at_once()
    {
        var r = await Run("a\n", "produce", "-b", _fx.Bootstrap, "-t", "present", "-p", "5");
        AssertOneLineFailure(r, "topic 'present' has no partition 5 (it has 2: 0-1)");
    }

    [Fact]
    public async Task Consume_of_a_missing_topic_fails_at_once_with_or_without_a_group()
    {
        var direct = await Run("", "consume", "-b", _fx.Bootstrap, "-t", "nope", "-e");
        AssertOneLineFailure(direct, "topic 'nope' does not exist; check the name with 'samsa topics list'");

        var grouped = await Run("", "consume", "-b", _fx.Bootstrap, "-t", "nope", "-G", "g-missing");
        AssertOneLineFailure(grouped, "topic 'nope' does not exist");
    }

    [Fact]
    public async Task Consume_of_a_missing_partition_fails_at_once()
    {
        var r = await Run("", "consume", "-b", _fx.Bootstrap, "-t", "present", "-p", "9", "-e");
        AssertOneLineFailure(r, "topic 'present' has no partition 9");
    }

    [Fact]
    public async Task Perf_consume_of_a_missing_topic_fails_at_once()
    {
        var r = await Run("", "perf", "consume", "-b", _fx.Bootstrap, "-t", "nope", "--records", "10");
        AssertOneLineFailure(r, "topic 'nope' does not exist");
    }

    [Fact]
    public async Task Existing_topic_still_round_trips()
    {
        var produced = await Run("x\ny\n", "produce", "-b", _fx.Bootstrap, "-t", "present", "-p", "1");
        Assert.True(produced.ExitCode == 0, produced.Stderr);
        var consumed = await Run("", "consume", "-b", _fx.Bootstrap, "-t", "present", "-p", "1", "-e");
        Assert.True(consumed.ExitCode == 0, consumed.Stderr);
        Assert.Equal(["x", "y"], consumed.Lines);
    }

    [Fact]
    public async Task Describing_a_group_that_does_not_exist_fails_clearly()
    {
        var r = await Run("", "groups", "describe", "-b", _fx.Bootstrap, "ghost-group");
        AssertOneLineFailure(r, "consumer group 'ghost-group' does not exist; see 'samsa groups list'");
        Assert.Equal("", r.Stdout);
    }
}

/// <summary>Where the cluster does create topics on first use, produce creates one as kcat would.</summary>
public class AutoCreateTopicTests : IClassFixture<EmbeddedClusterFixture>
{
    private readonly EmbeddedClusterFixture _fx;

    public AutoCreateTopicTests(EmbeddedClusterFixture fx) => _fx = fx;

    [Fact]
    public async Task Produce_to_a_new_topic_creates_it_when_the_cluster_allows()
    {
        var produced = await CliRunner.RunAsync("one\ntwo\n", "produce", "-b", _fx.Bootstrap, "-t", "made-on-first-use");
        Assert.True(produced.ExitCode == 0, produced.Stderr);
        var consumed = await CliRunner.RunAsync("", "consume", "-b", _fx.Bootstrap, "-t", "made-on-first-use", "-e");
        Assert.True(consumed.ExitCode == 0, consumed.Stderr);
        Assert.Equal(["one", "two"], consumed.Lines);
    }
}
