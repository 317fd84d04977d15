namespace Samsa.Client.Tests.Network;

/// <summary>A clock that moves only when told (Java's MockTime).</summary>
public sealed class FakeTime : TimeProvider
{
    private long _nowMs;

    public FakeTime(long startMs = 1_000_000) => _nowMs = startMs;

    public long NowMs => Interlocked.Read(ref _nowMs);

    public void Advance(long ms) => Interlocked.Add(ref _nowMs, ms);

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(NowMs);

    public override long TimestampFrequency => 1000;

    public override long GetTimestamp() => NowMs;
}
