using System.Diagnostics;

namespace Samsa.Cli.Perf;

/// <summary>
/// Kafka's ThroughputThrottler: keeps the send rate at or below a target by sleeping when ahead of
/// schedule. A negative target means unlimited.
/// </summary>
internal sealed class ThroughputThrottler
{
    private readonly double _targetPerSec;
    private readonly long _startTicks = Stopwatch.GetTimestamp();

    public ThroughputThrottler(double targetPerSec) => _targetPerSec = targetPerSec;

    /// <summary>True when the caller is ahead of the target after <paramref name="sent"/> records.</summary>
    public bool ShouldThrottle(long sent, out TimeSpan wait)
    {
        wait = TimeSpan.Zero;
        if (_targetPerSec <= 0)
            return false;
        var elapsed = Stopwatch.GetElapsedTime(_startTicks).TotalSeconds;
        var due = sent / _targetPerSec;
        if (due <= elapsed)
            return false;
        wait = TimeSpan.FromSeconds(due - elapsed);
        return true;
    }
}
