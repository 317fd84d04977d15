using System.Text.Json;
using Samsa.Cli.Perf;

namespace Samsa.Cli.Tests;

public class PerfResultTests
{
    [Fact]
    public void Json_has_the_fields_comparison_scripts_read()
    {
        var r = new PerfResult("produce", 1000, 100_000, 2.0, 0.5, 64_000, 1.5, 1, 2, 3, 4, 5, 0);
        using var doc = JsonDocument.Parse(r.ToJson());
        var root = doc.RootElement;
        Assert.Equal(1000, root.GetProperty("records").GetInt64());
        Assert.Equal(2.0, root.GetProperty("seconds").GetDouble());
        Assert.Equal(500.0, root.GetProperty("records_per_sec").GetDouble());
        Assert.Equal(0.048, root.GetProperty("mb_per_sec").GetDouble(), 3);
        Assert.Equal(0.5, root.GetProperty("cpu_seconds").GetDouble());
        Assert.Equal(64.0, root.GetProperty("alloc_bytes_per_record").GetDouble());
        var lat = root.GetProperty("latency_ms");
        Assert.Equal(1.5, lat.GetProperty("avg").GetDouble());
        Assert.Equal(1, lat.GetProperty("p50").GetDouble());
        Assert.Equal(2, lat.GetProperty("p95").GetDouble());
        Assert.Equal(3, lat.GetProperty("p99").GetDouble());
        Assert.Equal(4, lat.GetProperty("p999").GetDouble());
        Assert.Equal(5, lat.GetProperty("max").GetDouble());
        Assert.DoesNotContain('\n', r.ToJson());
    }

    [Fact]
    public void Text_reads_like_kafkas_perf_report()
    {
        var r = new PerfResult("produce", 1000, 100_000, 2.0, 0.5, 64_000, 1.5, 1, 2, 3, 4, 5, 0);
        var text = r.ToText();
        Assert.Contains("1000 records sent, 500.0 records/sec", text);
        Assert.Contains("99.9th", text);
        Assert.Contains("us/record", text);
    }
}
