using Samsa.Client.Consumer;

namespace Samsa.Cli.Output;

/// <summary>A consumer's total lag over its assignment, for the progress line.</summary>
internal static class ConsumerLag
{
    /// <summary>
    /// The sum of <see cref="KafkaConsumer{TKey, TValue}.CurrentLag"/> over the assigned partitions;
    /// null while any partition's lag is unknown (no fetch response yet) or nothing is assigned, so
    /// the line never shows a partial sum as if it were the whole.
    /// </summary>
    public static long? Total<TKey, TValue>(KafkaConsumer<TKey, TValue> consumer)
    {
        var assigned = consumer.Assignment;
        if (assigned.Count == 0)
            return null;
        long total = 0;
        foreach (var tp in assigned)
        {
            if (consumer.CurrentLag(tp) is not { } lag)
                return null;
            total += lag;
        }
        return total;
    }
}
