using Samsa.Protocol.Errors;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Primitives;

namespace Samsa.Protocol.Headers;

/// <summary>
/// Writes and reads whole request frames: the 4-byte size, the request header and the body.
/// </summary>
public static class RequestFrame
{
    /// <summary>
    /// Appends <c>[int32 size][request header][body]</c> for <paramref name="request"/> at
    /// <paramref name="apiVersion"/> to <paramref name="output"/>. Returns the frame length including
    /// the size prefix.
    /// </summary>
    /// <exception cref="KafkaProtocolException">The version is unsupported or cannot express a field's value.</exception>
    public static int Write<TRequest>(ByteBufferWriter output, TRequest request, short apiVersion, int correlationId, string? clientId)
        where TRequest : IKafkaRequest
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(request);
        var start = output.WrittenCount;
        var writer = new KafkaWriter(output);
        var sizePosition = writer.ReserveInt32();
        WriteHeader(ref writer, request.ApiKey, apiVersion, correlationId, clientId);
        request.Write(ref writer, apiVersion);
        var length = output.WrittenCount - sizePosition - 4;
        output.WriteInt32At(sizePosition, length);
        return output.WrittenCount - start;
    }

    /// <summary>
    /// Writes a request header for <paramref name="key"/> at <paramref name="apiVersion"/> without
    /// allocating a <see cref="RequestHeader"/>.
    /// </summary>
    public static void WriteHeader(ref KafkaWriter writer, ApiKey key, short apiVersion, int correlationId, string? clientId)
    {
        var headerVersion = HeaderVersions.ForRequest(key, apiVersion);
        writer.WriteInt16((short)key);
        writer.WriteInt16(apiVersion);
        writer.WriteInt32(correlationId);
        if (headerVersion >= 1)
            writer.WriteNullableString(clientId, compact: false); // ClientId never uses a compact string.
        if (headerVersion >= 2)
            writer.WriteUnsignedVarInt(0); // no tagged fields
    }

    /// <summary>
    /// Reads a request header from the start of a frame (after the size prefix), choosing its version
    /// from the API key and version it starts with. The reader is left at the body.
    /// </summary>
    /// <exception cref="KafkaProtocolException">Malformed bytes or an API key Samsa does not implement.</exception>
    public static RequestHeader ReadHeader(ref KafkaReader reader)
    {
        if (reader.Remaining < 4)
            throw new KafkaProtocolException($"A request header needs at least 4 bytes, got {reader.Remaining}.");
        var span = reader.RemainingSpan;
        var key = (ApiKey)System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(span);
        var version = System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(span[2..]);
        if (!ApiVersionRanges.TryGet(key, out _))
            throw new KafkaProtocolException($"Unsupported API key {(short)key} in request header.");
        return RequestHeader.Read(ref reader, HeaderVersions.ForRequest(key, version));
    }
}
