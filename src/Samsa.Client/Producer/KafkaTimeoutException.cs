using Samsa.Protocol;
using Samsa.Protocol.Errors;

namespace Samsa.Client.Producer;

/// <summary>
/// An operation did not finish within its configured time (Java's TimeoutException): buffer memory
/// or metadata not available within <c>max.block.ms</c>, or a record not delivered within
/// <c>delivery.timeout.ms</c>. The message names the setting.
/// </summary>
public sealed class KafkaTimeoutException : KafkaException
{
    /// <summary>Creates the exception.</summary>
    public KafkaTimeoutException(string message) : base(ErrorCode.RequestTimedOut, message) { }

    /// <summary>Creates the exception with a cause.</summary>
    public KafkaTimeoutException(string message, Exception? inner) : base(ErrorCode.RequestTimedOut, message, inner) { }
}
