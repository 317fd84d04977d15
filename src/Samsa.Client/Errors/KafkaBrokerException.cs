using Samsa.Protocol;
using Samsa.Protocol.Errors;

namespace Samsa.Client.Errors;

/// <summary>A broker answered with an error code (carries the API, broker and, when relevant, topic/partition).</summary>
public sealed class KafkaBrokerException : KafkaException
{
    /// <summary>Creates the exception.</summary>
    public KafkaBrokerException(ErrorCode code, string message, Exception? inner = null) : base(code, message, inner) { }

    /// <summary>The API of the failed request.</summary>
    public ApiKey? ApiKey { get; init; }

    /// <summary>The broker that answered.</summary>
    public int? NodeId { get; init; }

    /// <summary>The topic, when the error was for one.</summary>
    public string? Topic { get; init; }

    /// <summary>The partition, when the error was for one.</summary>
    public int? Partition { get; init; }
}
