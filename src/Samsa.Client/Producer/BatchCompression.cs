using System.Buffers;
using Samsa.Protocol.Compression;

namespace Samsa.Client.Producer;

/// <summary>Compresses the records section of a closing batch with the protocol's codecs.</summary>
internal static class BatchCompression
{
    public static void Compress(CompressionType type, ReadOnlySpan<byte> records, IBufferWriter<byte> destination) =>
        CompressionCodecs.Get(type).Compress(records, destination);
}
