using Samsa.Client.Metadata;
using Samsa.Client.Producer;
using Samsa.Protocol.Compression;

namespace Samsa.Client.Tests.Producer;

/// <summary>
/// Issue 4 asks for no allocation per record on the bytes path in steady state. Counted, not timed:
/// appending into an open batch must allocate nothing at all, and a steady append/drain/complete
/// cycle may only allocate per batch (the batch object and the drain's collections).
/// </summary>
public class RecordAccumulatorAllocationTests
{
    private static readonly TopicPartition Tp = new("t", 0);
    private readonly FakeCluster _cluster = new FakeCluster().With("t", 0);
    private readonly byte[] _key = new byte[16];
    private readonly byte[] _value = new byte[100];
    private readonly Headers _headers = new Headers().Add("h", [1, 2, 3]);
    private readonly CountingHandler _handler = new();

    private static RecordAccumulator Create(CompressionType compression) =>
        new(16384, compression, 0, 100, 1000, 120_000, new BufferPool(32 * 1024 * 1024, 16384, TimeProvider.System), TimeProvider.System, null);

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Lz4)]
    public void Appending_to_an_open_batch_allocates_nothing(CompressionType compression)
    {
        var acc = Create(compression);
        // Warm up on a first batch so every method is jitted and pooled buffers exist, then start a fresh one.
        DrainAndComplete(AppendMany(acc, 200));
        Assert.NotEqual(RecordAccumulator.AppendStatus.NeedsMemory, Append(acc));

        var needsMemory = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 50; i++) // 50 x ~130 B stays inside one 16 KiB batch
            needsMemory += Append(acc) == RecordAccumulator.AppendStatus.NeedsMemory ? 1 : 0;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, needsMemory);

        Assert.Equal(1, acc.QueuedBatchCount(Tp));
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Steady_append_drain_complete_allocates_only_per_batch()
    {
        var acc = Create(CompressionType.None);
        // Rounds of 1000 records, drained as the sender would: the pool's free list then holds
        // every buffer a round needs, so what remains is the batch objects and drain collections.
        for (var i = 0; i < 5; i++)
            DrainAndComplete(AppendMany(acc, 1000));
        var deliveredBefore = _handler.Delivered;

        const int rounds = 20;
        var batches = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < rounds; i++)
            batches += DrainAndComplete(AppendMany(acc, 1000));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(rounds * 1000, _handler.Delivered - deliveredBefore);
        Assert.True(batches >= rounds * 1000 / 150, $"expected ~16 KiB batches, got {batches}");
        // Per-batch costs only: 1 KiB per batch is generous; a per-record allocation of even 8 B
        // would add ~1 KiB per ~130-record batch and fail this.
        Assert.True(allocated <= batches * 1024L, $"{allocated} B for {batches} batches ({(double)allocated / (rounds * 1000):F1} B/record)");
    }

    private RecordAccumulator.AppendStatus Append(RecordAccumulator acc) =>
        acc.TryAppend(Tp, 1_700_000_000_000, _key, false, _value, false, _headers, null, _handler);

    private RecordAccumulator AppendMany(RecordAccumulator acc, int count)
    {
        // Counted, not asserted per record: xunit's assertions allocate.
        var needsMemory = 0;
        for (var i = 0; i < count; i++)
            needsMemory += Append(acc) == RecordAccumulator.AppendStatus.NeedsMemory ? 1 : 0;
        if (needsMemory != 0) Assert.Fail($"{needsMemory} appends needed memory");
        return acc;
    }

    private int DrainAndComplete(RecordAccumulator acc)
    {
        var batches = 0;
        HashSet<int> nodes = [0];
        for (var round = 0; round < 1000 && acc.QueuedBatchCount(Tp) > 0; round++)
        {
            if (!acc.Drain(_cluster, nodes, int.MaxValue, long.MaxValue / 2).TryGetValue(0, out var drained))
                continue;
            foreach (var batch in drained)
            {
                batch.Complete(0, -1, null);
                acc.Deallocate(batch);
                batches++;
            }
        }
        Assert.Equal(0, acc.QueuedBatchCount(Tp));
        return batches;
    }

    private sealed class CountingHandler : IDeliveryHandler
    {
        public int Delivered;

        public void OnDelivery(in DeliveryResult result, Exception? error)
        {
            if (error is null) Delivered++;
        }
    }
}
