using Samsa.Broker.Network;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Primitives;

namespace Samsa.Broker.Handlers;

/// <summary>
/// One Kafka API served by the embedded broker: its version range and how to turn a request body
/// into a response. Mirrors the split of Kafka's KafkaApis into one method per API.
/// </summary>
internal abstract class ApiHandler
{
    /// <summary>The API served.</summary>
    public abstract ApiKey Key { get; }

    /// <summary>Lowest version served.</summary>
    public abstract short MinVersion { get; }

    /// <summary>Highest version served.</summary>
    public abstract short MaxVersion { get; }

    /// <summary>First version using the flexible (v2 request / v1 response) headers.</summary>
    public abstract short FlexibleFrom { get; }

    /// <summary>Whether responses at <paramref name="version"/> use the v1 (tagged) response header.</summary>
    public virtual bool FlexibleResponseHeader(short version) => version >= FlexibleFrom;

    /// <summary>Parses the request body; the returned object may reference <paramref name="body"/>.</summary>
    public abstract IKafkaMessage Parse(ReadOnlyMemory<byte> body, short version);

    /// <summary>Serves a parsed request; null means no response is sent (acks=0 produce).</summary>
    public abstract ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request, CancellationToken cancellationToken);

    /// <summary>A response reporting <paramref name="error"/> for every part of the request (Java's getErrorResponse).</summary>
    public abstract IKafkaMessage ErrorResponse(IKafkaMessage request, short version, Protocol.ErrorCode error);
}

/// <summary>Typed base: parsing through the generated reader and typed handle/error methods.</summary>
internal abstract class ApiHandler<TRequest, TResponse> : ApiHandler
    where TRequest : IKafkaRequest<TRequest, TResponse>
    where TResponse : IKafkaResponse<TResponse>
{
    public override ApiKey Key => TRequest.Key;

    public override short MinVersion => TRequest.LowestVersion;

    public override short MaxVersion => TRequest.HighestVersion;

    public override short FlexibleFrom => TRequest.FlexibleFrom;

    public override IKafkaMessage Parse(ReadOnlyMemory<byte> body, short version)
    {
        var reader = new KafkaReader(body);
        return TRequest.Read(ref reader, version);
    }

    public override async ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request, CancellationToken cancellationToken)
        => await HandleRequestAsync(context, (TRequest)request, cancellationToken).ConfigureAwait(false);

    public override IKafkaMessage ErrorResponse(IKafkaMessage request, short version, Protocol.ErrorCode error)
        => CreateErrorResponse((TRequest)request, version, error);

    /// <summary>Serves the request.</summary>
    protected abstract ValueTask<TResponse?> HandleRequestAsync(RequestContext context, TRequest request, CancellationToken cancellationToken);

    /// <summary>The response for <paramref name="error"/> on every part of the request.</summary>
    protected abstract TResponse CreateErrorResponse(TRequest request, short version, Protocol.ErrorCode error);
}
