using Samsa.Protocol.Compression;
using Samsa.Protocol.Records;

namespace Samsa.Protocol.Tests.Records;

/// <summary>The steady-state paths must not allocate per record (checked by counting, not timing).</summary>
public class RecordAllocationTests
{
    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Snappy)]
    public void Appending_and_reading_records_allocates_nothing_in_steady_state(CompressionType compression)
    {
        var key = new byte[16];
        var value = new byte[100];
        RecordHeader[] headers = [new("h", new byte[] { 1, 2, 3 })];
        using var builder = new RecordBatchBuilder(compression);
        using var reader = new RecordBatchReader();

        long RoundTrip()
        {
            builder.Reset();
            for (var i = 0; i < 500; i++)
                builder.Append(1_700_000_000_000 + i, key, value, headers);
            reader.Reset(builder.Build());
            long sum = 0;
            while (reader.TryReadBatch(out _))
            {
                while (reader.TryReadRecord(out var r))
                {
                    sum += r.Offset + r.Value.Length;
                    foreach (var h in r.Headers)
                        sum += h.Value.Length;
                }
            }
            return sum;
        }

        // Warm up: buffers grow to size, thread-static tables are created, methods are jitted.
        for (var i = 0; i < 5; i++)
            RoundTrip();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var total = 0L;
        for (var i = 0; i < 3; i++)
            total += RoundTrip();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(total > 0);
        Assert.Equal(0, allocated);
    }
}
