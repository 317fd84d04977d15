using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Client.Metadata;
using Samsa.Client.Producer;
using Samsa.Protocol;
using Samsa.Protocol.Compression;

namespace Samsa.Client.Tests.Producer;

/// <summary>
/// Every instrument of <see cref="ProducerMetrics"/> observed through a <see cref="MeterListener"/> while the
/// sender runs against a fake network and clock. Measurements are told apart from other tests' by client.id.
/// </summary>
public sealed class ProducerMetricsTests : IDisposable
{
    private static readonly TopicPartition T0 = new("t", 0);
    private static readonly TopicPartition T1 = new("t", 1);
    private readonly string _clientId = "metrics-" + Guid.NewGuid().ToString("N");
    private readonly ManualTimeProvider _time = new();
    private readonly FakeNetworkClient _client;
    private readonly MeterListener _listener = new();
    private readonly List<(string Name, double Value)> _measurements = [];
    private readonly BufferPool _pool;
    private readonly RecordAccumulator _accumulator;
    private readonly ProducerMetrics _metrics;
    private readonly Sender _sender;

    public ProducerMetricsTests()
    {
        _client = new FakeNetworkClient(_time, new FakeCluster().With("t", 0, 0));
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ProducerMetrics.MeterName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
        _pool = new BufferPool(1 << 20, 1024, _time);
        _accumulator = new RecordAccumulator(1024, CompressionType.Gzip, 0, 100, 1000, 120_000, _pool, _time, null);
        _metrics = new ProducerMetrics(_clientId, () => _pool.AvailableMemory);
        _sender = new Sender(_client, _accumulator, null, _metrics, NullLogger.Instance, _time, false, 1 << 20, -1, int.MaxValue, 30_000, 120_000, 100);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _metrics.Dispose();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "client.id" && Equals(tag.Value, _clientId))
            {
                lock (_measurements) _measurements.Add((instrument.Name, value));
                return;
            }
        }
    }

    private List<double> Values(string name)
    {
        lock (_measurements) return [.. _measurements.Where(m => m.Name == name).Select(m => m.Value)];
    }

    private double Buffer()
    {
        _listener.RecordObservableInstruments();
        return Values("samsa.producer.buffer.available")[^1];
    }

    private void Append(TopicPartition tp, int records)
    {
        for (int i = 0; i < records; i++)
            _accumulator.TryAppend(tp, _time.NowMs, default, true, new byte[200], false, null, new TaskCompletionSource<DeliveryResult>(), null);
    }

    [Fact]
    public void Every_instrument_reports_what_the_sender_did()
    {
        Assert.Equal(1 << 20, Buffer());
        Append(T0, 3);
        Assert.Equal((1 << 20) - 1024, Buffer()); // one batch.size buffer taken

        _sender.RunOnce();
        var batch = _client.Sent.Single().Batches.Single();
        Assert.Equal([(double)batch.SizeInBytes], Values("samsa.producer.batch.size"));
        Assert.Equal([(double)batch.SizeInBytes], Values("samsa.producer.bytes.sent"));
        var ratio = Assert.Single(Values("samsa.producer.compression.ratio"));
        Assert.Equal(batch.CompressionRatio, ratio);
        Assert.InRange(ratio, 0.01, 0.5); // zeros compress well with gzip

        _time.AdvanceMs(7);
        _client.Respond(ErrorCode.NotLeaderOrFollower);
        _sender.RunOnce();
        Assert.Equal([7.0], Values("samsa.producer.request.latency"));
        Assert.Equal([3.0], Values("samsa.producer.records.retried"));

        _time.AdvanceMs(100);
        _sender.RunOnce(); // the retry is sent again
        Assert.Equal(2, Values("samsa.producer.batch.size").Count);
        _time.AdvanceMs(3);
        _client.Respond(baseOffset: 0);
        _sender.RunOnce();
        Assert.Equal([7.0, 3.0], Values("samsa.producer.request.latency"));
        Assert.Equal([3.0], Values("samsa.producer.records.sent"));
        Assert.Equal(1 << 20, Buffer()); // the buffer went back to the pool

        Append(T1, 2);
        _sender.RunOnce();
        _client.Respond(ErrorCode.InvalidRecord);
        _sender.RunOnce();
        Assert.Equal([2.0], Values("samsa.producer.records.failed"));
        Assert.Equal([3.0], Values("samsa.producer.records.sent"));

        string[] all =
        [
            "samsa.producer.records.sent", "samsa.producer.bytes.sent", "samsa.producer.batch.size", "samsa.producer.compression.ratio",
            "samsa.producer.request.latency", "samsa.producer.records.retried", "samsa.producer.records.failed", "samsa.producer.buffer.available",
        ];
        lock (_measurements) Assert.Equal(all.Order(), _measurements.Select(m => m.Name).Distinct().Order());
    }

    [Fact]
    public void Expired_records_count_as_failed()
    {
        Append(T0, 2);
        _client.Unreachable.Add(0);
        _sender.RunOnce();
        _time.AdvanceMs(120_000);
        _sender.RunOnce();
        Assert.Equal([2.0], Values("samsa.producer.records.failed"));
        Assert.Empty(Values("samsa.producer.records.sent"));
    }

    [Fact]
    public void Records_aborted_by_a_forced_close_count_as_failed()
    {
        Append(T0, 4);
        Append(T1, 1);
        _client.Unreachable.Add(0); // nothing can be sent: everything is still queued at close
        _sender.Start("metrics-test-sender");
        _sender.ForceClose();
        Assert.True(_sender.Join(TimeSpan.FromSeconds(10)));
        Assert.Equal(5.0, Values("samsa.producer.records.failed").Sum());
    }
}
