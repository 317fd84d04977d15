using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Samsa.Cli.Output;

/// <summary>
/// Writes consumed records: with <c>--json</c> one object per line (<c>topic</c>, <c>partition</c>,
/// <c>offset</c>, <c>timestamp</c>, <c>key</c>, <c>value</c>, <c>headers</c>), otherwise the value as
/// text, preceded by the key and the delimiter when <c>-K</c> is given (kcat's format). Bytes are
/// shown as UTF-8 text (invalid sequences become U+FFFD); a null key, value or header is JSON null.
/// One writer and buffer are reused for every record.
/// </summary>
internal sealed class RecordFormatter
{
    private static readonly JsonWriterOptions Options = new()
    {
        // Keep non-ASCII text readable and avoid escaping HTML characters nobody renders here.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly TextWriter _out;
    private readonly bool _json;
    private readonly string? _keyDelimiter;
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _writer;
    private char[] _chars = new char[1024];

    public RecordFormatter(TextWriter output, bool json, string? keyDelimiter)
    {
        _out = output;
        _json = json;
        _keyDelimiter = keyDelimiter;
        _writer = new Utf8JsonWriter(_buffer, Options);
    }

    /// <summary>Writes one record as one line.</summary>
    public void Write(string topic, int partition, long offset, long timestampMs,
        ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>?>>? headers)
    {
        if (!_json)
        {
            if (_keyDelimiter is not null)
            {
                WriteText(key);
                _out.Write(_keyDelimiter);
            }
            WriteText(value);
            _out.Write('\n');
            return;
        }

        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        _writer.WriteStartObject();
        _writer.WriteString("topic", topic);
        _writer.WriteNumber("partition", partition);
        _writer.WriteNumber("offset", offset);
        _writer.WriteNumber("timestamp", timestampMs);
        WriteBytes("key", key);
        WriteBytes("value", value);
        _writer.WriteStartObject("headers");
        if (headers is not null)
        {
            foreach (var h in headers)
                WriteBytes(h.Key, h.Value);
        }
        _writer.WriteEndObject();
        _writer.WriteEndObject();
        _writer.Flush();
        WriteUtf8(_buffer.WrittenSpan);
        _out.Write('\n');
    }

    private void WriteBytes(string name, ReadOnlyMemory<byte>? bytes)
    {
        if (bytes is { } b)
            _writer.WriteString(name, Encoding.UTF8.GetString(b.Span));
        else
            _writer.WriteNull(name);
    }

    private void WriteText(ReadOnlyMemory<byte>? bytes)
    {
        if (bytes is { } b)
            WriteUtf8(b.Span);
    }

    private void WriteUtf8(ReadOnlySpan<byte> utf8)
    {
        var max = Encoding.UTF8.GetMaxCharCount(utf8.Length);
        if (_chars.Length < max)
            _chars = new char[Math.Max(max, _chars.Length * 2)];
        var n = Encoding.UTF8.GetChars(utf8, _chars);
        _out.Write(_chars, 0, n);
    }
}
