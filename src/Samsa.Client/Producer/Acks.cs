namespace Samsa.Client.Producer;

/// <summary>How many replicas must have a record before the broker acknowledges it (Kafka's <c>acks</c>).</summary>
public enum Acks : short
{
    /// <summary><c>acks=0</c>: the broker sends no response; a record counts as delivered once it is written to the socket.</summary>
    None = 0,

    /// <summary><c>acks=1</c>: the partition leader has written the record.</summary>
    Leader = 1,

    /// <summary><c>acks=all</c> (-1): every in-sync replica has the record. The default.</summary>
    All = -1,
}

/// <summary>Which built-in partitioner picks the partition of records that name none.</summary>
public enum PartitionerType
{
    /// <summary>
    /// Java's default: keyed records go to <c>(murmur2(key) &amp; 0x7fffffff) % partitions</c>, records
    /// without a key use the uniform sticky partitioner (KIP-794).
    /// </summary>
    Default,

    /// <summary>Every record, keyed or not, goes to the next partition in turn (Java's RoundRobinPartitioner).</summary>
    RoundRobin,

    /// <summary>Keys are ignored and every record uses the uniform sticky partitioner (<c>partitioner.ignore.keys=true</c>).</summary>
    UniformSticky,
}
