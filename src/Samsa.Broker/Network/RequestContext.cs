using Samsa.Protocol;

namespace Samsa.Broker.Network;

/// <summary>The request header and where a request came from, as handlers and interceptors see it.</summary>
public sealed class RequestContext
{
    internal RequestContext(int brokerId, ApiKey apiKey, short apiVersion, int correlationId, string? clientId, long connectionId)
    {
        BrokerId = brokerId;
        ApiKey = apiKey;
        ApiVersion = apiVersion;
        CorrelationId = correlationId;
        ClientId = clientId;
        ConnectionId = connectionId;
    }

    /// <summary>The broker that received the request.</summary>
    public int BrokerId { get; }

    /// <summary>The request's API.</summary>
    public ApiKey ApiKey { get; }

    /// <summary>The request's API version.</summary>
    public short ApiVersion { get; }

    /// <summary>The correlation id from the request header.</summary>
    public int CorrelationId { get; }

    /// <summary>The client id from the request header, if any.</summary>
    public string? ClientId { get; }

    /// <summary>An id unique per accepted connection within the cluster.</summary>
    public long ConnectionId { get; }
}
