namespace Samsa.Protocol.Errors;

/// <summary>A record batch whose size, CRC or framing is invalid (Java's CorruptRecordException).</summary>
public sealed class CorruptRecordException : KafkaProtocolException
{
    /// <summary>Creates the exception.</summary>
    public CorruptRecordException(string message) : base(message) { }

    /// <summary>Creates the exception with an inner cause.</summary>
    public CorruptRecordException(string message, Exception? inner) : base(message, inner) { }
}
