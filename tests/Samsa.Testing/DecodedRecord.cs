using System.Text;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Records;

namespace Samsa.Testing;

/// <summary>A record copied out of a record batch, for assertions (keys/values as arrays, null kept).</summary>
/// <param name="Offset">Absolute offset.</param>
/// <param name="Timestamp">Timestamp in ms.</param>
/// <param name="Compression">Codec of the batch the record came from.</param>
/// <param name="Key">Key bytes, or null.</param>
/// <param name="Value">Value bytes, or null.</param>
/// <param name="Headers">Headers in order; a header value may be null.</param>
public sealed record DecodedRecord(
    long Offset, long Timestamp, CompressionType Compression, byte[]? Key, byte[]? Value, IReadOnlyList<KeyValuePair<string, byte[]?>> Headers)
{
    /// <summary>Key as UTF-8 text, or null.</summary>
    public string? KeyText => Key is null ? null : Encoding.UTF8.GetString(Key);

    /// <summary>Value as UTF-8 text, or null.</summary>
    public string? ValueText => Value is null ? null : Encoding.UTF8.GetString(Value);

    /// <summary>Decodes every record of every batch in <paramref name="records"/> (CRCs checked; control batches skipped unless asked).</summary>
    public static List<DecodedRecord> ReadAll(ReadOnlyMemory<byte> records, bool includeControlBatches = false)
    {
        var result = new List<DecodedRecord>();
        using var reader = new RecordBatchReader(records);
        while (reader.TryReadBatch(out var batch))
        {
            if (batch.IsControlBatch && !includeControlBatches)
            {
                continue;
            }
            while (reader.TryReadRecord(out var record))
            {
                var headers = new List<KeyValuePair<string, byte[]?>>();
                foreach (var h in record.Headers)
                {
                    headers.Add(new(h.Key, h.IsValueNull ? null : h.Value.ToArray()));
                }
                result.Add(new DecodedRecord(
                    record.Offset, record.Timestamp, batch.Compression,
                    record.IsKeyNull ? null : record.Key.ToArray(),
                    record.IsValueNull ? null : record.Value.ToArray(),
                    headers));
            }
        }
        return result;
    }
}
