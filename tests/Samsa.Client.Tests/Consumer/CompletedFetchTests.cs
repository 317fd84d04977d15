using System.Text;
using Samsa.Client.Consumer;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Errors;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Records;
using Samsa.Client.Metadata;

namespace Samsa.Client.Tests.Consumer;

public class CompletedFetchTests
{
    static readonly TopicPartition Tp = new("t", 0);

    sealed class Sink : IFetchedRecordSink
    {
        public List<(long Offset, string Value)> Records { get; } = [];

        public int Count => Records.Count;

        public void Add(TopicPartition partition, in Samsa.Protocol.Records.Record record, int leaderEpoch) =>
            Records.Add((record.Offset, Encoding.UTF8.GetString(record.Value.Span)));
    }

    static byte[] Batch(long baseOffset, int count, CompressionType compression = CompressionType.None, long producerId = -1, bool transactional = false)
    {
        using var b = new RecordBatchBuilder(compression, baseOffset);
        if (producerId >= 0) b.SetProducerState(producerId, 0, 0, transactional);
        for (var i = 0; i < count; i++) b.Append(1000 + i, "k"u8, Encoding.UTF8.GetBytes("v" + (baseOffset + i)));
        return b.Build().ToArray();
    }

    static byte[] Marker(long offset, long producerId, ControlRecordType type)
    {
        using var b = new RecordBatchBuilder(CompressionType.None, offset) { IsControl = true };
        b.SetProducerState(producerId, 0, -1, true);
        var key = new byte[ControlRecord.KeySize];
        ControlRecord.WriteKey(key, type);
        b.AppendWithOffset(offset, 1, key, new byte[EndTransactionMarker.ValueSize]);
        return b.Build().ToArray();
    }

    static CompletedFetch Fetch(long fetchOffset, IsolationLevel isolation, byte[] records, List<FetchResponse.AbortedTransaction>? aborted = null, bool checkCrcs = true)
    {
        var cf = new CompletedFetch(Tp, fetchOffset, new FetchResponse.PartitionData { Records = records, AbortedTransactions = aborted }, 12);
        cf.Initialize(new RecordBatchReader(checkCrcs), isolation);
        return cf;
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void Reads_records_of_every_codec_in_order_up_to_the_limit(CompressionType codec)
    {
        var cf = Fetch(0, IsolationLevel.ReadUncommitted, [.. Batch(0, 3, codec), .. Batch(3, 3, codec)]);
        var sink = new Sink();
        Assert.Equal(4, cf.ReadRecords(4, IsolationLevel.ReadUncommitted, sink));
        Assert.Equal(4, cf.NextFetchOffset);
        Assert.Equal(2, cf.ReadRecords(10, IsolationLevel.ReadUncommitted, sink));
        Assert.True(cf.IsConsumed);
        Assert.Equal(6, cf.NextFetchOffset);
        Assert.Equal(["v0", "v1", "v2", "v3", "v4", "v5"], sink.Records.Select(r => r.Value));
    }

    [Fact]
    public void Records_before_the_fetch_offset_are_skipped()
    {
        var cf = Fetch(2, IsolationLevel.ReadUncommitted, Batch(0, 5, CompressionType.Gzip));
        var sink = new Sink();
        cf.ReadRecords(100, IsolationLevel.ReadUncommitted, sink);
        Assert.Equal([2L, 3, 4], sink.Records.Select(r => r.Offset));
    }

    [Fact]
    public void Read_committed_skips_aborted_transactions_and_control_batches()
    {
        byte[] records = [
            .. Batch(0, 2, producerId: 7, transactional: true),   // aborted
            .. Marker(2, 7, ControlRecordType.Abort),
            .. Batch(3, 2, producerId: 8, transactional: true),   // committed
            .. Marker(5, 8, ControlRecordType.Commit),
            .. Batch(6, 1)];
        var aborted = new List<FetchResponse.AbortedTransaction> { new() { ProducerId = 7, FirstOffset = 0 } };
        var committed = Fetch(0, IsolationLevel.ReadCommitted, records, aborted);
        var sink = new Sink();
        committed.ReadRecords(100, IsolationLevel.ReadCommitted, sink);
        Assert.Equal([3L, 4, 6], sink.Records.Select(r => r.Offset));
        Assert.Equal(7, committed.NextFetchOffset);

        var uncommitted = Fetch(0, IsolationLevel.ReadUncommitted, records, aborted);
        var all = new Sink();
        uncommitted.ReadRecords(100, IsolationLevel.ReadUncommitted, all);
        Assert.Equal([0L, 1, 3, 4, 6], all.Records.Select(r => r.Offset));
    }

    [Fact]
    public void Position_moves_past_a_trailing_control_batch()
    {
        var cf = Fetch(0, IsolationLevel.ReadUncommitted, [.. Batch(0, 1, producerId: 3, transactional: true), .. Marker(1, 3, ControlRecordType.Commit)]);
        var sink = new Sink();
        cf.ReadRecords(100, IsolationLevel.ReadUncommitted, sink);
        Assert.Single(sink.Records);
        Assert.Equal(2, cf.NextFetchOffset);
    }

    [Fact]
    public void Corrupt_batch_fails_with_a_crc_error_and_the_fetch_is_drained()
    {
        var bytes = Batch(0, 3);
        bytes[^1] ^= 0xFF;
        var cf = Fetch(0, IsolationLevel.ReadUncommitted, bytes);
        var e = Assert.Throws<CorruptRecordException>(() => cf.ReadRecords(10, IsolationLevel.ReadUncommitted, new Sink()));
        Assert.Contains("CRC", e.Message, StringComparison.Ordinal);
        Assert.True(cf.IsConsumed);
        Assert.Equal(0, cf.NextFetchOffset);
    }

    [Fact]
    public void With_check_crcs_off_a_corrupt_batch_is_read_as_it_is()
    {
        var bytes = Batch(0, 3);
        // Corrupt a value byte ("v2" becomes "x2"): the framing stays valid, only the CRC no longer matches.
        var at = bytes.AsSpan().LastIndexOf("v2"u8);
        Assert.True(at > 0);
        bytes[at] = (byte)'x';
        var checking = Fetch(0, IsolationLevel.ReadUncommitted, bytes);
        Assert.Throws<CorruptRecordException>(() => checking.ReadRecords(10, IsolationLevel.ReadUncommitted, new Sink()));

        var trusting = Fetch(0, IsolationLevel.ReadUncommitted, bytes, checkCrcs: false);
        var sink = new Sink();
        Assert.Equal(3, trusting.ReadRecords(10, IsolationLevel.ReadUncommitted, sink));
        Assert.Equal(["v0", "v1", "x2"], sink.Records.Select(r => r.Value));
    }

    [Fact]
    public void Truncated_trailing_batch_is_ignored()
    {
        var second = Batch(2, 2);
        var cf = Fetch(0, IsolationLevel.ReadUncommitted, [.. Batch(0, 2), .. second[..(second.Length / 2)]]);
        var sink = new Sink();
        cf.ReadRecords(100, IsolationLevel.ReadUncommitted, sink);
        Assert.Equal(2, sink.Records.Count);
        Assert.Equal(2, cf.NextFetchOffset);
    }

    [Fact]
    public void A_pooled_frame_goes_back_once_every_fetch_made_from_it_is_used_up()
    {
        var p0 = Batch(0, 2);
        var p1 = Batch(0, 3);
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(p0.Length + p1.Length);
        p0.CopyTo(rented, 0);
        p1.CopyTo(rented, p0.Length);
        var frame = new FetchFrameLease(rented);
        var first = new CompletedFetch(Tp, 0, new FetchResponse.PartitionData { Records = rented.AsMemory(0, p0.Length) }, 12, 1, frame);
        var second = new CompletedFetch(new TopicPartition("t", 1), 0, new FetchResponse.PartitionData { Records = rented.AsMemory(p0.Length, p1.Length) }, 12, 1, frame);
        frame.Release(); // the fetcher's own reference, dropped once both are queued

        var reader = new RecordBatchReader();
        first.Initialize(reader, IsolationLevel.ReadUncommitted);
        var sink = new Sink();
        Assert.Equal(2, first.ReadRecords(2, IsolationLevel.ReadUncommitted, sink));
        Assert.False(frame.IsReturned); // the last batch may still have records until the next read says no
        Assert.Equal(0, first.ReadRecords(2, IsolationLevel.ReadUncommitted, sink));
        Assert.True(first.IsConsumed);
        Assert.False(frame.IsReturned); // the second fetch still reads from it

        second.Drain();
        second.Drain(); // idempotent: releases once
        Assert.True(frame.IsReturned);
        Assert.Equal(["v0", "v1"], sink.Records.Select(r => r.Value));
    }

    [Fact]
    public void A_frame_lease_refuses_use_after_return()
    {
        var frame = new FetchFrameLease(new byte[16]);
        frame.Release();
        Assert.True(frame.IsReturned);
        Assert.Throws<InvalidOperationException>(frame.Retain);
    }
}
