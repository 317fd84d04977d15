using Samsa.Client.Metadata;
using Samsa.Client.Producer;

namespace Samsa.Client.Tests.Producer;

/// <summary>A metadata snapshot for tests: topic -> partition leaders.</summary>
internal sealed class FakeCluster : IProducerCluster
{
    private readonly Dictionary<string, int[]> _leaders = new(StringComparer.Ordinal);

    public FakeCluster With(string topic, params int[] leaders)
    {
        var copy = new FakeCluster();
        foreach (var (t, l) in _leaders) copy._leaders[t] = l;
        copy._leaders[topic] = leaders;
        return copy;
    }

    public int PartitionCount(string topic) => _leaders.TryGetValue(topic, out var l) ? l.Length : -1;

    public int LeaderFor(TopicPartition partition) =>
        _leaders.TryGetValue(partition.Topic, out var l) && partition.Partition < l.Length ? l[partition.Partition] : -1;

    public IReadOnlyList<TopicPartition> PartitionsForNode(int nodeId)
    {
        var result = new List<TopicPartition>();
        foreach (var (topic, leaders) in _leaders)
        {
            for (int p = 0; p < leaders.Length; p++)
            {
                if (leaders[p] == nodeId) result.Add(new TopicPartition(topic, p));
            }
        }
        return result;
    }
}
