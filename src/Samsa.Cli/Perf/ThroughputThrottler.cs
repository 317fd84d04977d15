namespace Samsa.Cli.Perf;

/// <summary>
/// Kafka's ThroughputThrottler: keeps the send rate at or below a target by waiting when ahead of
/// schedule. The schedule is absolute (record n is due at n / rate seconds after the start), so a
/// slow stretch is caught up instead of lowering the average.
/// </summary>
internal sealed class ThroughputThrottler
{
    private readonly double _targetPerSec;
    private readonly TimeProvider _time;
    private readonly long _startTicks;

    /// <param name="targetPerSec">Records per second; must be positive (no throttler at all means unlimited).</param>
    /// <param name="time">The clock.</param>
    public ThroughputThrottler(double targetPerSec, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetPerSec);
        _targetPerSec = targetPerSec;
        _time = time;
        _startTicks = time.GetTimestamp();
    }

    /// <summary>True when the caller is ahead of the target after <paramref name="sent"/> records; <paramref name="wait"/> says for how long.</summary>
    public bool ShouldThrottle(long sent, out TimeSpan wait)
    {
        var elapsed = _time.GetElapsedTime(_startTicks).TotalSeconds;
        var due = sent / _targetPerSec;
        if (due <= elapsed)
        {
            wait = TimeSpan.Zero;
            return false;
        }
        wait = TimeSpan.FromSeconds(due - elapsed);
        return true;
    }
}
