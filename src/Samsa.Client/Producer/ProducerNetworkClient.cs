using Microsoft.Extensions.Logging;

namespace Samsa.Client.Producer;

/// <summary>Builds the producer's network client on top of Samsa.Client.Network.</summary>
internal static class ProducerNetworkClient
{
    public static IProducerNetworkClient Create(ProducerConfig config, ILoggerFactory loggerFactory, TimeProvider time) =>
        throw new NotSupportedException("The producer's network client is not wired to Samsa.Client.Network yet.");
}
