using Samsa.Cli.Perf;

namespace Samsa.Cli.Tests;

public class ThroughputThrottlerTests
{
    [Fact]
    public void Ahead_of_schedule_waits_until_the_record_is_due()
    {
        var clock = new TestClock();
        var t = new ThroughputThrottler(100, clock); // one record every 10 ms
        Assert.True(t.ShouldThrottle(1, out var wait));
        Assert.Equal(TimeSpan.FromMilliseconds(10), wait);

        clock.Advance(TimeSpan.FromMilliseconds(4));
        Assert.True(t.ShouldThrottle(1, out wait));
        Assert.Equal(TimeSpan.FromMilliseconds(6), wait);

        clock.Advance(TimeSpan.FromMilliseconds(6));
        Assert.False(t.ShouldThrottle(1, out wait));
        Assert.Equal(TimeSpan.Zero, wait);
    }

    [Fact]
    public void Behind_schedule_never_waits_so_a_slow_stretch_is_caught_up()
    {
        var clock = new TestClock();
        var t = new ThroughputThrottler(1000, clock);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(t.ShouldThrottle(900, out _));
        Assert.False(t.ShouldThrottle(1000, out _));
        Assert.True(t.ShouldThrottle(1001, out var wait));
        Assert.Equal(1.0, wait.TotalMilliseconds, 3);
    }

    [Fact]
    public void Average_rate_over_a_run_is_the_target()
    {
        // Send as fast as allowed for 10 000 records, sleeping exactly as told: the fake clock ends at 10 s.
        var clock = new TestClock();
        var t = new ThroughputThrottler(1000, clock);
        for (long sent = 1; sent <= 10_000; sent++)
        {
            if (t.ShouldThrottle(sent, out var wait))
                clock.Advance(wait);
        }
        Assert.Equal(10.0, clock.GetElapsedTime(1_000_000).TotalSeconds, 6);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Rate_must_be_positive(double rate) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThroughputThrottler(rate, new TestClock()));

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("fast")]
    public async Task Cli_rejects_a_non_positive_throughput_naming_the_flag(string value)
    {
        var r = await CliRunner.RunAsync("", "perf", "produce", "-b", "127.0.0.1:1", "--records", "10", "--throughput", value);
        Assert.Equal(Cli.ExitUsage, r.ExitCode);
        Assert.Equal($"samsa: --throughput needs an integer >= 1, got '{value}'", r.Stderr.Trim());
    }
}
