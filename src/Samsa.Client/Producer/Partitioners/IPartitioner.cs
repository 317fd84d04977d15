namespace Samsa.Client.Producer.Partitioners;

/// <summary>
/// Chooses the partition of a record that names none. Called on the producing thread for every such
/// record, so implementations must be thread-safe and should not allocate.
/// </summary>
public interface IPartitioner
{
    /// <summary>
    /// The partition (0 to <paramref name="partitionCount"/> - 1) for a record, or -1 to let the producer's
    /// uniform sticky partitioner (KIP-794) choose.
    /// </summary>
    /// <param name="topic">The record's topic.</param>
    /// <param name="key">The serialized key (empty when the key is null).</param>
    /// <param name="keyIsNull">True when the record has no key.</param>
    /// <param name="partitionCount">How many partitions the topic has.</param>
    int Partition(string topic, ReadOnlySpan<byte> key, bool keyIsNull, int partitionCount);
}
