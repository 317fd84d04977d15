using System.Buffers;

namespace Samsa.Protocol.Compression;

/// <summary>
/// One compression codec of Kafka's. Implementations are thread-safe and allocation-light: they
/// write into the caller's <see cref="IBufferWriter{T}"/> so batches compress into pooled memory.
/// </summary>
public interface ICompressionCodec
{
    /// <summary>The codec's wire value.</summary>
    CompressionType Type { get; }

    /// <summary>Compresses <paramref name="source"/> and appends the result to <paramref name="destination"/>.</summary>
    void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination);

    /// <summary>
    /// Decompresses <paramref name="source"/> and appends the result to <paramref name="destination"/>.
    /// Throws <see cref="Errors.CorruptRecordException"/> when the input is not valid for the codec or
    /// would decompress to more than <paramref name="maxDecompressedSize"/> bytes (a decompression bomb).
    /// </summary>
    /// <returns>The number of bytes written.</returns>
    int Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedSize);
}
