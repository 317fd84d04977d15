using System.Collections.Concurrent;

namespace Samsa.Client.Producer.Partitioners;

/// <summary>
/// The uniform sticky partitioner of KIP-794 (Java's BuiltInPartitioner without adaptive load
/// statistics): records without a partition stick to one partition of their topic until about
/// <c>batch.size</c> bytes went there, then a new partition is picked at random, preferring
/// partitions that have a leader. This keeps batches full without skewing the load.
/// </summary>
internal sealed class StickyPartitionCache
{
    private readonly ConcurrentDictionary<string, Sticky> _byTopic = new(StringComparer.Ordinal);
    private readonly int _stickyBatchSize;

    public StickyPartitionCache(int stickyBatchSize) => _stickyBatchSize = Math.Max(1, stickyBatchSize);

    /// <summary>The partition to use now for <paramref name="topic"/>.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partitionCount">Partitions of the topic.</param>
    /// <param name="hasLeader">Whether a partition currently has a leader (to avoid unavailable ones).</param>
    public int Partition(string topic, int partitionCount, Func<string, int, bool> hasLeader)
    {
        var sticky = _byTopic.GetOrAdd(topic, static _ => new Sticky());
        int current = Volatile.Read(ref sticky.Partition);
        if (current >= 0 && current < partitionCount)
            return current;
        lock (sticky)
        {
            if (sticky.Partition < 0 || sticky.Partition >= partitionCount)
            {
                sticky.Partition = PickNew(topic, partitionCount, -1, hasLeader);
                sticky.ProducedBytes = 0;
            }
            return sticky.Partition;
        }
    }

    /// <summary>Counts bytes appended to the sticky partition and switches after batch.size of them.</summary>
    public void OnAppended(string topic, int partition, int bytes, int partitionCount, Func<string, int, bool> hasLeader)
    {
        if (!_byTopic.TryGetValue(topic, out var sticky)) return;
        lock (sticky)
        {
            if (sticky.Partition != partition) return;
            sticky.ProducedBytes += bytes;
            if (sticky.ProducedBytes >= _stickyBatchSize)
            {
                sticky.Partition = PickNew(topic, partitionCount, partition, hasLeader);
                sticky.ProducedBytes = 0;
            }
        }
    }

    private static int PickNew(string topic, int partitionCount, int previous, Func<string, int, bool> hasLeader)
    {
        if (partitionCount <= 1) return 0;
        // Random among partitions with a leader; fall back to any partition when none has one.
        int start = Random.Shared.Next(partitionCount);
        for (int i = 0; i < partitionCount; i++)
        {
            int p = (start + i) % partitionCount;
            if (p != previous && hasLeader(topic, p)) return p;
        }
        int any = Random.Shared.Next(partitionCount - 1);
        return any >= previous && previous >= 0 ? any + 1 : any;
    }

    private sealed class Sticky
    {
        public int Partition = -1;
        public int ProducedBytes;
    }
}
