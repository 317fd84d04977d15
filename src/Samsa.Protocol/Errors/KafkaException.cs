namespace Samsa.Protocol.Errors;

/// <summary>Base of every exception Samsa throws for a Kafka-level failure.</summary>
public class KafkaException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public KafkaException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and the error that caused it.</summary>
    public KafkaException(string message, Exception? inner) : base(message, inner) { }

    /// <summary>Creates an exception for a protocol error code.</summary>
    public KafkaException(ErrorCode code, string? message = null, Exception? inner = null)
        : base(message ?? code.Describe(), inner)
    {
        Code = code;
    }

    /// <summary>The protocol error code, when the failure came from one.</summary>
    public ErrorCode? Code { get; }

    /// <summary>True when retrying the same operation may succeed.</summary>
    public virtual bool IsRetriable => Code is { } c && c.IsRetriable();
}
