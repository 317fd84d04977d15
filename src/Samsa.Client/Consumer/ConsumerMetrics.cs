using System.Diagnostics.Metrics;

namespace Samsa.Client.Consumer;

/// <summary>
/// Consumer metrics through System.Diagnostics.Metrics (meter <c>Samsa.Client.Consumer</c>), named
/// after Java's consumer-fetch-manager and consumer-coordinator metrics. Tagged with client.id.
/// </summary>
internal sealed class ConsumerMetrics : IDisposable
{
    public const string MeterName = "Samsa.Client.Consumer";

    readonly Meter _meter;
    readonly KeyValuePair<string, object?> _clientTag;
    readonly Counter<long> _records;
    readonly Counter<long> _bytes;
    readonly Counter<long> _fetches;
    readonly Histogram<double> _fetchLatency;
    readonly Counter<long> _commits;
    readonly Histogram<double> _commitLatency;
    readonly Counter<long> _rebalances;

    public ConsumerMetrics(string clientId)
    {
        _meter = new Meter(MeterName);
        _clientTag = new("client.id", clientId);
        _records = _meter.CreateCounter<long>("samsa.consumer.records_consumed", "{record}", "Records returned to the application (records-consumed-total).");
        _bytes = _meter.CreateCounter<long>("samsa.consumer.bytes_fetched", "By", "Record bytes received in fetch responses (bytes-consumed-total).");
        _fetches = _meter.CreateCounter<long>("samsa.consumer.fetches", "{request}", "Fetch responses received (fetch-total).");
        _fetchLatency = _meter.CreateHistogram<double>("samsa.consumer.fetch_latency", "ms", "Fetch request latency (fetch-latency).");
        _commits = _meter.CreateCounter<long>("samsa.consumer.commits", "{request}", "Offset commits completed (commit-total).");
        _commitLatency = _meter.CreateHistogram<double>("samsa.consumer.commit_latency", "ms", "Offset commit latency (commit-latency).");
        _rebalances = _meter.CreateCounter<long>("samsa.consumer.rebalances", "{rebalance}", "Completed group rebalances (rebalance-total).");
    }

    public void RecordsConsumed(int count)
    {
        if (count > 0) _records.Add(count, _clientTag);
    }

    public void RecordFetch(long latencyMs, long bytes)
    {
        _fetches.Add(1, _clientTag);
        _bytes.Add(bytes, _clientTag);
        _fetchLatency.Record(latencyMs, _clientTag);
    }

    public void RecordCommit(long latencyMs)
    {
        _commits.Add(1, _clientTag);
        _commitLatency.Record(latencyMs, _clientTag);
    }

    public void RecordRebalance() => _rebalances.Add(1, _clientTag);

    public void Dispose() => _meter.Dispose();
}
