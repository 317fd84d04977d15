using Samsa.Protocol.Errors;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Primitives;

namespace Samsa.Protocol.Headers;

/// <summary>
/// Reads and writes response frames. A frame here is what follows the 4-byte size prefix: the
/// response header, then the body.
/// </summary>
public static class ResponseFrame
{
    /// <summary>
    /// Reads the response header for a request of <paramref name="key"/> at <paramref name="apiVersion"/>
    /// and returns its correlation id; the reader is left at the body. Tagged header fields are skipped.
    /// </summary>
    /// <exception cref="KafkaProtocolException">Malformed bytes.</exception>
    public static int ReadHeader(ref KafkaReader reader, ApiKey key, short apiVersion)
    {
        var correlationId = reader.ReadInt32();
        if (HeaderVersions.ForResponse(key, apiVersion) >= 1)
        {
            var count = reader.ReadUnsignedVarInt();
            for (uint i = 0; i < count; i++)
            {
                var (_, size) = reader.ReadTagHeader();
                reader.Skip(size);
            }
        }
        return correlationId;
    }

    /// <summary>
    /// Reads header and body of a <typeparamref name="TResponse"/> frame (without the size prefix).
    /// <c>records</c> fields slice <paramref name="frame"/> without copying, so keep it alive while
    /// they are in use.
    /// </summary>
    /// <exception cref="KafkaProtocolException">Malformed bytes or an unsupported version.</exception>
    public static TResponse Read<TResponse>(ReadOnlyMemory<byte> frame, short apiVersion, out int correlationId)
        where TResponse : IKafkaResponse<TResponse>
    {
        var reader = new KafkaReader(frame);
        correlationId = ReadHeader(ref reader, TResponse.Key, apiVersion);
        return TResponse.Read(ref reader, apiVersion);
    }

    /// <summary>
    /// Appends <c>[int32 size][response header][body]</c> (what a broker sends) to <paramref name="output"/>.
    /// Returns the frame length including the size prefix.
    /// </summary>
    public static int Write<TResponse>(ByteBufferWriter output, TResponse response, short apiVersion, int correlationId)
        where TResponse : IKafkaResponse
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(response);
        var start = output.WrittenCount;
        var writer = new KafkaWriter(output);
        var sizePosition = writer.ReserveInt32();
        writer.WriteInt32(correlationId);
        if (HeaderVersions.ForResponse(response.ApiKey, apiVersion) >= 1)
            writer.WriteUnsignedVarInt(0);
        response.Write(ref writer, apiVersion);
        output.WriteInt32At(sizePosition, output.WrittenCount - sizePosition - 4);
        return output.WrittenCount - start;
    }
}
