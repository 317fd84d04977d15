using Samsa.Client.Network;

namespace Samsa.Client.Tests.Network;

public sealed class ExponentialBackoffTests
{
    [Fact]
    public void Backoff_grows_by_the_multiplier_within_jitter_and_stops_at_the_max()
    {
        var backoff = new ExponentialBackoff(100, 2, 1000, 0.2, new Random(11));
        for (var i = 0; i < 1000; i++)
        {
            for (var attempt = 0; attempt < 10; attempt++)
            {
                var expected = Math.Min(100 * Math.Pow(2, attempt), 1000);
                Assert.InRange(backoff.Backoff(attempt), (long)(expected * 0.8), (long)(expected * 1.2));
            }
        }
    }

    [Fact]
    public void Jitter_actually_varies_the_wait()
    {
        var backoff = new ExponentialBackoff(100, 2, 1000, 0.2, new Random(5));
        var values = Enumerable.Range(0, 100).Select(_ => backoff.Backoff(0)).Distinct().Count();
        Assert.True(values > 10);
    }

    [Fact]
    public void Max_not_above_initial_means_a_constant_wait()
    {
        var backoff = new ExponentialBackoff(100, 2, 100, 0.2);
        Assert.Equal(100, backoff.Backoff(0));
        Assert.Equal(100, backoff.Backoff(5));
    }
}
