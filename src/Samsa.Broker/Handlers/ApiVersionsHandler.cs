using Samsa.Broker.Network;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Primitives;

namespace Samsa.Broker.Handlers;

/// <summary>ApiVersions request (KIP-511 client name/version from v3).</summary>
internal sealed class ApiVersionsRequestBody : IKafkaMessage
{
    public string? ClientSoftwareName { get; set; }

    public string? ClientSoftwareVersion { get; set; }

    public List<TaggedField>? UnknownTaggedFields { get; set; }

    public static ApiVersionsRequestBody Read(ref KafkaReader reader, short version)
    {
        var request = new ApiVersionsRequestBody();
        if (version >= 3)
        {
            request.ClientSoftwareName = reader.ReadString(compact: true, "ClientSoftwareName");
            request.ClientSoftwareVersion = reader.ReadString(compact: true, "ClientSoftwareVersion");
            uint tags = reader.ReadUnsignedVarInt();
            for (uint i = 0; i < tags; i++)
            {
                var (_, size) = reader.ReadTagHeader();
                reader.Skip(size);
            }
        }
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        if (version >= 3)
        {
            writer.WriteString(ClientSoftwareName ?? "", compact: true);
            writer.WriteString(ClientSoftwareVersion ?? "", compact: true);
            writer.WriteUnsignedVarInt(0);
        }
    }

    public int ComputeSize(short version) => version >= 3
        ? KafkaWriter.SizeOfString(ClientSoftwareName ?? "", true) + KafkaWriter.SizeOfString(ClientSoftwareVersion ?? "", true) + 1
        : 0;
}

/// <summary>
/// ApiVersions response. Hand-written rather than generated because the UNSUPPORTED_VERSION
/// fallback must be written in the v0 layout whatever version was asked (KIP-511).
/// </summary>
internal sealed class ApiVersionsResponseBody : IKafkaMessage
{
    public ErrorCode ErrorCode { get; set; }

    public List<(ApiKey Key, short Min, short Max)> ApiKeys { get; set; } = [];

    public int ThrottleTimeMs { get; set; }

    public List<TaggedField>? UnknownTaggedFields { get; set; }

    public void Write(ref KafkaWriter writer, short version)
    {
        bool flexible = version >= 3;
        writer.WriteInt16((short)ErrorCode);
        writer.WriteArrayLength(ApiKeys.Count, flexible);
        foreach (var (key, min, max) in ApiKeys)
        {
            writer.WriteInt16((short)key);
            writer.WriteInt16(min);
            writer.WriteInt16(max);
            if (flexible)
            {
                writer.WriteUnsignedVarInt(0);
            }
        }
        if (version >= 1)
        {
            writer.WriteInt32(ThrottleTimeMs);
        }
        if (flexible)
        {
            writer.WriteUnsignedVarInt(0);
        }
    }

    public static ApiVersionsResponseBody Read(ref KafkaReader reader, short version)
    {
        bool flexible = version >= 3;
        var response = new ApiVersionsResponseBody { ErrorCode = (ErrorCode)reader.ReadInt16() };
        int count = reader.ReadArrayLength(flexible, 6);
        for (int i = 0; i < count; i++)
        {
            response.ApiKeys.Add(((ApiKey)reader.ReadInt16(), reader.ReadInt16(), reader.ReadInt16()));
            if (flexible)
            {
                SkipTags(ref reader);
            }
        }
        if (version >= 1 && reader.Remaining >= 4)
        {
            response.ThrottleTimeMs = reader.ReadInt32();
        }
        if (flexible && reader.Remaining > 0)
        {
            SkipTags(ref reader);
        }
        return response;
    }

    private static void SkipTags(ref KafkaReader reader)
    {
        uint tags = reader.ReadUnsignedVarInt();
        for (uint i = 0; i < tags; i++)
        {
            var (_, size) = reader.ReadTagHeader();
            reader.Skip(size);
        }
    }

    public int ComputeSize(short version)
    {
        bool flexible = version >= 3;
        return 2 + KafkaWriter.SizeOfArrayLength(ApiKeys.Count, flexible) + (ApiKeys.Count * (flexible ? 7 : 6))
            + (version >= 1 ? 4 : 0) + (flexible ? 1 : 0);
    }
}

/// <summary>ApiVersions v0-4: the advertised ranges after version emulation.</summary>
internal sealed class ApiVersionsHandler(EmbeddedCluster cluster) : ApiHandler
{
    public override ApiKey Key => ApiKey.ApiVersions;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    public override short FlexibleFrom => 3;

    /// <summary>The response header stays v0 at every version so old clients can parse the error (KIP-511).</summary>
    public override bool FlexibleResponseHeader(short version) => false;

    public override IKafkaMessage Parse(ReadOnlyMemory<byte> body, short version)
    {
        var reader = new KafkaReader(body);
        return ApiVersionsRequestBody.Read(ref reader, version);
    }

    public override ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request, CancellationToken cancellationToken)
        => new(new ApiVersionsResponseBody { ApiKeys = cluster.Handlers.Advertised() });

    public override IKafkaMessage ErrorResponse(IKafkaMessage request, short version, ErrorCode error)
        => new ApiVersionsResponseBody { ErrorCode = error, ApiKeys = cluster.Handlers.Advertised() };
}
