using Samsa.Protocol.Errors;

namespace Samsa.Protocol.Compression;

/// <summary>Finds the codec for a <see cref="CompressionType"/>.</summary>
public static class CompressionCodecs
{
    /// <summary>The gzip codec.</summary>
    public static ICompressionCodec Gzip { get; } = new GzipCodec();

    /// <summary>The snappy codec (xerial framing on write).</summary>
    public static ICompressionCodec Snappy { get; } = new SnappyCodec();

    /// <summary>The LZ4 frame codec.</summary>
    public static ICompressionCodec Lz4 { get; } = new Lz4Codec();

    /// <summary>The zstd codec (native libzstd).</summary>
    public static ICompressionCodec Zstd { get; } = new ZstdCodec();

    /// <summary>
    /// The codec for <paramref name="type"/>. <see cref="CompressionType.None"/> has no codec and is
    /// rejected, as is a value outside Kafka's range (which only corrupt bytes produce).
    /// </summary>
    public static ICompressionCodec Get(CompressionType type) => type switch
    {
        CompressionType.Gzip => Gzip,
        CompressionType.Snappy => Snappy,
        CompressionType.Lz4 => Lz4,
        CompressionType.Zstd => Zstd,
        CompressionType.None => throw new ArgumentException("CompressionType.None has no codec.", nameof(type)),
        _ => throw new CorruptRecordException($"Unknown compression type id {(int)type}."),
    };
}
