using System.Text.Json;
using System.Text.RegularExpressions;
using Samsa.Protocol;

namespace Samsa.Broker.State;

/// <summary>
/// Topics, partitions and leadership for the whole embedded cluster (the controller's view).
/// Every broker shares it; leaders are spread round-robin over the brokers like Kafka's
/// replica assignment. Thread-safe through one lock; logs have their own locks.
/// </summary>
internal sealed partial class ClusterState : IDisposable
{
    private readonly object _lock = new();
    private readonly Dictionary<string, TopicState> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, TopicState> _byId = [];
    private readonly int[] _brokerIds;
    private readonly HashSet<int> _down = [];
    private readonly string? _directory;
    private int _nextStart;

    public ClusterState(int[] brokerIds, string? directory)
    {
        _brokerIds = brokerIds;
        _directory = directory;
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
            Load();
        }
    }

    public IReadOnlyList<int> BrokerIds => _brokerIds;

    /// <summary>Bumped on every change to topics or leadership; fetch sessions and tests use it.</summary>
    public int Version { get; private set; }

    public bool IsAlive(int brokerId)
    {
        lock (_lock)
        {
            return !_down.Contains(brokerId) && Array.IndexOf(_brokerIds, brokerId) >= 0;
        }
    }

    public int[] AliveBrokers()
    {
        lock (_lock)
        {
            return [.. _brokerIds.Where(b => !_down.Contains(b))];
        }
    }

    public TopicState? Find(string name)
    {
        lock (_lock)
        {
            return _byName.GetValueOrDefault(name);
        }
    }

    public TopicState? Find(Guid id)
    {
        lock (_lock)
        {
            return _byId.GetValueOrDefault(id);
        }
    }

    public PartitionState? Find(string topic, int partition)
    {
        var t = Find(topic);
        if (t is null)
        {
            return null;
        }
        lock (_lock)
        {
            return partition >= 0 && partition < t.Partitions.Count ? t.Partitions[partition] : null;
        }
    }

    public TopicState[] Topics()
    {
        lock (_lock)
        {
            return [.. _byName.Values.OrderBy(t => t.Name, StringComparer.Ordinal)];
        }
    }

    [GeneratedRegex("^[a-zA-Z0-9._-]+$")]
    private static partial Regex LegalTopicName();

    /// <summary>Kafka's Topic.validate: why a name is illegal, or null.</summary>
    public static string? ValidateName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "Topic name is empty.";
        }
        if (name is "." or "..")
        {
            return $"Topic name cannot be \"{name}\".";
        }
        if (name.Length > 249)
        {
            return $"Topic name is {name.Length} characters long, more than the maximum of 249.";
        }
        if (!LegalTopicName().IsMatch(name))
        {
            return $"Topic name \"{name}\" is illegal: it contains a character other than ASCII alphanumerics, '.', '_' and '-'.";
        }
        return null;
    }

    /// <summary>Creates a topic; returns the error and a message for CreateTopics.</summary>
    public (ErrorCode Error, string? Message, TopicState? Topic) CreateTopic(string name, int partitions, int replicationFactor, IReadOnlyDictionary<string, string>? configs, bool validateOnly = false)
    {
        if (ValidateName(name) is { } invalid)
        {
            return (ErrorCode.InvalidTopicException, invalid, null);
        }
        if (partitions <= 0)
        {
            return (ErrorCode.InvalidPartitions, $"Number of partitions must be larger than 0, was {partitions}.", null);
        }
        if (replicationFactor <= 0 || replicationFactor > _brokerIds.Length)
        {
            return (ErrorCode.InvalidReplicationFactor, $"Replication factor {replicationFactor} must be between 1 and the number of brokers ({_brokerIds.Length}).", null);
        }
        lock (_lock)
        {
            if (_byName.ContainsKey(name))
            {
                return (ErrorCode.TopicAlreadyExists, $"Topic '{name}' already exists.", null);
            }
            if (validateOnly)
            {
                return (ErrorCode.None, null, null);
            }
            var topic = new TopicState(name, Guid.NewGuid(), configs is null ? [] : new Dictionary<string, string>(configs));
            AddPartitions(topic, partitions, replicationFactor);
            _byName[name] = topic;
            _byId[topic.Id] = topic;
            Version++;
            Save();
            return (ErrorCode.None, null, topic);
        }
    }

    private void AddPartitions(TopicState topic, int total, int replicationFactor)
    {
        for (int p = topic.Partitions.Count; p < total; p++)
        {
            int start = _nextStart++;
            var replicas = new int[replicationFactor];
            for (int r = 0; r < replicationFactor; r++)
            {
                replicas[r] = _brokerIds[(start + r) % _brokerIds.Length];
            }
            string? dir = _directory is null ? null : Path.Combine(_directory, $"{topic.Name}-{p}");
            var partition = new PartitionState(p, new PartitionLog(topic.Name, p, dir), replicas);
            ElectLeader(partition, preferred: -1);
            topic.Partitions.Add(partition);
        }
    }

    public (ErrorCode Error, string? Message) CreatePartitions(string name, int total, bool validateOnly)
    {
        lock (_lock)
        {
            if (!_byName.TryGetValue(name, out var topic))
            {
                return (ErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.");
            }
            if (total < topic.Partitions.Count)
            {
                return (ErrorCode.InvalidPartitions, $"Topic '{name}' has {topic.Partitions.Count} partitions; cannot reduce to {total}.");
            }
            if (total == topic.Partitions.Count)
            {
                return (ErrorCode.InvalidPartitions, $"Topic '{name}' already has {total} partitions.");
            }
            if (!validateOnly)
            {
                AddPartitions(topic, total, topic.Partitions[0].Replicas.Length);
                Version++;
                Save();
            }
            return (ErrorCode.None, null);
        }
    }

    public ErrorCode DeleteTopic(string name)
    {
        TopicState? topic;
        lock (_lock)
        {
            if (!_byName.Remove(name, out topic))
            {
                return ErrorCode.UnknownTopicOrPartition;
            }
            _byId.Remove(topic.Id);
            Version++;
            Save();
        }
        foreach (var p in topic.Partitions)
        {
            p.Log.Dispose();
        }
        if (_directory is not null)
        {
            foreach (var p in topic.Partitions)
            {
                string dir = Path.Combine(_directory, $"{topic.Name}-{p.Index}");
                if (Directory.Exists(dir))
                {
                    Directory.Delete(dir, recursive: true);
                }
            }
        }
        return ErrorCode.None;
    }

    /// <summary>Sets a topic config (IncrementalAlterConfigs/AlterConfigs).</summary>
    public void SetConfig(TopicState topic, string key, string? value)
    {
        lock (_lock)
        {
            if (value is null)
            {
                topic.Configs.Remove(key);
            }
            else
            {
                topic.Configs[key] = value;
            }
            Save();
        }
    }

    /// <summary>Moves a partition's leader to <paramref name="brokerId"/> and bumps its epoch.</summary>
    public void MoveLeader(string topic, int partition, int brokerId)
    {
        lock (_lock)
        {
            var t = _byName.GetValueOrDefault(topic) ?? throw new ArgumentException($"Topic '{topic}' does not exist.", nameof(topic));
            if (partition < 0 || partition >= t.Partitions.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(partition), $"Topic '{topic}' has no partition {partition}.");
            }
            if (Array.IndexOf(_brokerIds, brokerId) < 0)
            {
                throw new ArgumentException($"Broker {brokerId} is not part of the cluster.", nameof(brokerId));
            }
            var p = t.Partitions[partition];
            p.Leader = brokerId;
            p.LeaderEpoch++;
            Version++;
        }
    }

    /// <summary>Marks a broker down or up and re-elects leaders of affected partitions.</summary>
    public void SetBrokerAlive(int brokerId, bool alive)
    {
        lock (_lock)
        {
            if (alive)
            {
                _down.Remove(brokerId);
            }
            else
            {
                _down.Add(brokerId);
            }
            foreach (var topic in _byName.Values)
            {
                foreach (var p in topic.Partitions)
                {
                    if ((!alive && p.Leader == brokerId) || (alive && p.Leader < 0))
                    {
                        ElectLeader(p, preferred: -1);
                    }
                }
            }
            Version++;
        }
    }

    private void ElectLeader(PartitionState p, int preferred)
    {
        int leader = -1;
        if (preferred >= 0 && !_down.Contains(preferred))
        {
            leader = preferred;
        }
        else
        {
            foreach (int r in p.Replicas)
            {
                if (!_down.Contains(r))
                {
                    leader = r;
                    break;
                }
            }
        }
        if (leader != p.Leader)
        {
            p.Leader = leader;
            p.LeaderEpoch++;
        }
    }

    /// <summary>In-sync replicas as reported: every live replica (they share one log).</summary>
    public int[] Isr(PartitionState p)
    {
        lock (_lock)
        {
            return [.. p.Replicas.Where(r => !_down.Contains(r))];
        }
    }

    /// <summary>
    /// The broker coordinating <paramref name="key"/> (a group or transactional id): a stable hash
    /// over the live brokers, so the coordinator moves when its broker stops, as in Kafka.
    /// </summary>
    public int CoordinatorFor(string key)
    {
        var alive = AliveBrokers();
        if (alive.Length == 0)
        {
            return -1;
        }
        uint hash = 2166136261;
        foreach (char c in key)
        {
            hash = (hash ^ c) * 16777619;
        }
        return alive[(int)(hash % (uint)alive.Length)];
    }

    private sealed record TopicRecord(string Name, Guid Id, int Partitions, int ReplicationFactor, Dictionary<string, string> Configs);

    private void Save()
    {
        if (_directory is null)
        {
            return;
        }
        var records = _byName.Values.Select(t => new TopicRecord(t.Name, t.Id, t.Partitions.Count, t.Partitions[0].Replicas.Length, t.Configs)).ToList();
        string path = Path.Combine(_directory, "topics.json");
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(records));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private void Load()
    {
        string path = Path.Combine(_directory!, "topics.json");
        if (!File.Exists(path))
        {
            return;
        }
        var records = JsonSerializer.Deserialize<List<TopicRecord>>(File.ReadAllText(path)) ?? [];
        foreach (var r in records)
        {
            var topic = new TopicState(r.Name, r.Id, r.Configs ?? []);
            AddPartitions(topic, r.Partitions, Math.Min(r.ReplicationFactor, _brokerIds.Length));
            _byName[r.Name] = topic;
            _byId[r.Id] = topic;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var t in _byName.Values)
            {
                foreach (var p in t.Partitions)
                {
                    p.Log.Dispose();
                }
            }
        }
    }
}
