namespace Samsa.Cli.Tests;

/// <summary>
/// Live progress end to end on the embedded cluster: shown on stderr when stdout is a terminal (a
/// clock stepping a second per reading makes every check due), absent when piped, and never mixed
/// into stdout.
/// </summary>
public class ProgressCliTests : IClassFixture<EmbeddedClusterFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly EmbeddedClusterFixture _fx;

    public ProgressCliTests(EmbeddedClusterFixture fx) => _fx = fx;

    private static TestClock Stepping() => new() { StepPerRead = TimeSpan.FromSeconds(1) };

    [Fact]
    public async Task Consume_on_a_terminal_shows_count_rate_and_lag_and_piped_shows_nothing()
    {
        var b = _fx.Bootstrap;
        Assert.Equal(0, (await CliRunner.RunAsync("", "topics", "create", "-b", b, "progress-c", "-P", "1")).ExitCode);
        var produced = await CliRunner.RunAsync("a\nb\nc\nd\n", "produce", "-b", b, "-t", "progress-c");
        Assert.True(produced.ExitCode == 0, produced.Stderr);

        var tty = await CliRunner.RunAsync("", null, Bound, terminal: true, Stepping(), "consume", "-b", b, "-t", "progress-c", "-e");
        Assert.True(tty.ExitCode == 0, tty.Stderr);
        Assert.Equal(["a", "b", "c", "d"], tty.Lines.Order());
        // One partition: the fetch that returned the records also carried the high watermark, so the
        // line shown just before -e ends knows the lag exactly. (With an empty second partition on
        // another broker, its long-polled fetch may still be out and the line would honestly say "lag ?".)
        Assert.Matches(@"\r4 records, \d+ records/s, lag 0\x1b\[K", tty.Stderr);
        Assert.Contains("samsa: consumed 4 records", tty.Stderr);

        var piped = await CliRunner.RunAsync("", null, Bound, terminal: false, Stepping(), "consume", "-b", b, "-t", "progress-c", "-e");
        Assert.True(piped.ExitCode == 0, piped.Stderr);
        Assert.Equal(tty.Stdout, piped.Stdout);
        Assert.Equal("", piped.Stderr);
    }

    [Fact]
    public async Task Produce_on_a_terminal_shows_records_in_flight()
    {
        var lines = string.Concat(Enumerable.Range(0, 50).Select(i => $"line-{i}\n"));
        var tty = await CliRunner.RunAsync(lines, null, Bound, terminal: true, Stepping(), "produce", "-b", _fx.Bootstrap, "-t", "existing");
        Assert.True(tty.ExitCode == 0, tty.Stderr);
        Assert.Matches(@"\r\d+ acked, \d+ acked/s, \d+ in flight\x1b\[K", tty.Stderr);
        Assert.Contains("samsa: produced 50 records to 'existing'", tty.Stderr);
        Assert.Equal("", tty.Stdout);

        var piped = await CliRunner.RunAsync(lines, null, Bound, terminal: false, Stepping(), "produce", "-b", _fx.Bootstrap, "-t", "existing");
        Assert.True(piped.ExitCode == 0, piped.Stderr);
        Assert.Equal("", piped.Stderr);
    }

    [Fact]
    public async Task Perf_produce_and_consume_on_a_terminal_show_progress_and_keep_stdout_to_the_report()
    {
        var b = _fx.Bootstrap;
        var produce = await CliRunner.RunAsync("", null, Bound, terminal: true, Stepping(),
            "perf", "produce", "-b", b, "-t", "existing", "--records", "2000", "--record-size", "10", "--json");
        Assert.True(produce.ExitCode == 0, produce.Stderr);
        Assert.Matches(@"\r\d+/2000 acked, \d+ acked/s, \d+ in flight\x1b\[K", produce.Stderr);
        using (var doc = System.Text.Json.JsonDocument.Parse(Assert.Single(produce.Lines)))
            Assert.Equal(2000, doc.RootElement.GetProperty("records").GetInt64());

        var consume = await CliRunner.RunAsync("", null, Bound, terminal: true, Stepping(),
            "perf", "consume", "-b", b, "-t", "existing", "--records", "2000", "--json");
        Assert.True(consume.ExitCode == 0, consume.Stderr);
        Assert.Matches(@"\r\d+/2000 records, \d+ records/s, lag (\d+|\?)\x1b\[K", consume.Stderr);
        using (var doc = System.Text.Json.JsonDocument.Parse(Assert.Single(consume.Lines)))
            Assert.True(doc.RootElement.GetProperty("records").GetInt64() >= 2000);
    }
}
