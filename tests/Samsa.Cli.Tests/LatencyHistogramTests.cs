using Samsa.Cli.Perf;

namespace Samsa.Cli.Tests;

public class LatencyHistogramTests
{
    [Fact]
    public void Small_values_are_exact_and_percentiles_follow_rank()
    {
        var h = new LatencyHistogram();
        for (var i = 1; i <= 1000; i++)
            h.Record(i);
        Assert.Equal(1000, h.Count);
        Assert.Equal(500, h.PercentileMicros(50));
        Assert.Equal(950, h.PercentileMicros(95));
        Assert.Equal(990, h.PercentileMicros(99));
        Assert.Equal(999, h.PercentileMicros(99.9));
        Assert.Equal(1000, h.MaxMicros);
        Assert.Equal(500.5, h.MeanMicros, 6);
    }

    [Fact]
    public void Large_values_are_within_two_tenths_of_a_percent()
    {
        foreach (var v in new long[] { 1024, 1025, 4097, 123_456, 9_999_999, 1L << 40 })
        {
            var h = new LatencyHistogram();
            h.Record(v);
            h.Record(v * 2); // keep max above v so the bucket bound is what's reported
            var p = h.PercentileMicros(50);
            Assert.InRange(p, v, v + (v / 500) + 1);
        }
    }

    [Fact]
    public void Index_and_bucket_bounds_agree()
    {
        for (long v = 0; v < 100_000; v += 7)
        {
            var i = LatencyHistogram.IndexOf(v);
            Assert.True(LatencyHistogram.HighestEquivalent(i) >= v);
            if (i > 0)
                Assert.True(LatencyHistogram.HighestEquivalent(i - 1) < v);
        }
    }

    [Fact]
    public void Empty_histogram_reports_zero()
    {
        var h = new LatencyHistogram();
        Assert.Equal(0, h.PercentileMicros(99));
        Assert.Equal(0, h.MeanMicros);
    }
}
