using System.Text;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Records;

namespace Samsa.Protocol.Tests.Compression;

public class ChecksumTests
{
    [Theory]
    [InlineData("", 0x02CC5D05U)]
    [InlineData("a", 0x550D7456U)]
    [InlineData("abc", 0x32D153FFU)]
    [InlineData("Nobody inspects the spammish repetition", 0xE2293B2FU)]
    public void XxHash32_matches_reference_vectors(string input, uint expected)
    {
        Assert.Equal(expected, XxHash32.Hash(Encoding.ASCII.GetBytes(input)));
    }

    [Fact]
    public void XxHash32_streaming_matches_one_shot_for_any_split()
    {
        var data = CodecRoundTripTests.Random(1000, 1);
        var expected = XxHash32.Hash(data, 7);
        for (var split = 0; split <= 40; split++)
        {
            var h = new XxHash32(7);
            h.Append(data.AsSpan(0, split));
            h.Append(data.AsSpan(split, 3));
            h.Append(data.AsSpan(split + 3));
            Assert.Equal(expected, h.GetCurrentHash());
        }
    }

    [Fact]
    public void Crc32C_matches_the_castagnoli_check_value()
    {
        Assert.Equal(0xE3069283U, Crc32C.Compute("123456789"u8));
        Assert.Equal(0U, Crc32C.Compute([]));
        // RFC 3720 B.4: 32 bytes of zeros.
        Assert.Equal(0x8A9136AAU, Crc32C.Compute(new byte[32]));
    }

    [Fact]
    public void Crc32C_agrees_with_a_bitwise_reference_at_every_length_and_alignment()
    {
        var data = CodecRoundTripTests.Random(300, 3);
        for (var start = 0; start < 9; start++)
            for (var length = 0; length < 100; length++)
                Assert.Equal(BitwiseCrc(data.AsSpan(start, length), 0x82F63B78U), Crc32C.Compute(data.AsSpan(start, length)));
        Assert.Equal(Crc32C.Compute(data), Crc32C.Append(Crc32C.Compute(data.AsSpan(0, 77)), data.AsSpan(77)));
    }

    [Fact]
    public void Crc32_matches_the_ieee_check_value_and_a_bitwise_reference()
    {
        Assert.Equal(0xCBF43926U, Crc32.Compute("123456789"u8));
        var data = CodecRoundTripTests.Random(300, 4);
        for (var start = 0; start < 9; start++)
            for (var length = 0; length < 100; length++)
                Assert.Equal(BitwiseCrc(data.AsSpan(start, length), 0xEDB88320U), Crc32.Compute(data.AsSpan(start, length)));
        Assert.Equal(Crc32.Compute(data), Crc32.Append(Crc32.Compute(data.AsSpan(0, 77)), data.AsSpan(77)));
    }

    [Fact]
    public void Crc32_matches_the_trailer_of_a_gzip_member()
    {
        var data = CodecRoundTripTests.Compressible(12345, 5);
        var gz = CodecRoundTripTests.Compress(CompressionType.Gzip, data);
        var trailerCrc = BitConverter.ToUInt32(gz, gz.Length - 8);
        Assert.Equal(trailerCrc, Crc32.Compute(data));
    }

    private static uint BitwiseCrc(ReadOnlySpan<byte> data, uint polynomial)
    {
        var crc = 0xFFFFFFFFU;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ polynomial : crc >> 1;
        }
        return ~crc;
    }
}
