using System.Buffers;
using System.Buffers.Binary;
using Samsa.Protocol.Errors;

namespace Samsa.Protocol.Compression;

/// <summary>
/// Snappy as Kafka stores it. Writes snappy-java's (xerial) stream framing, which the Java client
/// writes and every client reads: a 16-byte header (0x82 "SNAPPY" 0x00, version 1, compatible
/// version 1) then chunks of [int32 big-endian length][raw snappy block]. Reads that framing and
/// also a bare snappy block, which some clients write.
/// </summary>
public sealed class SnappyCodec : ICompressionCodec
{
    private const int ChunkSize = 64 * 1024;
    private static ReadOnlySpan<byte> XerialMagic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];

    /// <inheritdoc />
    public CompressionType Type => CompressionType.Snappy;

    /// <inheritdoc />
    public void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        var header = destination.GetSpan(16);
        XerialMagic.CopyTo(header);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], 1);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], 1);
        destination.Advance(16);
        while (source.Length > 0)
        {
            var chunk = source[..Math.Min(ChunkSize, source.Length)];
            source = source[chunk.Length..];
            var span = destination.GetSpan(4 + SnappyBlock.MaxCompressedLength(chunk.Length));
            var n = SnappyBlock.Compress(chunk, span[4..]);
            BinaryPrimitives.WriteInt32BigEndian(span, n);
            destination.Advance(4 + n);
        }
    }

    /// <inheritdoc />
    public int Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedSize)
    {
        if (source.Length < 16 || !source[..8].SequenceEqual(XerialMagic))
            return DecompressBlock(source, destination, maxDecompressedSize);
        var total = 0;
        var s = source[16..];
        while (s.Length > 0)
        {
            if (s.Length < 4)
                throw new CorruptRecordException("Invalid snappy data: truncated xerial chunk length.");
            var length = BinaryPrimitives.ReadInt32BigEndian(s);
            if (length < 0 || length > s.Length - 4)
                throw new CorruptRecordException($"Invalid snappy data: xerial chunk of {length} bytes but {s.Length - 4} remain.");
            total += DecompressBlock(s.Slice(4, length), destination, maxDecompressedSize - total);
            s = s[(4 + length)..];
        }
        return total;
    }

    private static int DecompressBlock(ReadOnlySpan<byte> block, IBufferWriter<byte> destination, int maxSize)
    {
        var length = SnappyBlock.GetUncompressedLength(block, out var header);
        DecompressionLimit.Check(length, maxSize, CompressionType.Snappy);
        // A literal byte or a copy element yields at most 64 bytes per input byte, so a longer
        // declared length is garbage; checking first keeps a lying preamble from a large allocation.
        if (length > (long)(block.Length - header) * 64)
            throw new CorruptRecordException($"Invalid snappy data: declares {length} bytes, more than {block.Length - header} input bytes can hold.");
        if (length == 0)
        {
            if (block.Length != header)
                throw new CorruptRecordException("Invalid snappy data: trailing bytes after an empty block.");
            return 0;
        }
        var span = destination.GetSpan(length)[..length];
        SnappyBlock.Decompress(block[header..], span);
        destination.Advance(length);
        return length;
    }
}
