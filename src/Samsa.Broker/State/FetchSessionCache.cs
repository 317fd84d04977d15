using Samsa.Protocol;

namespace Samsa.Broker.State;

/// <summary>What a fetch session remembers about one partition (KIP-227's CachedPartition).</summary>
internal sealed class CachedPartition(string topic, Guid topicId, int partition)
{
    public string Topic { get; } = topic;
    public Guid TopicId { get; } = topicId;
    public int Partition { get; } = partition;
    public long FetchOffset { get; set; }
    public int MaxBytes { get; set; }
    public long LastHighWatermark { get; set; } = -1;
    public long LastLastStableOffset { get; set; } = -1;
    public long LastLogStartOffset { get; set; } = -1;
}

/// <summary>An incremental fetch session: its partitions in request order and the next epoch.</summary>
internal sealed class FetchSession(int id)
{
    public int Id { get; } = id;
    /// <summary>The epoch the next incremental request must carry; bumped after each response (starts at 1 after the creating fetch).</summary>
    public int Epoch { get; set; }
    public long LastUsedMs { get; set; }
    public List<CachedPartition> Partitions { get; } = [];
    public Dictionary<(string Topic, int Partition), CachedPartition> Index { get; } = [];
}

/// <summary>
/// Broker-side fetch sessions (KIP-227). A full fetch (epoch 0) opens a session, incremental
/// fetches (epoch &gt; 0) add, update or forget partitions, epoch -1 closes it. Evicts the least
/// recently used session when full. Thread-safe; a session is used by one fetch at a time because
/// the client waits for each response before sending the next epoch.
/// </summary>
internal sealed class FetchSessionCache(int capacity, TimeProvider time)
{
    private readonly object _lock = new();
    private readonly Dictionary<int, FetchSession> _sessions = [];
    private int _nextId = 1;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _sessions.Count;
            }
        }
    }

    /// <summary>Opens a new session; returns null when the cache is disabled.</summary>
    public FetchSession? Create()
    {
        if (capacity <= 0)
        {
            return null;
        }
        lock (_lock)
        {
            if (_sessions.Count >= capacity)
            {
                var oldest = _sessions.Values.MinBy(s => s.LastUsedMs)!;
                _sessions.Remove(oldest.Id);
            }
            int id;
            do
            {
                id = _nextId++;
                if (_nextId == int.MaxValue)
                {
                    _nextId = 1;
                }
            }
            while (_sessions.ContainsKey(id));
            var session = new FetchSession(id) { LastUsedMs = time.GetUtcNow().ToUnixTimeMilliseconds() };
            _sessions[id] = session;
            return session;
        }
    }

    public void Remove(int id)
    {
        lock (_lock)
        {
            _sessions.Remove(id);
        }
    }

    /// <summary>Finds a session for an incremental fetch and checks its epoch.</summary>
    public (ErrorCode Error, FetchSession? Session) Get(int id, int epoch)
    {
        lock (_lock)
        {
            if (!_sessions.TryGetValue(id, out var session))
            {
                return (ErrorCode.FetchSessionIdNotFound, null);
            }
            if (session.Epoch != epoch)
            {
                return (ErrorCode.InvalidFetchSessionEpoch, null);
            }
            session.LastUsedMs = time.GetUtcNow().ToUnixTimeMilliseconds();
            return (ErrorCode.None, session);
        }
    }
}
