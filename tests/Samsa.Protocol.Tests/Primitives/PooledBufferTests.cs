using Samsa.Protocol.Primitives;

namespace Samsa.Protocol.Tests.Primitives;

/// <summary>The facts the network layer relies on to pool request buffers and response frames.</summary>
public class PooledBufferTests
{
    [Fact]
    public void A_records_field_read_from_memory_marks_the_reader_as_sharing_it()
    {
        byte[] frame = [0, 0, 0, 3, 7, 8, 9];
        var reader = new KafkaReader(frame.AsMemory());
        Assert.False(reader.SharesMemory);
        var records = reader.ReadNullableRecords(compact: false);
        Assert.True(reader.SharesMemory);
        Assert.True(records!.Value.Span.SequenceEqual(new byte[] { 7, 8, 9 }));
    }

    [Fact]
    public void Copied_fields_leave_the_memory_unshared()
    {
        byte[] frame = [0, 0, 0, 2, 5, 6, 0, 1, (byte)'x'];
        var reader = new KafkaReader(frame.AsMemory());
        Assert.Equal([5, 6], reader.ReadBytes(compact: false));
        Assert.Equal("x", reader.ReadString(compact: false));
        Assert.False(reader.SharesMemory);
    }

    [Fact]
    public void A_disposed_writer_can_be_reinitialized_and_reused()
    {
        var writer = new ByteBufferWriter(16);
        writer.GetSpan(3)[..3].Fill(1);
        writer.Advance(3);
        writer.Dispose();
        Assert.Equal(0, writer.WrittenCount);

        writer.Reinitialize(1000);
        Assert.True(writer.GetSpan().Length >= 1000);
        writer.GetSpan(2)[..2].Fill(4);
        writer.Advance(2);
        Assert.Equal([4, 4], writer.WrittenSpan.ToArray());
        writer.Dispose();
    }
}
