using Samsa.Protocol;
using Samsa.Protocol.Headers;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Primitives;

namespace Samsa.Testing;

/// <summary>
/// Encodes and decodes whole Kafka frames (header + body, without the size prefix) with the
/// generated messages. Test scaffolding: the client has its own framing.
/// </summary>
public static class KafkaFrame
{
    /// <summary>Request header version (production rule, <see cref="HeaderVersions.ForRequest"/>).</summary>
    public static short RequestHeaderVersion(ApiKey apiKey, short version) => HeaderVersions.ForRequest(apiKey, version);

    /// <summary>Response header version (production rule, <see cref="HeaderVersions.ForResponse"/>).</summary>
    public static short ResponseHeaderVersion(ApiKey apiKey, short version) => HeaderVersions.ForResponse(apiKey, version);

    /// <summary>Encodes a request frame: header (with <paramref name="correlationId"/>, <paramref name="clientId"/>) and body at <paramref name="version"/>.</summary>
    public static byte[] EncodeRequest(IKafkaRequest request, short version, int correlationId, string? clientId = "samsa-test")
    {
        var header = new RequestHeader
        {
            RequestApiKey = (short)request.ApiKey,
            RequestApiVersion = version,
            CorrelationId = correlationId,
            ClientId = clientId,
        };
        return Encode(header, RequestHeaderVersion(request.ApiKey, version), request, version);
    }

    /// <summary>Encodes a header and a body back to back.</summary>
    public static byte[] Encode(IKafkaMessage header, short headerVersion, IKafkaMessage body, short version)
    {
        using var buffer = new ByteBufferWriter();
        var writer = new KafkaWriter(buffer);
        header.Write(ref writer, headerVersion);
        body.Write(ref writer, version);
        return buffer.ToArray();
    }

    /// <summary>Decodes a request frame; the API key and version come from its header.</summary>
    public static (RequestHeader Header, short HeaderVersion, IKafkaRequest Body) DecodeRequest(ReadOnlyMemory<byte> frame)
    {
        var span = frame.Span;
        if (span.Length < 4)
        {
            throw new ArgumentException($"request frame of {span.Length} bytes has no header", nameof(frame));
        }
        var apiKey = (ApiKey)System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(span);
        var version = System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(span[2..]);
        var headerVersion = RequestHeaderVersion(apiKey, version);
        var reader = new KafkaReader(frame);
        var header = RequestHeader.Read(ref reader, headerVersion);
        var body = ApiMessages.ReadRequest(apiKey, ref reader, version);
        reader.EnsureConsumed($"{apiKey} v{version} request");
        return (header, headerVersion, body);
    }

    /// <summary>Decodes a response frame of <paramref name="apiKey"/> at <paramref name="version"/>.</summary>
    public static (ResponseHeader Header, short HeaderVersion, IKafkaResponse Body) DecodeResponse(ApiKey apiKey, short version, ReadOnlyMemory<byte> frame)
    {
        var headerVersion = ResponseHeaderVersion(apiKey, version);
        var reader = new KafkaReader(frame);
        var header = ResponseHeader.Read(ref reader, headerVersion);
        var body = ApiMessages.ReadResponse(apiKey, ref reader, version);
        reader.EnsureConsumed($"{apiKey} v{version} response");
        return (header, headerVersion, body);
    }

    /// <summary>Decodes a response frame into <typeparamref name="TResponse"/>.</summary>
    public static (ResponseHeader Header, TResponse Body) DecodeResponse<TResponse>(ReadOnlyMemory<byte> frame, short version)
        where TResponse : IKafkaResponse<TResponse>
    {
        var reader = new KafkaReader(frame);
        var header = ResponseHeader.Read(ref reader, ResponseHeaderVersion(TResponse.Key, version));
        var body = TResponse.Read(ref reader, version);
        reader.EnsureConsumed($"{TResponse.Key} v{version} response");
        return (header, body);
    }
}
