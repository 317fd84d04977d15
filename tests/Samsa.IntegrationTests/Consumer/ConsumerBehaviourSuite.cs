using Samsa.Client.Consumer;
using Samsa.Client.Metadata;
using Samsa.Client.Serialization;
using Samsa.IntegrationTests.Clusters;
using Samsa.IntegrationTests.Network;
using Samsa.Protocol;
using Samsa.Protocol.Errors;
using Samsa.Testing;
using Xunit.Abstractions;

namespace Samsa.IntegrationTests.Consumer;

/// <summary>Error handling, the single-thread guard and Wakeup against a test cluster (mock or embedded, see the subclasses).</summary>
public abstract class ConsumerBehaviourSuite(ITestOutputHelper output)
{
    protected abstract Task<ITestCluster> StartClusterAsync();

    protected KafkaConsumer<string?, string?> Create(string bootstrap, AutoOffsetReset reset = AutoOffsetReset.Earliest, int maxPollRecords = 500) =>
        new(new ConsumerConfig { BootstrapServers = bootstrap, AutoOffsetReset = reset, FetchMaxWait = TimeSpan.FromMilliseconds(100), MaxPollRecords = maxPollRecords },
            Deserializers.Utf8, Deserializers.Utf8, new TestOutputLoggerFactory(output));

    /// <summary>Polls until <paramref name="count"/> records arrived or a generous bound passes.</summary>
    protected static List<ConsumeResult<string?, string?>> PollUntil(KafkaConsumer<string?, string?> consumer, int count, List<ConsumeResult<string?, string?>>? into = null)
    {
        var result = into ?? [];
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (result.Count < count && DateTime.UtcNow < deadline) result.AddRange(consumer.Poll(TimeSpan.FromMilliseconds(200)));
        return result;
    }

    [Fact]
    public async Task Not_leader_errors_refresh_metadata_and_resume_from_the_same_position()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("nl", partitions: 1);
        (await Kcat.ProduceAsync(cluster.BootstrapServers, "nl", Enumerable.Range(0, 50).Select(i => "v" + i))).EnsureSuccess();
        cluster.PushRequestErrors(ApiKey.Fetch, ErrorCode.NotLeaderOrFollower, ErrorCode.NotLeaderOrFollower, ErrorCode.UnknownTopicOrPartition);
        using var consumer = Create(cluster.BootstrapServers);
        consumer.Assign([new TopicPartition("nl", 0)]);
        var values = new List<string?>();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (values.Count < 50 && DateTime.UtcNow < deadline) values.AddRange(consumer.Poll(TimeSpan.FromMilliseconds(200)).Select(r => r.Value));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => "v" + i), values);
    }

    [Fact]
    public async Task Out_of_range_with_reset_none_is_a_clear_error_naming_the_partition()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("oor", partitions: 1);
        (await Kcat.ProduceAsync(cluster.BootstrapServers, "oor", ["a", "b"])).EnsureSuccess();
        using var consumer = Create(cluster.BootstrapServers, AutoOffsetReset.None);
        var tp = new TopicPartition("oor", 0);
        consumer.Assign([tp]);
        consumer.Seek(tp, 1000);
        var e = Assert.Throws<KafkaException>(() =>
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (DateTime.UtcNow < deadline) consumer.Poll(TimeSpan.FromMilliseconds(200));
        });
        Assert.Equal(ErrorCode.OffsetOutOfRange, e.Code);
        Assert.Contains("oor-0", e.Message, StringComparison.Ordinal);
        Assert.Contains("auto.offset.reset", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Out_of_range_with_reset_earliest_restarts_from_the_log_start()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("oore", partitions: 1);
        (await Kcat.ProduceAsync(cluster.BootstrapServers, "oore", ["a", "b"])).EnsureSuccess();
        using var consumer = Create(cluster.BootstrapServers);
        var tp = new TopicPartition("oore", 0);
        consumer.Assign([tp]);
        consumer.Seek(tp, 1000);
        var values = new List<string?>();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (values.Count < 2 && DateTime.UtcNow < deadline) values.AddRange(consumer.Poll(TimeSpan.FromMilliseconds(200)).Select(r => r.Value));
        Assert.Equal(["a", "b"], values);
    }

    sealed class BlockingDeserializer : IDeserializer<string?>, IDisposable
    {
        public ManualResetEventSlim Entered { get; } = new();
        public ManualResetEventSlim Release { get; } = new();

        public string? Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
        {
            Entered.Set();
            Release.Wait(TimeSpan.FromSeconds(10));
            return isNull ? null : System.Text.Encoding.UTF8.GetString(data);
        }

        public void Dispose()
        {
            Entered.Dispose();
            Release.Dispose();
        }
    }

    [Fact]
    public async Task Use_from_a_second_thread_during_a_poll_fails_clearly_and_wakeup_breaks_the_poll()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("guard", partitions: 1);
        (await Kcat.ProduceAsync(cluster.BootstrapServers, "guard", ["only"])).EnsureSuccess();
        using var blocking = new BlockingDeserializer();
        using var consumer = new KafkaConsumer<string?, string?>(
            new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, AutoOffsetReset = AutoOffsetReset.Earliest },
            Deserializers.Utf8, blocking, new TestOutputLoggerFactory(output));
        consumer.Assign([new TopicPartition("guard", 0)]);
        var poll = Task.Run(() => consumer.Consume(TimeSpan.FromSeconds(10)));
        Assert.True(blocking.Entered.Wait(TimeSpan.FromSeconds(10)), "the poll never reached the record");
        // The polling thread is inside Consume (in the deserializer) right now.
        var guard = Assert.Throws<InvalidOperationException>(() => consumer.Assignment);
        Assert.Contains("multi-threaded", guard.Message, StringComparison.Ordinal);
        blocking.Release.Set();
        Assert.Equal("only", (await poll.WaitAsync(TimeSpan.FromSeconds(10)))!.Value);

        var idle = Task.Run(() => consumer.Consume(TimeSpan.FromSeconds(30)));
        await Task.Delay(200);
        consumer.Wakeup();
        await Assert.ThrowsAsync<ConsumerWakeupException>(() => idle.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Single(consumer.Assignment); // usable again from this thread
    }

    [Fact]
    public async Task Cancelling_a_waiting_consume_throws_operation_canceled_and_leaves_no_wakeup_behind()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("cancel", partitions: 1);
        (await Kcat.ProduceAsync(cluster.BootstrapServers, "cancel", ["a"], partition: 0)).EnsureSuccess();
        using var consumer = Create(cluster.BootstrapServers);
        consumer.Assign([new TopicPartition("cancel", 0)]);
        using (var first = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            Assert.Equal("a", consumer.Consume(first.Token).Value);

        // Nothing more to read: the call waits until the token is cancelled.
        using var cts = new CancellationTokenSource();
        var waiting = Task.Run(() => consumer.Consume(cts.Token));
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);
        cts.Cancel();
        var e = await Assert.ThrowsAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(cts.Token, e.CancellationToken);

        // A cancellation is not a Wakeup: the next calls work, including after a token cancelled late.
        (await Kcat.ProduceAsync(cluster.BootstrapServers, "cancel", ["b", "c"], partition: 0)).EnsureSuccess();
        using var late = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal("b", consumer.Consume(late.Token).Value);
        late.Cancel();
        Assert.Equal("c", consumer.Consume(TimeSpan.FromSeconds(10))?.Value);
    }

    [Fact]
    public async Task ConsumeAsync_with_a_cancelled_token_is_cancelled_and_a_wakeup_still_ends_a_waiting_consume()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("cancel-async", partitions: 1);
        using var consumer = Create(cluster.BootstrapServers);
        consumer.Assign([new TopicPartition("cancel-async", 0)]);
        var cancelled = consumer.ConsumeAsync(new CancellationToken(canceled: true));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.True(cancelled.IsCanceled);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var waiting = consumer.ConsumeAsync(cts.Token);
        await Task.Delay(300);
        consumer.Wakeup();
        await Assert.ThrowsAsync<ConsumerWakeupException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Consume_one_record_at_a_time_reads_every_partition_in_order_exactly_once()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("single", partitions: 3);
        for (var p = 0; p < 3; p++)
            (await Kcat.ProduceAsync(cluster.BootstrapServers, "single", Enumerable.Range(0, 400).Select(i => $"p{p}-{i}"), partition: p)).EnsureSuccess();
        using var consumer = Create(cluster.BootstrapServers);
        consumer.Assign([new TopicPartition("single", 0), new TopicPartition("single", 1), new TopicPartition("single", 2)]);
        var seen = new Dictionary<int, List<string?>> { [0] = [], [1] = [], [2] = [] };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 1200; i++)
        {
            var r = consumer.Consume(cts.Token);
            seen[r.Partition].Add(r.Value);
        }
        for (var p = 0; p < 3; p++)
            Assert.Equal(Enumerable.Range(0, 400).Select(i => $"p{p}-{i}"), seen[p]);
        Assert.Null(consumer.Consume(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Offsets_for_times_and_end_offsets_come_from_list_offsets()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("times", partitions: 1);
        (await Kcat.ProduceAsync(cluster.BootstrapServers, "times", ["a", "b", "c"])).EnsureSuccess();
        using var consumer = Create(cluster.BootstrapServers);
        var tp = new TopicPartition("times", 0);
        Assert.Equal(3, consumer.EndOffsets([tp])[tp]);
        Assert.Equal(0, consumer.BeginningOffsets([tp])[tp]);
        consumer.Assign([tp]);
        consumer.SeekToEnd([tp]);
        Assert.Equal(3, consumer.Position(tp));
        consumer.SeekToBeginning([tp]);
        Assert.Equal(0, consumer.Position(tp));
    }

    [Fact]
    public async Task Pause_holds_back_a_partition_and_resume_reads_it_from_where_it_stopped()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("pause", partitions: 2);
        for (var p = 0; p < 2; p++)
            (await Kcat.ProduceAsync(cluster.BootstrapServers, "pause", Enumerable.Range(0, 20).Select(i => $"p{p}-{i}"), partition: p)).EnsureSuccess();
        var p0 = new TopicPartition("pause", 0);
        var p1 = new TopicPartition("pause", 1);
        using var consumer = Create(cluster.BootstrapServers);
        consumer.Assign([p0, p1]);
        consumer.Pause([p1]);
        Assert.Equal(new[] { p1 }, consumer.Paused());
        var records = PollUntil(consumer, 20);
        // A few more polls: nothing of the paused partition may come.
        for (var i = 0; i < 5; i++) records.AddRange(consumer.Poll(TimeSpan.FromMilliseconds(100)));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"p0-{i}"), records.Select(r => r.Value));
        Assert.Equal(0, consumer.Position(p1));

        consumer.Resume([p1]);
        Assert.Empty(consumer.Paused());
        var resumed = PollUntil(consumer, 20);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"p1-{i}"), resumed.Select(r => r.Value));
    }

    [Fact]
    public async Task Poll_returns_at_most_max_poll_records_and_nothing_is_lost_between_batches()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("mpr", partitions: 1);
        (await Kcat.ProduceAsync(cluster.BootstrapServers, "mpr", Enumerable.Range(0, 50).Select(i => "v" + i))).EnsureSuccess();
        using var consumer = Create(cluster.BootstrapServers, maxPollRecords: 7);
        consumer.Assign([new TopicPartition("mpr", 0)]);
        var all = new List<string?>();
        var largest = 0;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (all.Count < 50 && DateTime.UtcNow < deadline)
        {
            var batch = consumer.Poll(TimeSpan.FromMilliseconds(200));
            largest = Math.Max(largest, batch.Count);
            all.AddRange(batch.Select(r => r.Value));
        }
        Assert.Equal(7, largest);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => "v" + i), all);
    }

    [Fact]
    public async Task ConsumeAllAsync_streams_every_record_and_ends_when_the_token_is_cancelled()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("stream", partitions: 1);
        (await Kcat.ProduceAsync(cluster.BootstrapServers, "stream", Enumerable.Range(0, 30).Select(i => "s" + i))).EnsureSuccess();
        using var consumer = Create(cluster.BootstrapServers);
        consumer.Assign([new TopicPartition("stream", 0)]);
        var values = new List<string?>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var r in consumer.ConsumeAllAsync(cts.Token))
        {
            values.Add(r.Value);
            if (values.Count == 30) cts.CancelAfter(300); // the stream then waits for more and ends on cancellation
        }
        Assert.Equal(Enumerable.Range(0, 30).Select(i => "s" + i), values);
    }

    [Fact]
    public async Task Fetch_session_errors_start_a_new_session_and_reading_goes_on_without_gaps_or_duplicates()
    {
        await using var cluster = await StartClusterAsync();
        cluster.CreateTopic("fsess", partitions: 2);
        for (var p = 0; p < 2; p++)
            (await Kcat.ProduceAsync(cluster.BootstrapServers, "fsess", Enumerable.Range(0, 10).Select(i => $"p{p}-{i}"), partition: p)).EnsureSuccess();
        using var consumer = Create(cluster.BootstrapServers);
        consumer.Assign([new TopicPartition("fsess", 0), new TopicPartition("fsess", 1)]);
        var records = PollUntil(consumer, 20);
        Assert.Equal(20, records.Count);

        // The broker forgot the session (e.g. evicted it from its cache), then rejects an epoch.
        cluster.PushRequestErrors(ApiKey.Fetch, ErrorCode.FetchSessionIdNotFound, ErrorCode.InvalidFetchSessionEpoch);
        for (var p = 0; p < 2; p++)
            (await Kcat.ProduceAsync(cluster.BootstrapServers, "fsess", Enumerable.Range(10, 10).Select(i => $"p{p}-{i}"), partition: p)).EnsureSuccess();
        PollUntil(consumer, 40, records);
        for (var p = 0; p < 2; p++)
            Assert.Equal(Enumerable.Range(0, 20).Select(i => $"p{p}-{i}"), records.Where(r => r.Partition == p).Select(r => r.Value));
    }
}
