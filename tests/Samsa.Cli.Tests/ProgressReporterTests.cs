using Samsa.Cli.Output;

namespace Samsa.Cli.Tests;

public class ProgressReporterTests
{
    [Fact]
    public void Line_shows_count_total_rate_and_extra()
    {
        Assert.Equal("1200/5000 records, 600 records/s, lag 3800",
            ProgressReporter.Format("records", 1200, 5000, TimeSpan.FromSeconds(2), ProgressReporter.Lag(3800)));
        Assert.Equal("10 acked, 5 acked/s, 3 in flight",
            ProgressReporter.Format("acked", 10, null, TimeSpan.FromSeconds(2), ProgressReporter.InFlight(3)));
        Assert.Equal("0 records, 0 records/s", ProgressReporter.Format("records", 0, null, TimeSpan.Zero, null));
    }

    [Theory]
    [InlineData(false, false, true)]
    [InlineData(true, false, false)]  // samsa consume ... | jq
    [InlineData(false, true, false)]  // samsa perf produce ... 2> log
    [InlineData(true, true, false)]
    public void Progress_is_wanted_only_when_stdout_and_stderr_are_terminals(bool outputRedirected, bool errorRedirected, bool wanted) =>
        Assert.Equal(wanted, ProgressReporter.IsWanted(outputRedirected, errorRedirected));

    [Fact]
    public void Unknown_lag_is_a_question_mark_not_zero()
    {
        Assert.Equal("lag ?", ProgressReporter.Lag(null));
        Assert.Equal("lag 0", ProgressReporter.Lag(0));
    }

    [Fact]
    public void Nothing_is_written_when_the_output_is_not_a_terminal()
    {
        var clock = new TestClock();
        var context = new CliContext(TextReader.Null, new StringWriter(), new StringWriter(), _ => null, outputIsTerminal: false, default, clock);
        var progress = new ProgressReporter(context, "records");
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.False(progress.Enabled);
        Assert.False(progress.IsDue);
        progress.Report(10, 20, "lag 1");
        progress.Finish();
        Assert.Equal("", context.Error.ToString());
        Assert.Equal("", context.Out.ToString());
    }

    [Fact]
    public void On_a_terminal_it_updates_at_most_once_a_second_on_stderr_in_place()
    {
        var clock = new TestClock();
        var context = new CliContext(TextReader.Null, new StringWriter(), new StringWriter(), _ => null, outputIsTerminal: true, default, clock);
        var progress = new ProgressReporter(context, "records");
        Assert.True(progress.Enabled);
        Assert.False(progress.IsDue);
        progress.Report(1);
        Assert.Equal("", context.Error.ToString());

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(progress.IsDue);
        progress.Report(100, extra: "lag 7");
        Assert.Equal("\r100 records, 100 records/s, lag 7\x1b[K", context.Error.ToString());

        clock.Advance(TimeSpan.FromMilliseconds(999));
        progress.Report(150);
        Assert.Equal("\r100 records, 100 records/s, lag 7\x1b[K", context.Error.ToString());

        clock.Advance(TimeSpan.FromMilliseconds(1));
        progress.Report(400, 1000);
        Assert.EndsWith("\r400/1000 records, 200 records/s\x1b[K", context.Error.ToString());
        Assert.Equal("", context.Out.ToString());

        progress.Finish();
        Assert.EndsWith("\r\x1b[K", context.Error.ToString());
    }

    [Fact]
    public void Clear_erases_only_a_shown_line()
    {
        var clock = new TestClock();
        var error = new StringWriter();
        var progress = new ProgressReporter(error, "records", clock);
        progress.Clear();
        Assert.Equal("", error.ToString());
        clock.Advance(TimeSpan.FromSeconds(1));
        progress.Report(1);
        progress.Clear();
        progress.Clear();
        Assert.Equal("\r1 records, 1 records/s\x1b[K\r\x1b[K", error.ToString());
    }
}
