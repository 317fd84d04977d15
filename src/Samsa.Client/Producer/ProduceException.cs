using Samsa.Protocol;
using Samsa.Protocol.Errors;

namespace Samsa.Client.Producer;

/// <summary>
/// A record was not delivered. <see cref="KafkaException.Code"/> carries the broker's error code when
/// there was one; <see cref="Exception.InnerException"/> the underlying failure.
/// </summary>
public sealed class ProduceException : KafkaException
{
    /// <summary>Creates the exception for a record of <paramref name="result"/>'s topic and partition.</summary>
    public ProduceException(DeliveryResult result, ErrorCode code, string message, Exception? inner = null)
        : base(code, message, inner) => DeliveryResult = result;

    /// <summary>Creates the exception for a failure without an error code.</summary>
    public ProduceException(DeliveryResult result, string message, Exception? inner)
        : base(message, inner) => DeliveryResult = result;

    /// <summary>Topic and partition the record was meant for (offset -1).</summary>
    public DeliveryResult DeliveryResult { get; }
}
