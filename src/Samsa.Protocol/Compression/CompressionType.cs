namespace Samsa.Protocol.Compression;

/// <summary>
/// The codec of a record batch, as stored in bits 0-2 of the batch attributes (and of the legacy
/// message attributes). The numeric values are Kafka's wire values.
/// </summary>
public enum CompressionType : byte
{
    /// <summary>Records are stored as they are.</summary>
    None = 0,

    /// <summary>gzip (RFC 1952).</summary>
    Gzip = 1,

    /// <summary>Snappy, xerial-framed as the Java client writes it.</summary>
    Snappy = 2,

    /// <summary>LZ4 frame format.</summary>
    Lz4 = 3,

    /// <summary>Zstandard (KIP-110), needs the native libzstd.</summary>
    Zstd = 4,
}
