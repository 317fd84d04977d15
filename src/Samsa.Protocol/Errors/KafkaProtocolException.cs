namespace Samsa.Protocol.Errors;

/// <summary>
/// Bytes that do not follow the Kafka wire format, or a value the chosen version cannot express.
/// Thrown instead of IndexOutOfRange/OutOfMemory so that a bad frame from the network is a clean,
/// specific failure of one connection.
/// </summary>
public class KafkaProtocolException : KafkaException
{
    /// <summary>Creates the exception.</summary>
    public KafkaProtocolException(string message) : base(message) { }

    /// <summary>Creates the exception with an inner cause.</summary>
    public KafkaProtocolException(string message, Exception? inner) : base(message, inner) { }
}
