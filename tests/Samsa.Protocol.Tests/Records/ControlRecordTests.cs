using Samsa.Protocol.Errors;
using Samsa.Protocol.Primitives;
using Samsa.Protocol.Records;

namespace Samsa.Protocol.Tests.Records;

public class ControlRecordTests
{
    [Theory]
    [InlineData(ControlRecordType.Commit)]
    [InlineData(ControlRecordType.Abort)]
    public void End_transaction_marker_batch_round_trips(ControlRecordType type)
    {
        using var output = new ByteBufferWriter();
        new EndTransactionMarker(type, coordinatorEpoch: 17).WriteBatch(output, baseOffset: 42, timestamp: 1234, producerId: 9000, producerEpoch: 4, partitionLeaderEpoch: 3);
        using var reader = new RecordBatchReader(output.WrittenMemory);
        Assert.True(reader.TryReadBatch(out var batch));
        Assert.True(batch.IsControlBatch);
        Assert.True(batch.IsTransactional);
        Assert.Equal(9000, batch.ProducerId);
        Assert.Equal(4, batch.ProducerEpoch);
        Assert.Equal(3, batch.PartitionLeaderEpoch);
        Assert.Equal(42, batch.BaseOffset);
        Assert.True(reader.TryReadRecord(out var record));
        Assert.Equal(type, ControlRecord.ParseType(record.Key.Span));
        Assert.True(EndTransactionMarker.TryRead(record, out var marker));
        Assert.Equal(type, marker.Type);
        Assert.Equal(17, marker.CoordinatorEpoch);
        // Java's layout: key = version 0, type; value = version 0, coordinator epoch.
        Assert.Equal(new byte[] { 0, 0, 0, (byte)type }, record.Key.ToArray());
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 17 }, record.Value.ToArray());
        Assert.False(reader.TryReadRecord(out _));
    }

    [Fact]
    public void Unknown_control_types_parse_as_unknown_and_short_keys_are_corrupt()
    {
        Assert.Equal(ControlRecordType.Unknown, ControlRecord.ParseType([0, 0, 0, 99]));
        Assert.Equal(ControlRecordType.LeaderChange, ControlRecord.ParseType([0, 0, 0, 2]));
        Assert.Throws<CorruptRecordException>(() => ControlRecord.ParseType([0, 0]));
        Assert.Throws<CorruptRecordException>(() => ControlRecord.ParseType([0xFF, 0xFF, 0, 1]));
    }

    [Fact]
    public void Marker_type_must_be_commit_or_abort()
    {
        Assert.Throws<ArgumentException>(() => new EndTransactionMarker(ControlRecordType.LeaderChange, 1));
    }
}
