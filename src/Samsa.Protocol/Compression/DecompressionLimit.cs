using Samsa.Protocol.Errors;

namespace Samsa.Protocol.Compression;

/// <summary>The shared check that stops a decompression bomb.</summary>
internal static class DecompressionLimit
{
    /// <summary>Throws when <paramref name="total"/> bytes exceed the caller's limit.</summary>
    public static void Check(long total, int max, CompressionType type)
    {
        if (total > max)
            throw new CorruptRecordException(
                $"{type} data decompresses to more than the limit of {max} bytes; refusing it as corrupt or a decompression bomb.");
    }
}
