using System.Globalization;

namespace Samsa.Client.Metadata;

/// <summary>A topic name and partition number (Java's TopicPartition).</summary>
/// <param name="Topic">The topic name.</param>
/// <param name="Partition">The partition index.</param>
public readonly record struct TopicPartition(string Topic, int Partition)
{
    /// <inheritdoc />
    public override string ToString() => Topic + "-" + Partition.ToString(CultureInfo.InvariantCulture);
}
