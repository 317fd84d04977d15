using System.Buffers;
using System.IO.Compression;
using Samsa.Protocol.Errors;

namespace Samsa.Protocol.Compression;

/// <summary>gzip through System.IO.Compression; reads concatenated gzip members, as Java's GZIPInputStream does.</summary>
public sealed class GzipCodec : ICompressionCodec
{
    private readonly CompressionLevel _level;

    /// <summary>Creates the codec; Kafka's default gzip level is zlib's default (6), which <see cref="CompressionLevel.Optimal"/> matches.</summary>
    public GzipCodec(CompressionLevel level = CompressionLevel.Optimal) => _level = level;

    /// <inheritdoc />
    public CompressionType Type => CompressionType.Gzip;

    /// <inheritdoc />
    public void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        if (source.IsEmpty)
        {
            // GZipStream writes nothing at all for empty input; gzip readers want one empty member.
            EmptyMember.CopyTo(destination.GetSpan(EmptyMember.Length));
            destination.Advance(EmptyMember.Length);
            return;
        }
        using var output = new BufferWriterStream(destination);
        using (var gzip = new GZipStream(output, _level, leaveOpen: true))
            gzip.Write(source);
    }

    /// <inheritdoc />
    public unsafe int Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedSize)
    {
        if (source.IsEmpty)
            throw new CorruptRecordException("Invalid gzip data: the input is empty.");
        var total = 0L;
        var crc = 0U;
        fixed (byte* p = source)
        {
            using var input = new UnmanagedMemoryStream(p, source.Length);
            try
            {
                using var gzip = new GZipStream(input, CompressionMode.Decompress);
                while (true)
                {
                    var span = destination.GetSpan(16 * 1024);
                    var n = gzip.Read(span);
                    if (n == 0)
                        break;
                    total += n;
                    DecompressionLimit.Check(total, maxDecompressedSize, Type);
                    crc = Records.Crc32.Append(crc, span[..n]);
                    destination.Advance(n);
                }
            }
            catch (InvalidDataException e)
            {
                throw new CorruptRecordException($"Invalid gzip data: {e.Message}", e);
            }
        }
        if (total == 0 && !LooksLikeEmptyGzip(source))
            throw new CorruptRecordException("Invalid gzip data: no gzip member found.");
        // GZipStream treats input that ends inside a member as a normal end of stream, which would
        // silently drop records; the trailer (CRC-32 and size of the data) must end the input.
        if (!TrailerMatches(source, crc, total) && !MayHoldSeveralMembers(source))
            throw new CorruptRecordException("Invalid gzip data: the stream is truncated (its trailer does not match the data).");
        return (int)total;
    }

    // Header (magic, deflate, no flags, no mtime, unknown OS), an empty final fixed-Huffman block, CRC 0, size 0.
    private static ReadOnlySpan<byte> EmptyMember => [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xFF, 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];

    private static bool TrailerMatches(ReadOnlySpan<byte> source, uint crc, long total) =>
        source.Length >= 18
        && System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(source[^8..]) == crc
        && System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(source[^4..]) == (uint)total;

    // With concatenated members the final trailer covers only the last member. Kafka clients write a
    // single member, so this weaker check only applies to unusual producers.
    private static bool MayHoldSeveralMembers(ReadOnlySpan<byte> source) => source.Length > 20 && source[10..].IndexOf(MemberMagic) >= 0;

    private static ReadOnlySpan<byte> MemberMagic => [0x1F, 0x8B, 0x08];

    // GZipStream returns 0 bytes rather than failing for some garbage; a real empty member starts with the magic.
    private static bool LooksLikeEmptyGzip(ReadOnlySpan<byte> source) => source.Length >= 18 && source[0] == 0x1F && source[1] == 0x8B;
}
