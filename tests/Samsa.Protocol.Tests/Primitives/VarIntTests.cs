using Samsa.Protocol.Errors;
using Samsa.Protocol.Primitives;

namespace Samsa.Protocol.Tests.Primitives;

public class VarIntTests
{
    [Theory]
    [InlineData(0, new byte[] { 0x00 })]
    [InlineData(-1, new byte[] { 0x01 })]
    [InlineData(1, new byte[] { 0x02 })]
    [InlineData(63, new byte[] { 0x7E })]
    [InlineData(-64, new byte[] { 0x7F })]
    [InlineData(64, new byte[] { 0x80, 0x01 })]
    [InlineData(int.MaxValue, new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0x0F })]
    [InlineData(int.MinValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void Zigzag_varint_matches_kafka_encoding(int value, byte[] expected)
    {
        Span<byte> buffer = stackalloc byte[5];
        var n = VarInt.Write(buffer, value);
        Assert.Equal(expected, buffer[..n].ToArray());
        Assert.Equal(expected.Length, VarInt.SizeOf(value));
        Assert.Equal(value, VarInt.Read(expected, out var read));
        Assert.Equal(expected.Length, read);
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    [InlineData(0L)]
    [InlineData(-300L)]
    [InlineData(1L << 40)]
    public void Varlong_round_trips(long value)
    {
        Span<byte> buffer = stackalloc byte[10];
        var n = VarInt.Write64(buffer, value);
        Assert.Equal(n, VarInt.SizeOf64(value));
        Assert.Equal(value, VarInt.Read64(buffer[..n], out var read));
        Assert.Equal(n, read);
    }

    [Fact]
    public void Truncated_varint_is_a_protocol_error()
    {
        Assert.Throws<KafkaProtocolException>(() => VarInt.ReadUnsigned([0x80, 0x80], out _));
    }

    [Fact]
    public void Overlong_varint_is_a_protocol_error()
    {
        Assert.Throws<KafkaProtocolException>(() => VarInt.ReadUnsigned([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], out _));
        Assert.Throws<KafkaProtocolException>(() => VarInt.ReadUnsigned64([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], out _));
    }
}
