using System.Buffers;
using System.Buffers.Binary;
using Samsa.Protocol.Errors;

namespace Samsa.Protocol.Compression;

/// <summary>
/// The LZ4 frame format (lz4/doc/lz4_Frame_format.md) as Kafka uses it since 0.10 (KIP-57). Writes
/// what the Java client writes: independent 64 KB blocks, no block or content checksums. Reads any
/// conforming frame: independent or linked blocks, 64 KB to 4 MB, with or without checksums and
/// content size, and concatenated frames.
/// </summary>
public sealed class Lz4Codec : ICompressionCodec
{
    private const uint FrameMagic = 0x184D2204;
    private const int BlockSize = 64 * 1024;
    private const int WindowSize = 64 * 1024;

    private readonly bool _ignoreHeaderChecksum;

    /// <summary>Creates the codec.</summary>
    public Lz4Codec() { }

    // Kafka before 0.10 computed the header checksum over the magic as well (KAFKA-3160); messages of
    // magic 0 are read with the check off, as the Java client does.
    internal Lz4Codec(bool ignoreHeaderChecksum) => _ignoreHeaderChecksum = ignoreHeaderChecksum;

    internal static Lz4Codec LegacyMagicV0 { get; } = new(ignoreHeaderChecksum: true);

    /// <inheritdoc />
    public CompressionType Type => CompressionType.Lz4;

    /// <inheritdoc />
    public void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        var header = destination.GetSpan(7);
        BinaryPrimitives.WriteUInt32LittleEndian(header, FrameMagic);
        header[4] = 0x60; // version 01, block independence, no checksums, no content size
        header[5] = 0x40; // block maximum size 64 KB
        header[6] = (byte)((XxHash32.Hash(header.Slice(4, 2)) >> 8) & 0xFF);
        destination.Advance(7);
        while (source.Length > 0)
        {
            var chunk = source[..Math.Min(BlockSize, source.Length)];
            source = source[chunk.Length..];
            var span = destination.GetSpan(4 + Lz4Block.MaxCompressedLength(chunk.Length));
            var compressed = Lz4Block.Compress(chunk, span[4..]);
            if (compressed >= chunk.Length)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)chunk.Length | 0x80000000U);
                chunk.CopyTo(span[4..]);
                destination.Advance(4 + chunk.Length);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)compressed);
                destination.Advance(4 + compressed);
            }
        }
        BinaryPrimitives.WriteUInt32LittleEndian(destination.GetSpan(4), 0);
        destination.Advance(4);
    }

    /// <inheritdoc />
    public int Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedSize)
    {
        var total = 0;
        var position = 0;
        do
        {
            total += DecompressFrame(source, ref position, destination, maxDecompressedSize - total);
        }
        while (position < source.Length);
        return total;
    }

    private int DecompressFrame(ReadOnlySpan<byte> source, ref int position, IBufferWriter<byte> destination, int maxSize)
    {
        var s = source[position..];
        if (s.Length < 7)
            throw Corrupt("input is shorter than a frame header");
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(s);
        if (magic != FrameMagic)
            throw Corrupt($"bad frame magic 0x{magic:X8}");
        int flg = s[4];
        int bd = s[5];
        if ((flg >> 6) != 1)
            throw Corrupt($"unsupported frame version {flg >> 6}");
        if ((flg & 0x02) != 0 || (bd & 0x8F) != 0)
            throw Corrupt("reserved bits are set in the frame descriptor");
        var independent = (flg & 0x20) != 0;
        var blockChecksum = (flg & 0x10) != 0;
        var hasContentSize = (flg & 0x08) != 0;
        var contentChecksum = (flg & 0x04) != 0;
        var hasDictId = (flg & 0x01) != 0;
        var blockMaxSize = ((bd >> 4) & 7) switch
        {
            4 => 64 * 1024,
            5 => 256 * 1024,
            6 => 1024 * 1024,
            7 => 4 * 1024 * 1024,
            var other => throw Corrupt($"unsupported block maximum size id {other}"),
        };
        var descriptorLength = 2 + (hasContentSize ? 8 : 0) + (hasDictId ? 4 : 0);
        if (s.Length < 4 + descriptorLength + 1)
            throw Corrupt("truncated frame descriptor");
        if (hasDictId)
            throw Corrupt("frames that need a dictionary are not supported");
        var expectedHc = (byte)((XxHash32.Hash(s.Slice(4, descriptorLength)) >> 8) & 0xFF);
        if (!_ignoreHeaderChecksum && s[4 + descriptorLength] != expectedHc)
            throw Corrupt("frame header checksum mismatch");
        long contentSize = hasContentSize ? BinaryPrimitives.ReadInt64LittleEndian(s[6..]) : -1;
        if (contentSize > maxSize)
            DecompressionLimit.Check(contentSize, maxSize, CompressionType.Lz4);
        var ip = 4 + descriptorLength + 1;
        var hash = contentChecksum ? new XxHash32(0) : default;
        var total = 0;
        byte[]? window = independent ? null : ArrayPool<byte>.Shared.Rent(WindowSize + blockMaxSize);
        var windowLength = 0;
        try
        {
            while (true)
            {
                if (s.Length - ip < 4)
                    throw Corrupt("truncated block header");
                var blockHeader = BinaryPrimitives.ReadUInt32LittleEndian(s[ip..]);
                ip += 4;
                if (blockHeader == 0)
                    break;
                var uncompressed = (blockHeader & 0x80000000U) != 0;
                var size = (int)(blockHeader & 0x7FFFFFFF);
                if (size > blockMaxSize)
                    throw Corrupt($"block of {size} bytes exceeds the frame's maximum of {blockMaxSize}");
                if (size > s.Length - ip)
                    throw Corrupt("truncated block");
                var block = s.Slice(ip, size);
                ip += size;
                if (blockChecksum)
                {
                    if (s.Length - ip < 4)
                        throw Corrupt("truncated block checksum");
                    if (BinaryPrimitives.ReadUInt32LittleEndian(s[ip..]) != XxHash32.Hash(block))
                        throw Corrupt("block checksum mismatch");
                    ip += 4;
                }
                ReadOnlySpan<byte> produced;
                Span<byte> output;
                if (window is null)
                {
                    output = destination.GetSpan(uncompressed ? size : blockMaxSize);
                    var n = uncompressed ? Copy(block, output) : Lz4Block.Decompress(block, output[..Math.Min(output.Length, blockMaxSize)], 0);
                    produced = output[..n];
                }
                else
                {
                    // Linked blocks may refer to the previous 64 KB of output: keep it in front of the new block.
                    if (windowLength > WindowSize)
                    {
                        window.AsSpan(windowLength - WindowSize, WindowSize).CopyTo(window);
                        windowLength = WindowSize;
                    }
                    var end = uncompressed ? windowLength + Copy(block, window.AsSpan(windowLength)) : Lz4Block.Decompress(block, window.AsSpan(0, windowLength + blockMaxSize), windowLength);
                    produced = window.AsSpan(windowLength, end - windowLength);
                    windowLength = end;
                    output = destination.GetSpan(produced.Length);
                    produced.CopyTo(output);
                }
                total += produced.Length;
                DecompressionLimit.Check(total, maxSize, CompressionType.Lz4);
                if (contentChecksum)
                    hash.Append(produced);
                destination.Advance(produced.Length);
            }
        }
        finally
        {
            if (window is not null)
                ArrayPool<byte>.Shared.Return(window);
        }
        if (contentChecksum)
        {
            if (s.Length - ip < 4)
                throw Corrupt("truncated content checksum");
            if (BinaryPrimitives.ReadUInt32LittleEndian(s[ip..]) != hash.GetCurrentHash())
                throw Corrupt("content checksum mismatch");
            ip += 4;
        }
        if (contentSize >= 0 && contentSize != total)
            throw Corrupt($"frame declares {contentSize} bytes of content but holds {total}");
        position += ip;
        return total;
    }

    private static int Copy(ReadOnlySpan<byte> block, Span<byte> output)
    {
        block.CopyTo(output);
        return block.Length;
    }

    private static CorruptRecordException Corrupt(string what) => new($"Invalid LZ4 frame: {what}.");
}
