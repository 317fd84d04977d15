namespace Samsa.Cli.Tests;

/// <summary>
/// A clock that moves only when told, or by <see cref="StepPerRead"/> on every reading (so code that
/// paces itself "once a second" acts on every call, deterministically).
/// </summary>
internal sealed class TestClock : TimeProvider
{
    private long _ticks = 1_000_000;

    /// <summary>How far each <see cref="GetTimestamp"/> moves the clock after reading it.</summary>
    public TimeSpan StepPerRead { get; init; }

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Add(ref _ticks, StepPerRead.Ticks) - StepPerRead.Ticks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);
}
