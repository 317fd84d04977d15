namespace Samsa.Client.Producer.Partitioners;

/// <summary>
/// The Java client's default choice: a keyed record goes to <c>(murmur2(key) &amp; 0x7fffffff) % partitions</c>;
/// a record without a key is left to the uniform sticky partitioner (KIP-794), which the accumulator runs.
/// </summary>
public sealed class DefaultPartitioner : IPartitioner
{
    /// <summary>The shared instance (stateless).</summary>
    public static DefaultPartitioner Instance { get; } = new();

    /// <inheritdoc />
    public int Partition(string topic, ReadOnlySpan<byte> key, bool keyIsNull, int partitionCount) =>
        keyIsNull ? -1 : Murmur2.Partition(key, partitionCount);
}

/// <summary>Ignores keys: every record goes through the uniform sticky partitioner (<c>partitioner.ignore.keys=true</c>).</summary>
public sealed class UniformStickyPartitioner : IPartitioner
{
    /// <summary>The shared instance (stateless).</summary>
    public static UniformStickyPartitioner Instance { get; } = new();

    /// <inheritdoc />
    public int Partition(string topic, ReadOnlySpan<byte> key, bool keyIsNull, int partitionCount) => -1;
}
