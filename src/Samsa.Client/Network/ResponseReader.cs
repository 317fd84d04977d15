using Samsa.Protocol.Messages;
using Samsa.Protocol.Primitives;

namespace Samsa.Client.Network;

/// <summary>Reads a response body at a version; one cached instance per response type.</summary>
public delegate IKafkaResponse ResponseReader(ref KafkaReader reader, short version);

/// <summary>The cached <see cref="ResponseReader"/> and version facts of a response type.</summary>
internal static class ResponseReaders<TResponse> where TResponse : IKafkaResponse<TResponse>
{
    public static readonly ResponseReader Instance = Read;

    private static IKafkaResponse Read(ref KafkaReader reader, short version) => TResponse.Read(ref reader, version);
}
