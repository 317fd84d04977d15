using System.Buffers;
using Samsa.Protocol.Errors;

namespace Samsa.Protocol.Compression;

/// <summary>
/// Zstandard through the native libzstd (.NET 10 ships none and no managed package is available).
/// Decompression streams, because frames written by librdkafka need not carry the content size.
/// </summary>
public sealed class ZstdCodec : ICompressionCodec
{
    // ZSTD_reset_session_only: keep parameters, drop the state of an interrupted frame.
    private const int ResetSessionOnly = 1;

    [ThreadStatic]
    private static ZstdNative.DStreamHandle? t_dstream;

    private readonly int _level;

    /// <summary>Creates the codec; level 3 is Kafka's and zstd's default.</summary>
    public ZstdCodec(int level = 3) => _level = level;

    /// <inheritdoc />
    public CompressionType Type => CompressionType.Zstd;

    /// <summary>True when the native library can be loaded on this machine.</summary>
    public static bool IsAvailable
    {
        get
        {
            try
            {
                _ = ZstdNative.Functions;
                return true;
            }
            catch (DllNotFoundException)
            {
                return false;
            }
        }
    }

    /// <inheritdoc />
    public unsafe void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        var api = ZstdNative.Functions;
        var bound = api.CompressBound((nuint)source.Length);
        if (bound > int.MaxValue)
            throw new ArgumentException("Input is too large for one zstd frame.", nameof(source));
        var span = destination.GetSpan((int)bound);
        nuint written;
        fixed (byte* src = source)
        fixed (byte* dst = span)
            written = api.Compress(dst, (nuint)span.Length, src, (nuint)source.Length, _level);
        if (api.IsError(written) != 0)
            throw new InvalidOperationException($"zstd compression failed: {api.ErrorName(written)}");
        destination.Advance((int)written);
    }

    /// <inheritdoc />
    public unsafe int Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedSize)
    {
        var api = ZstdNative.Functions;
        var ds = t_dstream ??= new ZstdNative.DStreamHandle();
        var handle = ds.DangerousGetHandle();
        api.DCtxReset(handle, ResetSessionOnly);
        var total = 0L;
        fixed (byte* src = source)
        {
            var input = new ZstdNative.Buffer { Data = src, Size = (nuint)source.Length, Pos = 0 };
            while (true)
            {
                var span = destination.GetSpan(64 * 1024);
                var inputBefore = input.Pos;
                nuint result;
                ZstdNative.Buffer output;
                fixed (byte* dst = span)
                {
                    output = new ZstdNative.Buffer { Data = dst, Size = (nuint)span.Length, Pos = 0 };
                    result = api.DecompressStream(handle, &output, &input);
                }
                if (api.IsError(result) != 0)
                    throw Fail(api, handle, $"Invalid zstd data: {api.ErrorName(result)}.");
                total += (long)output.Pos;
                if (total > maxDecompressedSize)
                    api.DCtxReset(handle, ResetSessionOnly);
                DecompressionLimit.Check(total, maxDecompressedSize, Type);
                destination.Advance((int)output.Pos);
                var inputDone = input.Pos == input.Size;
                if (result == 0)
                {
                    // A frame is complete and flushed; more input means another (concatenated) frame.
                    if (inputDone)
                        break;
                    continue;
                }
                // The frame is not finished: with all input used and room left in the output, it never will be.
                if (inputDone && output.Pos < output.Size)
                    throw Fail(api, handle, "Invalid zstd data: the frame is truncated.");
                if (output.Pos == 0 && input.Pos == inputBefore)
                    throw Fail(api, handle, "Invalid zstd data: the decoder made no progress.");
            }
        }
        return (int)total;
    }

    private static unsafe CorruptRecordException Fail(ZstdNative.Api api, nint handle, string message)
    {
        api.DCtxReset(handle, ResetSessionOnly);
        return new CorruptRecordException(message);
    }
}
