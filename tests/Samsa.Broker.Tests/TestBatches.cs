using System.Text;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Tests;

/// <summary>Record batches for raw produce requests, built with the protocol's batch builder.</summary>
internal static class TestBatches
{
    public static byte[] Build(int count, string prefix = "v", long producerId = -1, short epoch = -1, int baseSequence = -1,
        bool transactional = false, long timestamp = 1_700_000_000_000, CompressionType compression = CompressionType.None)
    {
        using var builder = new RecordBatchBuilder(compression);
        if (producerId >= 0)
        {
            builder.SetProducerState(producerId, epoch, baseSequence, transactional);
        }
        for (int i = 0; i < count; i++)
        {
            builder.Append(timestamp + i, Encoding.UTF8.GetBytes($"k{i}"), Encoding.UTF8.GetBytes($"{prefix}{i}"));
        }
        return builder.Build().ToArray();
    }

    /// <summary>Values of every data record in a fetched records blob (control batches skipped).</summary>
    public static List<string> Values(ReadOnlyMemory<byte>? records)
    {
        var values = new List<string>();
        if (records is not { } r)
        {
            return values;
        }
        using var reader = new RecordBatchReader(r);
        while (reader.TryReadBatch(out var batch))
        {
            if (batch.IsControlBatch)
            {
                continue;
            }
            while (reader.TryReadRecord(out var record))
            {
                values.Add(Encoding.UTF8.GetString(record.Value.Span));
            }
        }
        return values;
    }
}
