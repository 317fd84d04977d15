using Samsa.Client.Metadata;
using Samsa.Client.Producer;
using Samsa.Protocol.Compression;

namespace Samsa.Client.Tests.Producer;

public class RecordAccumulatorTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly FakeCluster _cluster = new FakeCluster().With("t", 0, 1, 0).With("u", 0);
    private static readonly TopicPartition T0 = new("t", 0);
    private static readonly TopicPartition T1 = new("t", 1);
    private static readonly TopicPartition T2 = new("t", 2);

    private RecordAccumulator Create(int batchSize = 1024, long linger = 10, long totalMemory = 64 * 1024, TransactionManager? tm = null, long deliveryTimeout = 120_000) =>
        new(batchSize, CompressionType.None, linger, 100, 1000, deliveryTimeout, new BufferPool(totalMemory, batchSize, _time), _time, tm);

    private static RecordAccumulator.AppendStatus Append(RecordAccumulator acc, TopicPartition tp, int valueSize = 100, TaskCompletionSource<DeliveryResult>? task = null) =>
        acc.TryAppend(tp, 1, default, true, new byte[valueSize], false, null, task, null);

    [Fact]
    public void Records_fill_the_open_batch_then_start_a_new_one()
    {
        var acc = Create(batchSize: 1024);
        int appended = 0;
        while (acc.QueuedBatchCount(T0) < 2)
        {
            Assert.NotEqual(RecordAccumulator.AppendStatus.NeedsMemory, Append(acc, T0));
            appended++;
        }
        Assert.InRange(appended, 8, 10); // ~110 bytes per record in 1024
        Assert.True(acc.PeekFirst(T0)!.EstimatedSizeInBytes <= 1024);
    }

    [Fact]
    public void A_record_bigger_than_batch_size_gets_its_own_batch()
    {
        var acc = Create(batchSize: 1024);
        Append(acc, T0, 10);
        Assert.Equal(RecordAccumulator.AppendStatus.AppendedWakeSender, Append(acc, T0, 5000));
        Assert.Equal(2, acc.QueuedBatchCount(T0));
        Assert.Equal(1, acc.PeekFirst(T0)!.RecordCount);
    }

    [Fact]
    public void Partition_is_ready_after_linger_or_when_full()
    {
        var acc = Create(linger: 10);
        Append(acc, T0);
        var r = acc.Ready(_cluster, _time.NowMs);
        Assert.Empty(r.ReadyNodes);
        Assert.Equal(10, r.NextReadyCheckDelayMs);
        _time.AdvanceMs(10);
        Assert.Equal([0], acc.Ready(_cluster, _time.NowMs).ReadyNodes);

        var acc2 = Create(linger: 1000);
        for (int i = 0; i < 12; i++) Append(acc2, T1);
        Assert.Equal([1], acc2.Ready(_cluster, _time.NowMs).ReadyNodes);
    }

    [Fact]
    public void Flush_and_close_make_batches_ready_at_once()
    {
        var acc = Create(linger: 1000);
        Append(acc, T0);
        acc.BeginFlush();
        Assert.Equal([0], acc.Ready(_cluster, _time.NowMs).ReadyNodes);
        acc.EndFlush();
        Assert.Empty(acc.Ready(_cluster, _time.NowMs).ReadyNodes);
        acc.Close();
        Assert.Equal([0], acc.Ready(_cluster, _time.NowMs).ReadyNodes);
    }

    [Fact]
    public void Unknown_leader_topics_are_reported()
    {
        var acc = Create(linger: 0);
        Append(acc, new TopicPartition("nowhere", 0));
        var r = acc.Ready(_cluster, _time.NowMs);
        Assert.Empty(r.ReadyNodes);
        Assert.Equal(["nowhere"], r.UnknownLeaderTopics);
    }

    [Fact]
    public void Drain_respects_max_request_size_and_rotates_the_start_partition()
    {
        var acc = Create(batchSize: 1024, linger: 0);
        // Node 0 leads t-0, t-2 and u-0; each gets one full-ish batch.
        foreach (var tp in new[] { T0, T2, new TopicPartition("u", 0) })
            for (int i = 0; i < 8; i++) Append(acc, tp);
        var first = acc.Drain(_cluster, [0], 1500, _time.NowMs)[0];
        Assert.Single(first); // a second ~1000 byte batch would pass 1500
        var second = acc.Drain(_cluster, [0], 1500, _time.NowMs)[0];
        Assert.Single(second);
        Assert.NotEqual(first[0].TopicPartition, second[0].TopicPartition);
        var third = acc.Drain(_cluster, [0], 1500, _time.NowMs)[0];
        Assert.Single(third);
        Assert.Equal(3, new[] { first[0], second[0], third[0] }.Select(b => b.TopicPartition).Distinct().Count());
        Assert.True(first[0].IsClosed);
    }

    [Fact]
    public void Drain_sends_an_oversized_batch_alone()
    {
        var acc = Create(batchSize: 1024, linger: 0);
        Append(acc, T0, 3000);
        var drained = acc.Drain(_cluster, [0], 1024, _time.NowMs)[0];
        Assert.Single(drained);
    }

    [Fact]
    public void Muted_partitions_are_not_drained()
    {
        var acc = Create(linger: 0);
        Append(acc, T0);
        acc.MutePartition(T0);
        Assert.Empty(acc.Ready(_cluster, _time.NowMs).ReadyNodes);
        Assert.Empty(acc.Drain(_cluster, [0], 10000, _time.NowMs)[0]);
        acc.UnmutePartition(T0);
        Assert.Single(acc.Drain(_cluster, [0], 10000, _time.NowMs)[0]);
    }

    [Fact]
    public void Batches_expire_after_delivery_timeout()
    {
        var acc = Create(deliveryTimeout: 1000);
        Append(acc, T0);
        Assert.Empty(acc.ExpiredBatches(_time.NowMs));
        Assert.Equal(1000, acc.NextExpiryDelayMs(_time.NowMs));
        _time.AdvanceMs(1000);
        var expired = acc.ExpiredBatches(_time.NowMs);
        Assert.Single(expired);
        Assert.Equal(0, acc.QueuedBatchCount(T0));
    }

    [Fact]
    public void Retried_batch_backs_off_before_it_is_ready_again()
    {
        var acc = Create(linger: 0);
        Append(acc, T0);
        var batch = acc.Drain(_cluster, [0], 10000, _time.NowMs)[0][0];
        acc.Reenqueue(batch, _time.NowMs);
        var r = acc.Ready(_cluster, _time.NowMs);
        Assert.Empty(r.ReadyNodes);
        Assert.Equal(100, r.NextReadyCheckDelayMs);
        _time.AdvanceMs(100);
        Assert.Equal([0], acc.Ready(_cluster, _time.NowMs).ReadyNodes);
        Assert.Same(batch, acc.Drain(_cluster, [0], 10000, _time.NowMs)[0][0]);
    }

    [Fact]
    public void Retry_backoff_grows_exponentially_up_to_the_max()
    {
        var acc = Create();
        Assert.Equal(100, acc.RetryBackoffMs(1));
        Assert.Equal(200, acc.RetryBackoffMs(2));
        Assert.Equal(400, acc.RetryBackoffMs(3));
        Assert.Equal(1000, acc.RetryBackoffMs(10));
    }

    [Fact]
    public async Task Abort_fails_every_incomplete_batch_and_frees_memory()
    {
        var acc = Create(totalMemory: 64 * 1024);
        var t1 = new TaskCompletionSource<DeliveryResult>();
        Append(acc, T0, task: t1);
        Append(acc, T1);
        acc.AbortIncompleteBatches(new ProduceException(default, "closed", null));
        var e = await Assert.ThrowsAsync<ProduceException>(() => t1.Task);
        Assert.Equal("closed", e.Message);
        Assert.False(acc.HasIncomplete());
        Assert.Equal(64 * 1024, acc.Pool.AvailableMemory);
    }

    [Fact]
    public async Task Full_memory_makes_try_append_ask_to_wait()
    {
        var acc = Create(batchSize: 1024, totalMemory: 2048);
        Append(acc, T0, 400);
        Append(acc, T1, 400);
        Assert.Equal(RecordAccumulator.AppendStatus.NeedsMemory, Append(acc, T2, 400));
        // Exhausted memory makes everything sendable (Java: exhausted = free.queued() > 0).
        var wait = acc.AppendAsync(T2, 1, default, true, new byte[400], false, null, null, null, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.False(wait.IsCompleted);
        Assert.Equal([0, 1], acc.Ready(_cluster, _time.NowMs).ReadyNodes.Order());
        var drained = acc.Drain(_cluster, [0], 100000, _time.NowMs)[0];
        drained[0].Complete(0, -1, null);
        acc.Deallocate(drained[0]);
        Assert.Equal(RecordAccumulator.AppendStatus.AppendedWakeSender, await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, acc.QueuedBatchCount(T2));
    }

    [Fact]
    public async Task Split_moves_records_and_their_completions_into_smaller_batches()
    {
        var acc = Create(batchSize: 256, linger: 0);
        var tasks = new List<TaskCompletionSource<DeliveryResult>>();
        var big = new ProducerBatch(T0, new byte[4096], _time.NowMs);
        for (int i = 0; i < 10; i++)
        {
            var t = new TaskCompletionSource<DeliveryResult>();
            tasks.Add(t);
            Assert.True(big.TryAppend(100 + i, default, true, new byte[100], false, null, t, null));
        }
        int parts = acc.SplitAndReenqueue(big, _time.NowMs);
        Assert.True(parts >= 5);
        long offset = 0;
        var seenTimestamps = new List<long>();
        _time.AdvanceMs(1000);
        while (acc.QueuedBatchCount(T0) > 0)
        {
            foreach (var b in acc.Drain(_cluster, [0], 100000, _time.NowMs)[0])
            {
                var parsed = TestBatchReader.Read(b.Records.Span);
                seenTimestamps.AddRange(parsed.Records.Select(r => r.Timestamp));
                b.Complete(offset, -1, null);
                offset += b.RecordCount;
            }
        }
        Assert.Equal(Enumerable.Range(100, 10).Select(i => (long)i), seenTimestamps);
        for (int i = 0; i < 10; i++) Assert.Equal(i, (await tasks[i].Task).Offset);
    }

    [Fact]
    public void Split_of_a_batch_within_batch_size_halves_it_so_repeated_rejections_end_at_single_records()
    {
        var acc = Create(batchSize: 1024, linger: 0);
        var batch = new ProducerBatch(T0, new byte[1024], _time.NowMs);
        for (int i = 0; i < 8; i++)
            Assert.True(batch.TryAppend(100 + i, default, true, new byte[100], false, null, null, null));
        Assert.Equal(2, acc.SplitAndReenqueue(batch, _time.NowMs));
        Assert.Equal([4, 4], acc.QueuedBatches(T0).Select(b => b.RecordCount));
        var four = new ProducerBatch(T1, new byte[1024], _time.NowMs);
        for (int i = 0; i < 4; i++)
            Assert.True(four.TryAppend(100 + i, default, true, new byte[100], false, null, null, null));
        Assert.Equal(2, acc.SplitAndReenqueue(four, _time.NowMs));
        Assert.Equal([2, 2], acc.QueuedBatches(T1).Select(b => b.RecordCount));
    }

    [Fact]
    public void Records_appended_after_a_split_start_a_new_batch_behind_the_split_parts()
    {
        var acc = Create(batchSize: 1024, linger: 0);
        var batch = new ProducerBatch(T0, new byte[1024], _time.NowMs);
        for (int i = 0; i < 8; i++)
            Assert.True(batch.TryAppend(100 + i, default, true, new byte[100], false, null, null, null));
        Assert.Equal(2, acc.SplitAndReenqueue(batch, _time.NowMs));
        acc.TryAppend(T0, _time.NowMs, default, true, new byte[10], false, null, null, null);
        Assert.Equal([4, 4, 1], acc.QueuedBatches(T0).Select(b => b.RecordCount));
    }
}
