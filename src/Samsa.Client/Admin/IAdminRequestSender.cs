using Samsa.Protocol.Messages;

namespace Samsa.Client.Admin;

/// <summary>
/// What the admin handlers need from the network layer: send one request to a broker (or to any
/// broker when <paramref name="node"/> is null) at the highest version both sides support, and
/// await its response. The builder receives the negotiated version, so a handler can shape the
/// request for it (Java's AbstractRequest.Builder).
/// </summary>
internal interface IAdminRequestSender : IAsyncDisposable
{
    /// <summary>Sends a request and awaits its response.</summary>
    /// <exception cref="Samsa.Protocol.Errors.KafkaException">The broker could not be reached, the request timed out, or no common version exists.</exception>
    Task<TResponse> SendAsync<TRequest, TResponse>(BrokerDescription? node, Func<short, TRequest> build, CancellationToken cancellationToken)
        where TRequest : IKafkaRequest<TRequest, TResponse>
        where TResponse : class, IKafkaResponse<TResponse>;

    /// <summary>The version range of <paramref name="api"/> that <paramref name="node"/> supports, or null before it was asked.</summary>
    (short Min, short Max)? BrokerVersions(BrokerDescription? node, Samsa.Protocol.ApiKey api);
}
