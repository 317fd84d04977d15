using Samsa.Protocol.Compression;
using Samsa.Protocol.Errors;

namespace Samsa.Protocol.Tests.Compression;

/// <summary>The block decoder uses pointers and over-copies; this guards its bounds.</summary>
public class SnappyBlockTests
{
    [Fact]
    public void Decoder_never_writes_outside_the_destination_span()
    {
        var random = new Random(23);
        var data = CodecRoundTripTests.Compressible(3000, 2);
        var valid = new byte[SnappyBlock.MaxCompressedLength(data.Length)];
        var validLength = SnappyBlock.Compress(data, valid);
        var header = 0;
        SnappyBlock.GetUncompressedLength(valid, out header);
        for (var i = 0; i < 3000; i++)
        {
            byte[] input;
            if (i % 2 == 0)
            {
                input = valid.AsSpan(header, validLength - header).ToArray();
                for (var f = random.Next(1, 5); f > 0; f--)
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                input = input.AsSpan(0, random.Next(input.Length + 1)).ToArray();
            }
            else
            {
                input = new byte[random.Next(1, 64)];
                random.NextBytes(input);
            }
            var capacity = i % 2 == 0 && random.Next(2) == 0 ? data.Length : random.Next(0, 3200);
            var buffer = new byte[capacity + 64];
            buffer.AsSpan(capacity).Fill(0xCD);
            try
            {
                SnappyBlock.Decompress(input, buffer.AsSpan(0, capacity));
            }
            catch (CorruptRecordException)
            {
            }
            Assert.All(buffer.AsSpan(capacity).ToArray(), b => Assert.Equal(0xCD, b));
        }
    }

    [Fact]
    public void Every_element_kind_decodes()
    {
        // literal "abcd", copy-1 (len 4, off 4), copy-2 (len 8, off 8), copy-4 (len 2, off 1)
        byte[] block = [3 << 2, (byte)'a', (byte)'b', (byte)'c', (byte)'d', 0x01, 0x04, (7 << 2) | 2, 0x08, 0x00, (1 << 2) | 3, 0x01, 0, 0, 0];
        var output = new byte[18];
        SnappyBlock.Decompress(block, output);
        Assert.Equal("abcdabcdabcdabcddd"u8.ToArray(), output);
    }
}
