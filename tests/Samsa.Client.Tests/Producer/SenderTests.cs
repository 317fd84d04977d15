using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Client.Metadata;
using Samsa.Client.Producer;
using Samsa.Protocol;
using Samsa.Protocol.Compression;

namespace Samsa.Client.Tests.Producer;

public class SenderTests
{
    private static readonly TopicPartition T0 = new("t", 0);
    private readonly ManualTimeProvider _time = new();
    private readonly FakeNetworkClient _client;
    private RecordAccumulator _accumulator = null!;
    private TransactionManager? _tm;
    private Sender _sender = null!;

    public SenderTests() => _client = new FakeNetworkClient(_time, new FakeCluster().With("t", 0, 0));

    private void Build(bool idempotent = false, short acks = -1, int retries = int.MaxValue, long deliveryTimeout = 120_000, bool maxInFlightOne = false)
    {
        _tm = idempotent ? new TransactionManager(NullLogger.Instance) : null;
        _accumulator = new RecordAccumulator(1024, CompressionType.None, 0, 100, 1000, deliveryTimeout, new BufferPool(1 << 20, 1024, _time), _time, _tm);
        _sender = new Sender(_client, _accumulator, _tm, null, NullLogger.Instance, _time, maxInFlightOne, 1 << 20, acks, retries, 30_000, deliveryTimeout, 100);
    }

    private TaskCompletionSource<DeliveryResult> Append(TopicPartition tp, int size = 10)
    {
        var t = new TaskCompletionSource<DeliveryResult>();
        _accumulator.TryAppend(tp, _time.NowMs, default, true, new byte[size], false, null, t, null);
        return t;
    }

    private void InitProducerId()
    {
        _sender.RunOnce();
        Assert.True(_client.InitProducerIdPending);
        _client.RespondInitProducerId(1000, 0);
        _sender.RunOnce();
    }

    [Fact]
    public async Task Successful_response_completes_records_with_offsets()
    {
        Build();
        var a = Append(T0);
        var b = Append(T0);
        _sender.RunOnce();
        Assert.Single(_client.Sent);
        _client.Respond(baseOffset: 40);
        _sender.RunOnce();
        Assert.Equal(40, (await a.Task).Offset);
        Assert.Equal(41, (await b.Task).Offset);
        Assert.False(_accumulator.HasIncomplete());
    }

    [Fact]
    public async Task Acks_0_completes_on_send_without_offsets()
    {
        Build(acks: 0);
        var a = Append(T0);
        _sender.RunOnce();
        _sender.RunOnce();
        Assert.Equal(-1, (await a.Task).Offset);
    }

    [Fact]
    public async Task Retriable_error_is_retried_after_backoff_and_refreshes_metadata()
    {
        Build();
        var a = Append(T0);
        _sender.RunOnce();
        _client.Respond(ErrorCode.NotLeaderOrFollower);
        int before = _client.MetadataUpdateRequests;
        _sender.RunOnce();
        Assert.True(_client.MetadataUpdateRequests > before);
        Assert.False(a.Task.IsCompleted);
        _sender.RunOnce();
        Assert.Single(_client.Sent); // backing off
        _time.AdvanceMs(100);
        _sender.RunOnce();
        Assert.Equal(2, _client.Sent.Count);
        _client.Respond(baseOffset: 5);
        _sender.RunOnce();
        Assert.Equal(5, (await a.Task).Offset);
    }

    [Fact]
    public async Task Non_retriable_error_fails_the_records()
    {
        Build();
        var a = Append(T0);
        _sender.RunOnce();
        _client.Respond(ErrorCode.TopicAuthorizationFailed);
        _sender.RunOnce();
        var e = await Assert.ThrowsAsync<ProduceException>(() => a.Task);
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, e.Code);
        Assert.Contains("Not authorized", e.Message);
    }

    [Fact]
    public async Task Retries_exhausted_fail_with_the_last_error()
    {
        Build(retries: 1);
        var a = Append(T0);
        _sender.RunOnce();
        _client.Respond(ErrorCode.NotEnoughReplicas);
        _sender.RunOnce();
        _time.AdvanceMs(100);
        _sender.RunOnce();
        _client.Respond(ErrorCode.NotEnoughReplicas);
        _sender.RunOnce();
        Assert.Equal(ErrorCode.NotEnoughReplicas, (await Assert.ThrowsAsync<ProduceException>(() => a.Task)).Code);
    }

    [Fact]
    public async Task Queued_batch_expires_after_delivery_timeout()
    {
        Build(deliveryTimeout: 1000);
        _client.Unreachable.Add(0);
        var a = Append(T0);
        _sender.RunOnce();
        Assert.Empty(_client.Sent);
        _time.AdvanceMs(1000);
        _sender.RunOnce();
        var e = await Assert.ThrowsAsync<ProduceException>(() => a.Task);
        Assert.Contains("delivery.timeout.ms", e.Message);
        Assert.IsType<KafkaTimeoutException>(e.InnerException);
    }

    [Fact]
    public async Task Per_record_errors_fail_only_those_records()
    {
        Build();
        var a = Append(T0);
        var b = Append(T0);
        _sender.RunOnce();
        _client.Respond(perPartition: batch => new PartitionProduceResult(batch.TopicPartition, ErrorCode.InvalidRecord, -1, ErrorMessage: "bad",
            RecordErrors: [(1, "record 1 has no key")]));
        _sender.RunOnce();
        var eb = await Assert.ThrowsAsync<ProduceException>(() => b.Task);
        Assert.Contains("record 1 has no key", eb.Message);
        var ea = await Assert.ThrowsAsync<ProduceException>(() => a.Task);
        Assert.Contains("part of a batch", ea.Message);
    }

    [Fact]
    public async Task Message_too_large_splits_the_batch()
    {
        Build();
        var tasks = Enumerable.Range(0, 8).Select(_ => Append(T0, 100)).ToList();
        _sender.RunOnce();
        Assert.Equal(8, _client.Sent[0].Batches[0].RecordCount);
        _client.Respond(ErrorCode.MessageTooLarge);
        _sender.RunOnce();
        _time.AdvanceMs(100);
        long offset = 0;
        for (int i = 0; i < 10 && tasks.Any(t => !t.Task.IsCompleted); i++)
        {
            _sender.RunOnce();
            while (_client.InFlight.Count > 0)
            {
                var sent = _client.Respond(baseOffset: offset);
                offset += sent.Batches.Sum(b => b.RecordCount);
            }
            _sender.RunOnce();
        }
        Assert.True(_client.Sent.Count > 1);
        for (int i = 0; i < 8; i++) Assert.Equal(i, (await tasks[i].Task).Offset);
    }

    [Fact]
    public void Max_in_flight_one_mutes_the_partition_until_the_response()
    {
        Build(maxInFlightOne: true);
        Append(T0);
        _sender.RunOnce();
        Append(T0);
        _sender.RunOnce();
        Assert.Single(_client.Sent);
        _client.Respond();
        _sender.RunOnce();
        _sender.RunOnce();
        Assert.Equal(2, _client.Sent.Count);
    }

    [Fact]
    public void Idempotent_producer_waits_for_a_producer_id_then_numbers_batches()
    {
        Build(idempotent: true);
        Append(T0);
        _sender.RunOnce();
        Assert.Empty(_client.Sent);
        Assert.Equal(1, _client.InitProducerIdRequests);
        _client.RespondInitProducerId(1000, 3);
        _sender.RunOnce();
        _sender.RunOnce();
        var first = _client.Sent[0].Batches[0];
        Assert.Equal((1000L, (short)3, 0), (first.ProducerId, first.ProducerEpoch, first.BaseSequence));
        Append(T0);
        Append(T0);
        _time.AdvanceMs(1);
        _sender.RunOnce();
        Assert.Equal(1, _client.Sent[1].Batches[0].BaseSequence);
    }

    [Fact]
    public async Task Idempotent_retries_keep_sequence_order_and_duplicates_count_as_success()
    {
        Build(idempotent: true);
        InitProducerId();
        var a = Append(T0);
        _sender.RunOnce();
        _time.AdvanceMs(1);
        var b = Append(T0);
        _sender.RunOnce();
        Assert.Equal(2, _client.InFlight.Count);
        // First request's connection drops: outcome unknown. The second is rejected out of order.
        _client.Disconnect();
        _client.Respond(ErrorCode.OutOfOrderSequenceNumber);
        _sender.RunOnce();
        Assert.False(_tm!.EpochBumpRequired);
        _time.AdvanceMs(100);
        _sender.RunOnce();
        // Retries go one at a time in sequence order: only the first unacknowledged batch.
        Assert.Equal([0], _client.InFlight.SelectMany(s => s.Batches).Select(x => x.BaseSequence));
        _sender.RunOnce();
        Assert.Single(_client.InFlight);
        // The broker had the first batch after all: duplicate = success.
        _client.Respond(ErrorCode.DuplicateSequenceNumber, baseOffset: 7);
        _sender.RunOnce();
        _sender.RunOnce();
        Assert.Equal([1], _client.InFlight.SelectMany(s => s.Batches).Select(x => x.BaseSequence));
        _client.Respond(baseOffset: 8);
        _sender.RunOnce();
        Assert.Equal(7, (await a.Task).Offset);
        Assert.Equal(8, (await b.Task).Offset);
    }

    [Fact]
    public async Task Forced_close_fails_everything_left()
    {
        Build();
        var a = Append(T0);
        _sender.Start("test-sender");
        _sender.ForceClose();
        Assert.True(_sender.Join(TimeSpan.FromSeconds(10)));
        var e = await Assert.ThrowsAsync<ProduceException>(() => a.Task);
        Assert.Contains("closed forcefully", e.Message);
    }
}
