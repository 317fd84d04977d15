using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Network;

/// <summary>
/// A request addressed to one broker, plus its bookkeeping while in flight (Java's ClientRequest and
/// InFlightRequest in one object, to allocate once per request). Create it with
/// <see cref="NetworkClient.NewClientRequest{TRequest,TResponse}(int, TRequest, IRequestCompletionHandler?, bool, int?)"/>.
/// The version is chosen when it is sent: the highest both the broker and the allowed range support.
/// </summary>
public sealed class ClientRequest
{
    internal ClientRequest(
        int destination,
        ApiKey apiKey,
        IKafkaRequest? body,
        Func<short, IKafkaRequest>? bodyForVersion,
        short oldestAllowedVersion,
        short latestAllowedVersion,
        short requestFlexibleFrom,
        short responseFlexibleFrom,
        ResponseReader responseReader,
        string clientId,
        long createdTimeMs,
        bool expectResponse,
        int requestTimeoutMs,
        IRequestCompletionHandler? callback)
    {
        Destination = destination;
        ApiKey = apiKey;
        Body = body;
        BodyForVersion = bodyForVersion;
        OldestAllowedVersion = oldestAllowedVersion;
        LatestAllowedVersion = latestAllowedVersion;
        RequestFlexibleFrom = requestFlexibleFrom;
        ResponseFlexibleFrom = responseFlexibleFrom;
        ResponseReader = responseReader;
        ClientId = clientId;
        CreatedTimeMs = createdTimeMs;
        ExpectResponse = expectResponse;
        RequestTimeoutMs = requestTimeoutMs;
        Callback = callback;
    }

    /// <summary>The node id it goes to.</summary>
    public int Destination { get; }

    /// <summary>The API.</summary>
    public ApiKey ApiKey { get; }

    /// <summary>The body; for requests built per version, the body built when it was sent.</summary>
    public IKafkaRequest? Body { get; internal set; }

    internal Func<short, IKafkaRequest>? BodyForVersion { get; }

    /// <summary>Lowest version the caller accepts.</summary>
    public short OldestAllowedVersion { get; }

    /// <summary>Highest version the caller accepts (at most what Samsa implements).</summary>
    public short LatestAllowedVersion { get; }

    internal short RequestFlexibleFrom { get; }

    internal short ResponseFlexibleFrom { get; }

    internal ResponseReader ResponseReader { get; }

    /// <summary>The client id sent in the header.</summary>
    public string ClientId { get; }

    /// <summary>When the request was created.</summary>
    public long CreatedTimeMs { get; }

    /// <summary>False for requests the broker does not answer (acks=0 produce): they complete once written.</summary>
    public bool ExpectResponse { get; }

    /// <summary>How long to wait for the response once sent.</summary>
    public int RequestTimeoutMs { get; }

    /// <summary>Called when the request completes.</summary>
    public IRequestCompletionHandler? Callback { get; }

    /// <summary>The version it was sent at (-1 before sending).</summary>
    public short Version { get; internal set; } = -1;

    /// <summary>The correlation id it was sent with (-1 before sending).</summary>
    public int CorrelationId { get; internal set; } = -1;

    /// <summary>When it was handed to the connection.</summary>
    public long SendTimeMs { get; internal set; }

    /// <summary>True once it was completely written to the socket.</summary>
    public bool SendCompleted { get; internal set; }

    /// <summary>True for requests the client makes for itself (ApiVersions, Metadata).</summary>
    internal bool IsInternalRequest { get; init; }

    /// <summary>Milliseconds since it was sent.</summary>
    public long TimeElapsedSinceSendMs(long nowMs) => Math.Max(0, nowMs - SendTimeMs);

    /// <inheritdoc />
    public override string ToString() => $"{ApiKey} v{Version} (correlation id {CorrelationId}) to node {Destination}";
}
