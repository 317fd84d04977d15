using System.Text;
using System.Text.Json;
using Samsa.Cli.Output;

namespace Samsa.Cli.Tests;

public class RecordFormatterTests
{
    [Fact]
    public void Json_line_has_every_field_with_text_and_nulls()
    {
        using var w = new StringWriter();
        var f = new RecordFormatter(w, json: true, keyDelimiter: null);
        f.Write("orders", 2, 42, 1700000000000, Encoding.UTF8.GetBytes("k\u00e9"), null,
            [new("trace", Encoding.UTF8.GetBytes("abc")), new("empty", null)]);
        f.Write("orders", 2, 43, 1, null, Encoding.UTF8.GetBytes("v\"q"), null);
        var lines = w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var d = JsonDocument.Parse(lines[0]);
        var r = d.RootElement;
        Assert.Equal("orders", r.GetProperty("topic").GetString());
        Assert.Equal(2, r.GetProperty("partition").GetInt32());
        Assert.Equal(42, r.GetProperty("offset").GetInt64());
        Assert.Equal(1700000000000, r.GetProperty("timestamp").GetInt64());
        Assert.Equal("k\u00e9", r.GetProperty("key").GetString());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("value").ValueKind);
        Assert.Equal("abc", r.GetProperty("headers").GetProperty("trace").GetString());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("headers").GetProperty("empty").ValueKind);
        using var d2 = JsonDocument.Parse(lines[1]);
        Assert.Equal("v\"q", d2.RootElement.GetProperty("value").GetString());
        Assert.Equal(JsonValueKind.Object, d2.RootElement.GetProperty("headers").ValueKind);
    }

    [Fact]
    public void Plain_output_is_value_per_line_with_optional_key()
    {
        using var w = new StringWriter();
        var f = new RecordFormatter(w, json: false, keyDelimiter: ":");
        f.Write("t", 0, 0, 0, Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes("v"), null);
        f.Write("t", 0, 1, 0, null, Encoding.UTF8.GetBytes("w"), null);
        Assert.Equal("k:v\n:w\n", w.ToString());
    }
}
