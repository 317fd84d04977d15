using Samsa.Protocol;

namespace Samsa.Testing;

/// <summary>Which way a recorded frame travelled.</summary>
public enum FrameDirection
{
    /// <summary>Client to broker.</summary>
    Request,

    /// <summary>Broker to client.</summary>
    Response,
}

/// <summary>
/// One Kafka frame seen by <see cref="RecordingProxy"/>: the bytes after the 4-byte size prefix
/// (request or response header, then body), exactly as the sender wrote them.
/// </summary>
/// <param name="Sequence">Global order in which the proxy saw frames (0, 1, 2, ...).</param>
/// <param name="ConnectionId">Client connection the frame belongs to (0, 1, 2, ... in accept order).</param>
/// <param name="BrokerIndex">Index of the upstream (0-based, in the proxy's upstream list).</param>
/// <param name="Direction">Request or response.</param>
/// <param name="ApiKey">API key from the request header (for responses: of the matching request).</param>
/// <param name="ApiVersion">API version from the request header (for responses: of the matching request).</param>
/// <param name="CorrelationId">Correlation id from the header.</param>
/// <param name="Frame">The frame without its size prefix.</param>
public sealed record RecordedFrame(
    long Sequence, int ConnectionId, int BrokerIndex, FrameDirection Direction, ApiKey ApiKey, short ApiVersion, int CorrelationId, byte[] Frame)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"#{Sequence} conn {ConnectionId} broker[{BrokerIndex}] {Direction} {ApiKey} v{ApiVersion} corr {CorrelationId} ({Frame.Length} bytes)";
}

/// <summary>A request and the response that answered it (null when none was seen, e.g. acks=0).</summary>
/// <param name="Request">The request frame.</param>
/// <param name="Response">The matching response frame, or null.</param>
public sealed record RecordedExchange(RecordedFrame Request, RecordedFrame? Response);
