namespace Samsa.Client.Network;

/// <summary>
/// Exponential backoff with jitter (Java's ExponentialBackoff, KIP-580): attempt n waits
/// <c>min(initial * multiplier^n, max)</c> times a random factor in [1 - jitter, 1 + jitter].
/// Jitter keeps many clients that failed together from retrying together.
/// </summary>
public sealed class ExponentialBackoff
{
    private readonly long _initialInterval;
    private readonly int _multiplier;
    private readonly double _jitter;
    private readonly double _expMax;
    private readonly Random _random;

    /// <summary>Creates a backoff; a max not above the initial interval disables growth.</summary>
    public ExponentialBackoff(long initialInterval, int multiplier, long maxInterval, double jitter, Random? random = null)
    {
        _initialInterval = Math.Min(maxInterval, initialInterval);
        _multiplier = multiplier;
        _jitter = jitter;
        _random = random ?? Random.Shared;
        _expMax = maxInterval > _initialInterval
            ? Math.Log(maxInterval / (double)Math.Max(_initialInterval, 1)) / Math.Log(multiplier)
            : 0;
    }

    /// <summary>The wait in milliseconds after <paramref name="attempts"/> failures (0 = first wait).</summary>
    public long Backoff(long attempts)
    {
        if (_expMax == 0)
            return _initialInterval;
        var exp = Math.Min(attempts, _expMax);
        var term = _initialInterval * Math.Pow(_multiplier, exp);
        var randomFactor = _jitter < double.Epsilon ? 1.0 : 1 - _jitter + (_random.NextDouble() * 2 * _jitter);
        return (long)(randomFactor * term);
    }
}
