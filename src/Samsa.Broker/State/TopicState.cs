namespace Samsa.Broker.State;

/// <summary>One partition: its log and who leads it.</summary>
internal sealed class PartitionState
{
    public PartitionState(int index, PartitionLog log, int[] replicas)
    {
        Index = index;
        Log = log;
        Replicas = replicas;
        Leader = replicas.Length > 0 ? replicas[0] : -1;
    }

    public int Index { get; }

    public PartitionLog Log { get; }

    /// <summary>Replica broker ids; the preferred leader first.</summary>
    public int[] Replicas { get; }

    /// <summary>Current leader, -1 when every replica is down.</summary>
    public int Leader { get; set; }

    /// <summary>Bumped on every leader change (KIP-101/KIP-320 fencing).</summary>
    public int LeaderEpoch
    {
        get => Log.LeaderEpoch;
        set => Log.LeaderEpoch = value;
    }
}

/// <summary>A topic: id, partitions and configs.</summary>
internal sealed class TopicState
{
    public TopicState(string name, Guid id, Dictionary<string, string> configs)
    {
        Name = name;
        Id = id;
        Configs = configs;
    }

    public string Name { get; }

    public Guid Id { get; }

    public List<PartitionState> Partitions { get; } = [];

    public Dictionary<string, string> Configs { get; }

    public bool IsInternal => Name.StartsWith("__", StringComparison.Ordinal);
}
