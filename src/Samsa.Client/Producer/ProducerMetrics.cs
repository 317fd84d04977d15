using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Samsa.Client.Producer;

/// <summary>
/// The producer's instruments on the "Samsa.Client.Producer" meter (System.Diagnostics.Metrics), tagged
/// with client.id. Records are counted per batch on the sender thread, never per record on the
/// producing threads.
/// </summary>
internal sealed class ProducerMetrics : IDisposable
{
    /// <summary>The meter name to listen to.</summary>
    public const string MeterName = "Samsa.Client.Producer";

    private readonly Meter _meter;
    private readonly TagList _tags;
    private readonly Counter<long> _recordsSent;
    private readonly Counter<long> _bytesSent;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _compressionRatio;
    private readonly Histogram<double> _requestLatency;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _errors;

    public ProducerMetrics(string clientId, Func<long> bufferAvailableBytes)
    {
        _meter = new Meter(MeterName);
        _tags = new TagList { { "client.id", clientId } };
        _recordsSent = _meter.CreateCounter<long>("samsa.producer.records.sent", "{record}", "Records acknowledged by brokers (record-send-rate).");
        _bytesSent = _meter.CreateCounter<long>("samsa.producer.bytes.sent", "By", "Record batch bytes sent.");
        _batchSize = _meter.CreateHistogram<int>("samsa.producer.batch.size", "By", "Bytes per batch sent (batch-size-avg).");
        _compressionRatio = _meter.CreateHistogram<double>("samsa.producer.compression.ratio", null, "Compressed / uncompressed size per batch.");
        _requestLatency = _meter.CreateHistogram<double>("samsa.producer.request.latency", "ms", "Produce request latency (request-latency-avg).");
        _retries = _meter.CreateCounter<long>("samsa.producer.records.retried", "{record}", "Records retried (record-retry-rate).");
        _errors = _meter.CreateCounter<long>("samsa.producer.records.failed", "{record}", "Records that failed (record-error-rate).");
        var tags = _tags;
        _meter.CreateObservableGauge("samsa.producer.buffer.available", () => new Measurement<long>(bufferAvailableBytes(), tags), "By",
            "Unused buffer.memory (buffer-available-bytes).");
    }

    public void BatchSent(ProducerBatch batch)
    {
        _bytesSent.Add(batch.SizeInBytes, _tags);
        _batchSize.Record(batch.SizeInBytes, _tags);
        _compressionRatio.Record(batch.CompressionRatio, _tags);
    }

    public void RecordsSent(int count) => _recordsSent.Add(count, _tags);

    public void RequestLatency(long ms) => _requestLatency.Record(ms, _tags);

    public void Retried(int records) => _retries.Add(records, _tags);

    public void Failed(int records) => _errors.Add(records, _tags);

    public void Dispose() => _meter.Dispose();
}
