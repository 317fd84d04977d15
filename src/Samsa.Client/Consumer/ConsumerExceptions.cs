using Samsa.Protocol;
using Samsa.Protocol.Errors;
using Samsa.Client.Metadata;

namespace Samsa.Client.Consumer;

/// <summary>
/// An offset commit failed because the group rebalanced: the partitions may now belong to another
/// member (Java's CommitFailedException). Not retriable.
/// </summary>
public sealed class CommitFailedException : KafkaException
{
    /// <summary>Creates the exception.</summary>
    public CommitFailedException(ErrorCode code, string message) : base(code, message) { }

    /// <inheritdoc />
    public override bool IsRetriable => false;
}

/// <summary>
/// A record's key or value could not be deserialized (Java's RecordDeserializationException). The
/// position stays at the record: seek past <see cref="Offset"/> to skip it.
/// </summary>
public sealed class RecordDeserializationException : KafkaException
{
    /// <summary>Creates the exception.</summary>
    public RecordDeserializationException(TopicPartition partition, long offset, string message, Exception inner)
        : base(message, inner)
    {
        Partition = partition;
        Offset = offset;
    }

    /// <summary>The partition of the record.</summary>
    public TopicPartition Partition { get; }

    /// <summary>The offset of the record.</summary>
    public long Offset { get; }
}
