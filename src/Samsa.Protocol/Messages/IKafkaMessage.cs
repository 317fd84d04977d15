using Samsa.Protocol.Primitives;

namespace Samsa.Protocol.Messages;

/// <summary>A versioned Kafka message (request, response, header or embedded structure).</summary>
public interface IKafkaMessage
{
    /// <summary>Writes the message body at <paramref name="version"/>.</summary>
    /// <exception cref="Errors.KafkaProtocolException">A field holds a value the version cannot express.</exception>
    void Write(ref KafkaWriter writer, short version);

    /// <summary>The number of bytes <see cref="Write"/> would produce, without writing.</summary>
    int ComputeSize(short version);

    /// <summary>
    /// Tagged fields read from the wire that this version of Samsa does not know; written back unchanged,
    /// merged with the known tagged fields in tag order (keep the list sorted by tag, as Read leaves it).
    /// </summary>
    List<TaggedField>? UnknownTaggedFields { get; set; }
}

/// <summary>A message type that can be read at a version.</summary>
public interface IKafkaReadable<TSelf> : IKafkaMessage where TSelf : IKafkaReadable<TSelf>
{
    /// <summary>Lowest version in the spec's validVersions.</summary>
    static abstract short LowestVersion { get; }

    /// <summary>Highest version in the spec's validVersions (unstable versions excluded).</summary>
    static abstract short HighestVersion { get; }

    /// <summary>First flexible version (KIP-482), or <see cref="short.MaxValue"/> when none is.</summary>
    static abstract short FlexibleFrom { get; }

    /// <summary>Reads the message body at <paramref name="version"/>.</summary>
    static abstract TSelf Read(ref KafkaReader reader, short version);
}

/// <summary>A request body, non-generic view (for queues of mixed requests).</summary>
public interface IKafkaRequest : IKafkaMessage
{
    /// <summary>The API this request belongs to.</summary>
    ApiKey ApiKey { get; }
}

/// <summary>A request type with its response type, so sending needs no reflection or switch.</summary>
public interface IKafkaRequest<TSelf, TResponse> : IKafkaRequest, IKafkaReadable<TSelf>
    where TSelf : IKafkaRequest<TSelf, TResponse>
    where TResponse : IKafkaResponse<TResponse>
{
    /// <summary>The API key of this request type.</summary>
    static abstract ApiKey Key { get; }
}

/// <summary>A response body, non-generic view.</summary>
public interface IKafkaResponse : IKafkaMessage
{
    /// <summary>The API this response belongs to.</summary>
    ApiKey ApiKey { get; }
}

/// <summary>A response type.</summary>
public interface IKafkaResponse<TSelf> : IKafkaResponse, IKafkaReadable<TSelf>
    where TSelf : IKafkaResponse<TSelf>
{
    /// <summary>The API key of this response type.</summary>
    static abstract ApiKey Key { get; }
}
