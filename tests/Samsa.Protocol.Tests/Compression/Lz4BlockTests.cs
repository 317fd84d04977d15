using Samsa.Protocol.Compression;
using Samsa.Protocol.Errors;

namespace Samsa.Protocol.Tests.Compression;

/// <summary>The block decoder uses pointers and over-copies; these tests guard its bounds.</summary>
public class Lz4BlockTests
{
    [Fact]
    public void Decoder_never_writes_outside_the_destination_span()
    {
        var random = new Random(17);
        var valid = new byte[Lz4Block.MaxCompressedLength(3000)];
        var data = CodecRoundTripTests.Compressible(3000, 1);
        var validLength = Lz4Block.Compress(data, valid);
        for (var i = 0; i < 3000; i++)
        {
            byte[] input;
            if (i % 2 == 0)
            {
                input = valid.AsSpan(0, validLength).ToArray();
                for (var f = random.Next(1, 5); f > 0; f--)
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                input = input.AsSpan(0, random.Next(input.Length + 1)).ToArray();
            }
            else
            {
                input = new byte[random.Next(1, 64)];
                random.NextBytes(input);
            }
            var capacity = random.Next(0, 3200);
            var buffer = new byte[capacity + 64];
            buffer.AsSpan(capacity).Fill(0xCD);
            try
            {
                var end = Lz4Block.Decompress(input, buffer.AsSpan(0, capacity), 0);
                Assert.InRange(end, 0, capacity);
            }
            catch (CorruptRecordException)
            {
            }
            Assert.All(buffer.AsSpan(capacity).ToArray(), b => Assert.Equal(0xCD, b));
        }
    }

    [Fact]
    public void Matches_may_reach_into_the_dictionary_but_not_before_it()
    {
        // Literal-free block: token 0x00 would be zero literals then a match; craft "0 literals, offset 4, length 4" + last literal.
        byte[] block = [0x00, 0x04, 0x00, 0x10, (byte)'z'];
        var output = new byte[16];
        "abcd"u8.CopyTo(output);
        var end = Lz4Block.Decompress(block, output, 4);
        Assert.Equal("abcdabcdz"u8.ToArray(), output.AsSpan(0, end).ToArray());
        Assert.Throws<CorruptRecordException>(() => Lz4Block.Decompress(block, new byte[16], 2));
    }

    [Fact]
    public void Compressed_blocks_respect_the_end_of_block_rules()
    {
        // The last 5 bytes are literals and no match starts in the last 12: the reference decoder
        // (the lz4 CLI, in the interop tests) depends on it; here we check the decoder accepts every size.
        for (var size = 0; size < 300; size++)
        {
            var data = new byte[size];
            for (var i = 0; i < size; i++)
                data[i] = (byte)(i % 7);
            var compressed = new byte[Lz4Block.MaxCompressedLength(size)];
            var n = Lz4Block.Compress(data, compressed);
            var output = new byte[size];
            Assert.Equal(size, Lz4Block.Decompress(compressed.AsSpan(0, n), output, 0));
            Assert.Equal(data, output);
        }
    }
}
