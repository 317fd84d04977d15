using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Samsa.Cli.Perf;

/// <summary>
/// The outcome of a perf run: the figures of Kafka's perf scripts plus client CPU and managed
/// allocation per record. <see cref="WriteJson"/> emits the field names that comparison scripts read.
/// </summary>
internal sealed record PerfResult(
    string Mode,
    long Records,
    long Bytes,
    double Seconds,
    double CpuSeconds,
    long AllocatedBytes,
    double LatencyAvgMs,
    double LatencyP50Ms,
    double LatencyP95Ms,
    double LatencyP99Ms,
    double LatencyP999Ms,
    double LatencyMaxMs,
    long Errors)
{
    public double RecordsPerSec => Seconds > 0 ? Records / Seconds : 0;

    public double MbPerSec => Seconds > 0 ? Bytes / (1024.0 * 1024.0) / Seconds : 0;

    public double AllocBytesPerRecord => Records > 0 ? (double)AllocatedBytes / Records : 0;

    public double CpuMicrosPerRecord => Records > 0 ? CpuSeconds * 1e6 / Records : 0;

    /// <summary>Builds the result from the meter and the latency histogram.</summary>
    public static PerfResult From(string mode, long records, long bytes, ResourceMeter meter, LatencyHistogram latency, long errors) =>
        new(mode, records, bytes, meter.Seconds, meter.CpuSeconds, meter.AllocatedBytes,
            latency.MeanMicros / 1000.0,
            latency.PercentileMicros(50) / 1000.0,
            latency.PercentileMicros(95) / 1000.0,
            latency.PercentileMicros(99) / 1000.0,
            latency.PercentileMicros(99.9) / 1000.0,
            latency.MaxMicros / 1000.0,
            errors);

    /// <summary>One JSON object on one line.</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("mode", Mode);
            w.WriteNumber("records", Records);
            w.WriteNumber("bytes", Bytes);
            w.WriteNumber("errors", Errors);
            w.WriteNumber("seconds", Round(Seconds, 6));
            w.WriteNumber("records_per_sec", Round(RecordsPerSec, 1));
            w.WriteNumber("mb_per_sec", Round(MbPerSec, 3));
            w.WriteNumber("cpu_seconds", Round(CpuSeconds, 6));
            w.WriteNumber("cpu_us_per_record", Round(CpuMicrosPerRecord, 4));
            w.WriteNumber("alloc_bytes", AllocatedBytes);
            w.WriteNumber("alloc_bytes_per_record", Round(AllocBytesPerRecord, 2));
            w.WriteStartObject("latency_ms");
            w.WriteNumber("avg", Round(LatencyAvgMs, 3));
            w.WriteNumber("p50", Round(LatencyP50Ms, 3));
            w.WriteNumber("p95", Round(LatencyP95Ms, 3));
            w.WriteNumber("p99", Round(LatencyP99Ms, 3));
            w.WriteNumber("p999", Round(LatencyP999Ms, 3));
            w.WriteNumber("max", Round(LatencyMaxMs, 3));
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>The human report, in the words of Kafka's ProducerPerformance.</summary>
    public string ToText()
    {
        var verb = Mode == "produce" ? "sent" : "consumed";
        var ic = CultureInfo.InvariantCulture;
        var first = string.Create(ic,
            $"{Records} records {verb}, {RecordsPerSec:F1} records/sec ({MbPerSec:F2} MB/sec), {LatencyAvgMs:F2} ms avg latency, {LatencyMaxMs:F2} ms max latency, {LatencyP50Ms:F2} ms 50th, {LatencyP95Ms:F2} ms 95th, {LatencyP99Ms:F2} ms 99th, {LatencyP999Ms:F2} ms 99.9th.");
        var second = string.Create(ic,
            $"client: {CpuSeconds:F2} s CPU ({CpuMicrosPerRecord:F2} us/record), {AllocBytesPerRecord:F1} managed bytes allocated/record");
        var errors = Errors > 0 ? string.Create(ic, $", {Errors} errors") : "";
        return first + "\n" + second + errors + ".";
    }

    private static double Round(double v, int digits) => double.IsFinite(v) ? Math.Round(v, digits) : 0;
}
