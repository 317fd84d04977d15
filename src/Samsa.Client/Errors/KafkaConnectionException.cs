using Samsa.Protocol;
using Samsa.Protocol.Errors;

namespace Samsa.Client.Errors;

/// <summary>
/// A connection to a broker failed, closed, or timed out (network, and later TLS or SASL). Always
/// retriable: the request may be sent again once a connection is back.
/// </summary>
public sealed class KafkaConnectionException : KafkaException
{
    /// <summary>Creates the exception.</summary>
    public KafkaConnectionException(string message, Exception? inner = null, ErrorCode code = ErrorCode.NetworkException)
        : base(code, message, inner) { }

    /// <summary>The broker id, when known.</summary>
    public int? NodeId { get; init; }

    /// <summary>The broker address (host:port), when known.</summary>
    public string? Address { get; init; }

    /// <summary>True when the request timed out rather than the connection breaking.</summary>
    public bool IsTimeout => Code == ErrorCode.RequestTimedOut;

    /// <inheritdoc />
    public override bool IsRetriable => true;
}
