using System.Runtime.CompilerServices;
using System.Collections.Concurrent;

namespace Samsa.Client.Producer.Partitioners;

/// <summary>
/// Sends each record to the next partition of its topic in turn, whether it has a key or not (Java's
/// RoundRobinPartitioner). One counter per topic.
/// </summary>
public sealed class RoundRobinPartitioner : IPartitioner
{
    private readonly ConcurrentDictionary<string, StrongBox<int>> _counters = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public int Partition(string topic, ReadOnlySpan<byte> key, bool keyIsNull, int partitionCount)
    {
        var counter = _counters.GetOrAdd(topic, static _ => new StrongBox<int>(-1));
        int next = Interlocked.Increment(ref counter.Value);
        return (next & 0x7fffffff) % partitionCount;
    }
}
