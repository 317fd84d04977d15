using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Client.Metadata;
using Samsa.Client.Producer;
using Samsa.Protocol;
using Samsa.Protocol.Compression;

namespace Samsa.Client.Tests.Producer;

/// <summary>
/// The idempotent producer's sequence and epoch rules, checked against the Java client's Sender and
/// TransactionManager (KIP-360) with a fake clock and a fake network: what keeps a sequence, what
/// renumbers, when the epoch is bumped (locally, as Java's idempotent producer does) and what is fatal.
/// </summary>
public class IdempotenceTests
{
    private static readonly TopicPartition T0 = new("t", 0);
    private readonly ManualTimeProvider _time = new();
    private readonly FakeNetworkClient _client;
    private RecordAccumulator _accumulator = null!;
    private TransactionManager _tm = null!;
    private Sender _sender = null!;

    public IdempotenceTests() => _client = new FakeNetworkClient(_time, new FakeCluster().With("t", 0));

    private void Build(int retries = int.MaxValue, long deliveryTimeout = 120_000, short epoch = 0)
    {
        _tm = new TransactionManager(NullLogger.Instance);
        _accumulator = new RecordAccumulator(1024, CompressionType.None, 0, 100, 1000, deliveryTimeout, new BufferPool(1 << 20, 1024, _time), _time, _tm);
        _sender = new Sender(_client, _accumulator, _tm, null, NullLogger.Instance, _time, false, 1 << 20, -1, retries, 30_000, deliveryTimeout, 100);
        _sender.RunOnce();
        Assert.True(_client.InitProducerIdPending);
        _client.RespondInitProducerId(1000, epoch);
        _sender.RunOnce();
        Assert.Equal((1000L, epoch), (_tm.ProducerId, _tm.ProducerEpoch));
    }

    /// <summary>Appends <paramref name="records"/> records into the partition's open batch.</summary>
    private List<TaskCompletionSource<DeliveryResult>> Append(int records = 1)
    {
        var tasks = new List<TaskCompletionSource<DeliveryResult>>();
        for (int i = 0; i < records; i++)
        {
            var t = new TaskCompletionSource<DeliveryResult>();
            _accumulator.TryAppend(T0, _time.NowMs, default, true, new byte[10], false, null, t, null);
            tasks.Add(t);
        }
        return tasks;
    }

    /// <summary>Runs the sender once and returns the one batch it sent.</summary>
    private ProducerBatch Send()
    {
        int before = _client.Sent.Count;
        _sender.RunOnce();
        Assert.Equal(before + 1, _client.Sent.Count);
        return _client.Sent[^1].Batches.Single();
    }

    private static (long Id, short Epoch, int Sequence) StateOf(ProducerBatch batch)
    {
        var onWire = TestBatchReader.Read(batch.Records.Span);
        Assert.Equal((batch.ProducerId, batch.ProducerEpoch, batch.BaseSequence), (onWire.ProducerId, onWire.ProducerEpoch, onWire.BaseSequence));
        Assert.Equal(onWire.Crc, onWire.ComputedCrc);
        return (batch.ProducerId, batch.ProducerEpoch, batch.BaseSequence);
    }

    private List<int> InFlightSequences() => [.. _client.InFlight.SelectMany(s => s.Batches).Select(b => b.BaseSequence)];

    private static PartitionProduceResult Result(ProducerBatch b, ErrorCode error, long logStartOffset = -1) =>
        new(b.TopicPartition, error, -1, LogStartOffset: logStartOffset);

    [Fact]
    public async Task Timed_out_batch_keeps_its_sequence_on_retry_and_a_duplicate_answer_completes_it()
    {
        Build();
        var a = Append();
        var sent = Send();
        _client.Disconnect(timedOut: true); // the broker may have written it
        _sender.RunOnce();
        Assert.False(_tm.EpochBumpRequired);
        _time.AdvanceMs(100);
        var retry = Send();
        Assert.Same(sent, retry);
        Assert.Equal((1000L, (short)0, 0), StateOf(retry));
        _client.Respond(ErrorCode.DuplicateSequenceNumber, baseOffset: 5);
        _sender.RunOnce();
        Assert.Equal(5, (await a[0].Task).Offset);
        Assert.Equal((0, 1), (_tm.LastAckedSequence(T0), _tm.NextSequence(T0)));
    }

    [Fact]
    public async Task Permanent_failure_of_an_earlier_batch_bumps_the_epoch_and_renumbers_the_later_in_flight_batches()
    {
        Build();
        var a = Append();
        Send();
        _time.AdvanceMs(1);
        var b = Append(2);
        var batchB = Send();
        _time.AdvanceMs(1);
        var c = Append();
        var batchC = Send();
        Assert.Equal([0, 1, 3], InFlightSequences());

        // The broker rejected the first batch for good: later sequences have a gap in front of them.
        _client.Respond(ErrorCode.InvalidRecord);
        _sender.RunOnce();
        var e = await Assert.ThrowsAsync<ProduceException>(() => a[0].Task);
        Assert.Equal(ErrorCode.InvalidRecord, e.Code);
        Assert.True(_tm.EpochBumpRequired);

        _sender.RunOnce(); // Java bumps the idempotent epoch locally: no InitProducerId.
        Assert.Equal(1, _client.InitProducerIdRequests);
        Assert.Equal((1000L, (short)1, 0), StateOf(batchB));
        Assert.Equal((1000L, (short)1, 2), StateOf(batchC));
        Assert.True(batchB.SequenceHasBeenReset);
        Assert.Equal(3, _tm.NextSequence(T0));

        // Their old-epoch requests come back out of order; renumbered batches are just retried, in order.
        _client.Respond(ErrorCode.OutOfOrderSequenceNumber);
        _client.Respond(ErrorCode.OutOfOrderSequenceNumber);
        _sender.RunOnce();
        Assert.False(_tm.EpochBumpRequired);
        _time.AdvanceMs(100);
        _sender.RunOnce();
        Assert.Equal([0], InFlightSequences());
        _client.Respond(baseOffset: 10);
        _sender.RunOnce();
        _sender.RunOnce();
        Assert.Equal([2], InFlightSequences());
        _client.Respond(baseOffset: 12);
        _sender.RunOnce();
        Assert.Equal([10L, 11L, 12L], (await Task.WhenAll(b.Concat(c).Select(t => t.Task))).Select(r => r.Offset));
        Assert.Equal((short)1, _tm.ProducerEpoch);
    }

    [Fact]
    public async Task Batch_failing_after_its_retries_ran_out_leaves_the_sequences_alone()
    {
        Build(retries: 1);
        var a = Append();
        Send();
        _client.Respond(ErrorCode.NotLeaderOrFollower);
        _sender.RunOnce();
        _time.AdvanceMs(100);
        _sender.RunOnce();
        _client.Respond(ErrorCode.NotLeaderOrFollower);
        _sender.RunOnce();
        await Assert.ThrowsAsync<ProduceException>(() => a[0].Task);
        // An earlier attempt may have been written: Java does not adjust sequences then.
        Assert.False(_tm.EpochBumpRequired);
        Assert.Equal(1, _tm.NextSequence(T0));
        Append();
        Assert.Equal((1000L, (short)0, 1), StateOf(Send()));
    }

    /// <summary>A batch sent, timed out, re-sent and then expired: nobody knows whether the broker has it.</summary>
    private TaskCompletionSource<DeliveryResult> ExpireARetriedBatch(bool withLaterBatch, Action? answerInTheSamePoll = null)
    {
        var a = Append();
        Send();
        _client.Disconnect(timedOut: true);
        _sender.RunOnce();
        _time.AdvanceMs(100);
        Send();
        _time.AdvanceMs(500);
        if (withLaterBatch)
        {
            Append();
            Assert.Equal(1, Send().BaseSequence);
        }
        _time.AdvanceMs(450); // the first batch is past delivery.timeout.ms (1000), the later one is not
        answerInTheSamePoll?.Invoke();
        _sender.RunOnce();
        Assert.True(a[0].Task.IsFaulted);
        return a[0];
    }

    [Fact]
    public async Task Expired_retried_batch_leaves_the_partition_unresolved_until_a_later_batch_proves_it_was_written()
    {
        Build(deliveryTimeout: 1000);
        var a = ExpireARetriedBatch(withLaterBatch: true);
        var e = await Assert.ThrowsAsync<ProduceException>(() => a.Task);
        Assert.IsType<KafkaTimeoutException>(e.InnerException);
        Assert.True(_tm.HasUnresolvedSequence(T0));

        int sent = _client.Sent.Count;
        Append();
        _sender.RunOnce();
        Assert.Equal(sent, _client.Sent.Count); // nothing new is numbered while unresolved

        _client.Disconnect(); // the expired batch's request
        _client.Respond(baseOffset: 1); // sequence 1 accepted: sequence 0 was written after all
        _sender.RunOnce();
        _sender.RunOnce();
        Assert.False(_tm.HasUnresolvedSequence(T0));
        Assert.False(_tm.EpochBumpRequired);
        Assert.Equal((1000L, (short)0, 2), StateOf(_client.Sent[^1].Batches.Single()));
    }

    [Fact]
    public void Expired_retried_batch_then_out_of_order_for_the_batch_after_it_bumps_the_epoch()
    {
        Build(deliveryTimeout: 1000);
        ExpireARetriedBatch(withLaterBatch: true);
        var later = _client.InFlight[1].Batches.Single();
        _client.Disconnect();
        _client.Respond(ErrorCode.OutOfOrderSequenceNumber); // the gap is real: sequence 0 never landed
        _sender.RunOnce();
        _sender.RunOnce();
        Assert.False(_tm.HasUnresolvedSequence(T0));
        Assert.Equal((1000L, (short)1, 0), StateOf(later));
        _time.AdvanceMs(100);
        _sender.RunOnce();
        Assert.Same(later, _client.Sent[^1].Batches.Single());
    }

    [Fact]
    public void Expired_retried_batch_with_nothing_else_in_flight_bumps_the_epoch_before_new_sequences()
    {
        Build(deliveryTimeout: 1000);
        ExpireARetriedBatch(withLaterBatch: false);
        Append();
        var next = Send();
        Assert.Equal((1000L, (short)1, 0), StateOf(next));
        Assert.Equal(1, _client.InitProducerIdRequests);
    }

    [Fact]
    public void Late_success_of_an_expired_batch_resolves_its_partition_without_a_bump()
    {
        Build(deliveryTimeout: 1000);
        ExpireARetriedBatch(withLaterBatch: false, answerInTheSamePoll: () => _client.Respond(baseOffset: 0));
        Assert.Equal(0, _tm.LastAckedSequence(T0));
        Append();
        Assert.Equal((1000L, (short)0, 1), StateOf(Send()));
        Assert.False(_tm.HasUnresolvedSequence(T0));
    }

    [Fact]
    public void Out_of_order_for_a_batch_behind_the_next_expected_one_is_retried_without_a_bump()
    {
        Build();
        Append();
        Send();
        _time.AdvanceMs(1);
        Append();
        Send();
        _client.Disconnect(); // sequence 0: outcome unknown
        _client.Respond(ErrorCode.OutOfOrderSequenceNumber); // sequence 1 waits for 0
        _sender.RunOnce();
        Assert.False(_tm.EpochBumpRequired);
        _time.AdvanceMs(100);
        _sender.RunOnce();
        Assert.Equal([0], InFlightSequences()); // retries go one at a time from the first unacknowledged
    }

    [Fact]
    public async Task Out_of_order_for_the_next_expected_batch_bumps_the_epoch_locally_and_renumbers_from_zero()
    {
        Build();
        Append();
        Send();
        _client.Respond(baseOffset: 0);
        _sender.RunOnce();
        var b = Append();
        var batch = Send();
        Assert.Equal(1, batch.BaseSequence);
        _client.Respond(ErrorCode.OutOfOrderSequenceNumber); // the broker lost sequence 0 although it acknowledged it
        _sender.RunOnce();
        Assert.True(_tm.EpochBumpRequired);
        _time.AdvanceMs(100);
        var retried = Send();
        Assert.Same(batch, retried);
        Assert.Equal((1000L, (short)1, 0), StateOf(retried));
        Assert.Equal(1, _client.InitProducerIdRequests);
        _client.Respond(baseOffset: 1);
        _sender.RunOnce();
        Assert.Equal(1, (await b[0].Task).Offset);
    }

    [Fact]
    public async Task At_the_last_epoch_a_bump_asks_for_a_new_producer_id_and_renumbers_under_it()
    {
        Build(epoch: short.MaxValue);
        Append();
        Send();
        _client.Respond(baseOffset: 0);
        _sender.RunOnce();
        var b = Append();
        var batch = Send();
        _client.Respond(ErrorCode.OutOfOrderSequenceNumber);
        _sender.RunOnce();
        _sender.RunOnce(); // the epoch cannot grow: the producer id is dropped and a new one requested
        Assert.False(_tm.HasProducerId);
        Assert.True(_client.InitProducerIdPending);
        Assert.Equal(2, _client.InitProducerIdRequests);
        _time.AdvanceMs(100);
        _sender.RunOnce();
        Assert.Single(_client.Sent.Skip(1)); // nothing is sent without a producer id
        _client.RespondInitProducerId(2000, 0);
        _sender.RunOnce();
        var retried = Send();
        Assert.Same(batch, retried);
        Assert.Equal((2000L, (short)0, 0), StateOf(retried));
        _client.Respond(baseOffset: 1);
        _sender.RunOnce();
        Assert.Equal(1, (await b[0].Task).Offset);
    }

    [Fact]
    public void Unknown_producer_id_without_a_log_start_offset_is_retried_unchanged()
    {
        Build();
        Append();
        var batch = Send();
        _client.Respond(perPartition: b => Result(b, ErrorCode.UnknownProducerId, logStartOffset: -1));
        _sender.RunOnce();
        Assert.False(_tm.EpochBumpRequired);
        _time.AdvanceMs(100);
        Assert.Equal((1000L, (short)0, 0), StateOf(Send()));
        Assert.False(batch.SequenceHasBeenReset);
    }

    [Theory]
    [InlineData(5)] // retention removed our records and the producer state with them
    [InlineData(0)] // our records are still there: the broker lost the state; the idempotent producer bumps anyway
    public void Unknown_producer_id_with_a_log_start_offset_bumps_the_epoch_and_retries_from_sequence_zero(long logStartOffset)
    {
        Build();
        Append();
        Send();
        _client.Respond(baseOffset: 0);
        _sender.RunOnce();
        Assert.Equal(0, _tm.LastAckedOffset(T0));
        Append();
        var batch = Send();
        _client.Respond(perPartition: b => Result(b, ErrorCode.UnknownProducerId, logStartOffset));
        _sender.RunOnce();
        Assert.True(_tm.EpochBumpRequired);
        _time.AdvanceMs(100);
        Assert.Equal((1000L, (short)1, 0), StateOf(Send()));
        Assert.True(batch.SequenceHasBeenReset);
    }

    [Fact]
    public void Unknown_producer_id_for_a_batch_already_renumbered_is_retried_without_another_bump()
    {
        Build();
        Append();
        Send();
        _time.AdvanceMs(1);
        Append();
        var second = Send();
        _client.Respond(perPartition: b => Result(b, ErrorCode.UnknownProducerId, logStartOffset: 3));
        _sender.RunOnce(); // bump requested for the first batch
        _sender.RunOnce(); // bumped: both renumbered
        Assert.Equal((1000L, (short)1, 1), StateOf(second));
        _client.Respond(perPartition: b => Result(b, ErrorCode.UnknownProducerId, logStartOffset: 3));
        _sender.RunOnce();
        _sender.RunOnce();
        Assert.False(_tm.EpochBumpRequired);
        Assert.Equal((short)1, _tm.ProducerEpoch);
    }

    [Theory]
    [InlineData(ErrorCode.ClusterAuthorizationFailed, "not authorized to do idempotent sends")]
    [InlineData(ErrorCode.TransactionalIdAuthorizationFailed, "TRANSACTIONAL_ID_AUTHORIZATION_FAILED")]
    public async Task Authorization_failures_are_fatal_for_this_and_every_later_record(ErrorCode error, string message)
    {
        Build();
        var a = Append();
        Send();
        _client.Respond(error);
        _sender.RunOnce();
        var e = await Assert.ThrowsAsync<ProduceException>(() => a[0].Task);
        Assert.Equal(error, e.Code);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Same(e, _tm.FatalError);

        var later = Append();
        _sender.RunOnce();
        Assert.Same(e, await Assert.ThrowsAsync<ProduceException>(() => later[0].Task));
    }

    [Fact]
    public async Task Init_producer_id_cluster_authorization_failure_is_fatal_with_a_clear_error()
    {
        _tm = new TransactionManager(NullLogger.Instance);
        _accumulator = new RecordAccumulator(1024, CompressionType.None, 0, 100, 1000, 120_000, new BufferPool(1 << 20, 1024, _time), _time, _tm);
        _sender = new Sender(_client, _accumulator, _tm, null, NullLogger.Instance, _time, false, 1 << 20, -1, int.MaxValue, 30_000, 120_000, 100);
        var a = Append();
        _sender.RunOnce();
        _client.RespondInitProducerId(-1, -1, ErrorCode.ClusterAuthorizationFailed);
        _sender.RunOnce();
        _sender.RunOnce();
        var e = await Assert.ThrowsAsync<Protocol.Errors.KafkaException>(() => a[0].Task);
        Assert.Equal(ErrorCode.ClusterAuthorizationFailed, e.Code);
        Assert.Contains("enable.idempotence=false", e.Message, StringComparison.Ordinal);
        Assert.Empty(_client.Sent);
    }

    [Fact]
    public void Sequence_numbers_wrap_from_int_MaxValue_to_zero_and_retries_keep_numbering_order()
    {
        Build();
        _tm.SetNextSequence(T0, int.MaxValue - 2);
        Append();
        Send();
        _client.Respond(baseOffset: 0);
        _sender.RunOnce();
        Assert.Equal(int.MaxValue - 2, _tm.LastAckedSequence(T0));

        Append(2);
        var a = Send();
        _time.AdvanceMs(1);
        Append();
        var b = Send();
        Assert.Equal((int.MaxValue - 1, int.MaxValue), (a.BaseSequence, a.LastSequence));
        Assert.Equal((0, 1), (b.BaseSequence, _tm.NextSequence(T0)));

        _client.Disconnect(timedOut: true);
        _client.Respond(ErrorCode.OutOfOrderSequenceNumber); // 0 comes after int.MaxValue: not the next expected
        _sender.RunOnce();
        Assert.False(_tm.EpochBumpRequired);
        Assert.Equal(new[] { a, b }, _accumulator.QueuedBatches(T0)); // numbering order, not numeric order
        _time.AdvanceMs(100);
        _sender.RunOnce();
        Assert.Equal([int.MaxValue - 1], InFlightSequences());
        _client.Respond(baseOffset: 1);
        _sender.RunOnce();
        _sender.RunOnce();
        Assert.Equal([0], InFlightSequences());
        _client.Respond(baseOffset: 3);
        _sender.RunOnce();
        Assert.Equal((0, 1), (_tm.LastAckedSequence(T0), _tm.NextSequence(T0)));
    }

    [Fact]
    public void Split_batch_keeps_its_sequences_and_goes_out_before_later_batches()
    {
        var tm = new TransactionManager(NullLogger.Instance);
        tm.SetProducerIdAndEpoch(7, 2);
        var accumulator = new RecordAccumulator(256, CompressionType.None, 0, 100, 1000, 120_000, new BufferPool(1 << 20, 256, _time), _time, tm);
        var big = new ProducerBatch(T0, new byte[4096], _time.NowMs);
        for (int i = 0; i < 6; i++)
            Assert.True(big.TryAppend(_time.NowMs, default, true, new byte[100], false, null, null, null));
        var later = new ProducerBatch(T0, new byte[4096], _time.NowMs);
        Assert.True(later.TryAppend(_time.NowMs, default, true, new byte[10], false, null, null, null));
        tm.AssignSequence(big);
        tm.AssignSequence(later);
        big.Close(CompressionType.None);
        later.Close(CompressionType.None);
        Assert.Equal(6, later.BaseSequence);

        accumulator.Reenqueue(later, _time.NowMs); // out of order behind the big batch
        int parts = accumulator.SplitAndReenqueue(big, _time.NowMs); // MESSAGE_TOO_LARGE

        Assert.True(parts > 1);
        var queue = accumulator.QueuedBatches(T0);
        Assert.Equal(parts + 1, queue.Count);
        Assert.Same(later, queue[^1]);
        int expected = 0;
        foreach (var part in queue.Take(parts))
        {
            Assert.Equal((7L, (short)2, expected), (part.ProducerId, part.ProducerEpoch, part.BaseSequence));
            expected += part.RecordCount;
        }
        Assert.Equal(6, expected);
        Assert.Equal(parts + 1, tm.InFlightBatchCount(T0));
        Assert.False(tm.ShouldStopDrain(queue[0], 0));
        Assert.True(tm.ShouldStopDrain(queue[1], 0)); // parts go one at a time, in sequence order
    }

    [Fact]
    public void Increment_sequence_wraps_like_kafka()
    {
        Assert.Equal(5, TransactionManager.IncrementSequence(2, 3));
        Assert.Equal(int.MaxValue, TransactionManager.IncrementSequence(int.MaxValue - 1, 1));
        Assert.Equal(0, TransactionManager.IncrementSequence(int.MaxValue, 1));
        Assert.Equal(2, TransactionManager.IncrementSequence(int.MaxValue - 1, 4));
    }
}
