using Samsa.Client.Metadata;
using System.Text;
using Samsa.Client.Producer;
using Samsa.Protocol.Compression;

namespace Samsa.Client.Tests.Producer;

public class ProducerBatchTests
{
    private static readonly TopicPartition Tp = new("t", 0);

    [Fact]
    public void Closed_batch_has_java_header_and_records_read_back_intact()
    {
        var batch = new ProducerBatch(Tp, new byte[1024], 0);
        var headers = new Headers().Add("h1", "v1").Add("nil", (byte[]?)null);
        Assert.True(batch.TryAppend(1000, "k1"u8, false, "value-1"u8, false, headers, null, null));
        Assert.True(batch.TryAppend(990, default, true, default, true, null, null, null));
        Assert.True(batch.TryAppend(1010, ""u8, false, "x"u8, false, null, null, null));
        batch.SetProducerState(42, 3, 7);
        batch.Close(CompressionType.None);

        var b = TestBatchReader.Read(batch.Records.Span);
        Assert.Equal(-1, b.PartitionLeaderEpoch);
        Assert.Equal(2, b.Magic);
        Assert.Equal(0, b.Attributes); // no compression, CreateTime, not transactional
        Assert.Equal(b.ComputedCrc, b.Crc);
        Assert.Equal(2, b.LastOffsetDelta);
        Assert.Equal(1000, b.BaseTimestamp);
        Assert.Equal(1010, b.MaxTimestamp);
        Assert.Equal((42L, (short)3, 7), (b.ProducerId, b.ProducerEpoch, b.BaseSequence));
        Assert.Equal(3, b.Records.Count);
        Assert.Equal("k1", Encoding.UTF8.GetString(b.Records[0].Key!));
        Assert.Equal("value-1", Encoding.UTF8.GetString(b.Records[0].Value!));
        Assert.Equal(2, b.Records[0].Headers.Count);
        Assert.Equal("h1", b.Records[0].Headers[0].Item1);
        Assert.Equal("v1"u8.ToArray(), b.Records[0].Headers[0].Item2);
        Assert.Equal("nil", b.Records[0].Headers[1].Item1);
        Assert.Null(b.Records[0].Headers[1].Item2);
        Assert.Null(b.Records[1].Key);
        Assert.Null(b.Records[1].Value);
        Assert.Equal(990, b.Records[1].Timestamp);
        Assert.Empty(b.Records[2].Key!);
        Assert.Equal([0, 1, 2], b.Records.Select(r => r.OffsetDelta));
    }

    [Fact]
    public void Rewriting_producer_state_keeps_the_crc_valid()
    {
        var batch = new ProducerBatch(Tp, new byte[256], 0);
        batch.TryAppend(1, "a"u8, false, "b"u8, false, null, null, null);
        batch.Close(CompressionType.None);
        batch.SetProducerState(9, 1, 100);
        var b = TestBatchReader.Read(batch.Records.Span);
        Assert.Equal((9L, (short)1, 100), (b.ProducerId, b.ProducerEpoch, b.BaseSequence));
        Assert.Equal(b.ComputedCrc, b.Crc);
    }

    [Fact]
    public void Append_fails_when_the_buffer_is_full()
    {
        var batch = new ProducerBatch(Tp, new byte[100], 0);
        Assert.True(batch.TryAppend(1, default, true, new byte[20], false, null, null, null));
        Assert.False(batch.TryAppend(1, default, true, new byte[20], false, null, null, null));
        Assert.Equal(1, batch.RecordCount);
    }

    [Fact]
    public void Size_estimate_is_an_upper_bound()
    {
        var headers = new Headers().Add("k", "v");
        int estimate = ProducerBatch.EstimateSizeUpperBound(10, 300, headers);
        var batch = new ProducerBatch(Tp, new byte[estimate], 0);
        Assert.True(batch.TryAppend(long.MaxValue / 2, new byte[10], false, new byte[300], false, headers, null, null));
    }

    [Fact]
    public async Task Complete_gives_each_record_its_offset()
    {
        var batch = new ProducerBatch(Tp, new byte[256], 0);
        var t1 = new TaskCompletionSource<DeliveryResult>();
        var t2 = new TaskCompletionSource<DeliveryResult>();
        batch.TryAppend(5, default, true, "a"u8, false, null, t1, null);
        batch.TryAppend(6, default, true, "b"u8, false, null, t2, null);
        Assert.True(batch.Complete(100, -1, null));
        Assert.False(batch.Complete(100, -1, null));
        Assert.Equal(new DeliveryResult("t", 0, 100, DateTimeOffset.FromUnixTimeMilliseconds(5)), await t1.Task);
        Assert.Equal(101, (await t2.Task).Offset);
        await batch.WhenDone();
    }
}
