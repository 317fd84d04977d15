namespace Samsa.Client.Consumer;

/// <summary>
/// A deadline with a cached "now" (Java's Timer): <see cref="Update()"/> reads the clock, everything
/// else uses the cached value, so one pass of the poll loop sees one consistent time.
/// </summary>
internal sealed class ConsumerTimer
{
    readonly TimeProvider _time;
    long _deadlineMs;

    public ConsumerTimer(TimeProvider time, long timeoutMs)
    {
        _time = time;
        CurrentTimeMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        Reset(timeoutMs);
    }

    public long CurrentTimeMs { get; private set; }

    public long RemainingMs => Math.Max(0, _deadlineMs - CurrentTimeMs);

    public bool IsExpired => CurrentTimeMs >= _deadlineMs;

    public bool NotExpired => !IsExpired;

    public void Reset(long timeoutMs)
    {
        if (timeoutMs < 0) throw new ArgumentOutOfRangeException(nameof(timeoutMs), timeoutMs, "Timeout must not be negative.");
        _deadlineMs = timeoutMs > long.MaxValue - CurrentTimeMs ? long.MaxValue : CurrentTimeMs + timeoutMs;
    }

    public void Update() => CurrentTimeMs = _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Reads the clock and starts a new deadline <paramref name="timeoutMs"/> from now (reuse without allocating).</summary>
    public ConsumerTimer Restart(long timeoutMs)
    {
        Update();
        Reset(timeoutMs);
        return this;
    }

    public void Update(long nowMs) => CurrentTimeMs = Math.Max(CurrentTimeMs, nowMs);

    public static long ToMs(TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan ? long.MaxValue / 2 : Math.Max(0, (long)timeout.TotalMilliseconds);
}
