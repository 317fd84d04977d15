using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Broker.Faults;
using Samsa.Broker.Handlers;
using Samsa.Broker.Network;
using Samsa.Broker.State;

namespace Samsa.Broker;

/// <summary>
/// An in-process Kafka-compatible cluster for development and tests (the role of franz-go's kfake
/// or librdkafka's mock cluster). It speaks the real protocol on loopback sockets. It is not a
/// production broker: there is no replication (replicas share one log), no security and no
/// retention.
/// </summary>
/// <example>
/// <code>
/// await using var cluster = await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Brokers = 3, Topics = ["orders:6"] });
/// var bootstrap = cluster.BootstrapServers; // "127.0.0.1:port1,127.0.0.1:port2,..."
/// </code>
/// </example>
public sealed class EmbeddedCluster : IAsyncDisposable
{
    private readonly List<BrokerNode> _brokers = [];
    private int _disposed;

    private EmbeddedCluster(EmbeddedClusterOptions options)
    {
        Options = options;
        Logger = options.Logger ?? NullLogger.Instance;
        Time = options.Time;
        int[] ids = [.. Enumerable.Range(1, options.Brokers)];
        State = new ClusterState(ids, options.DataDirectory is null ? null : Path.Combine(options.DataDirectory, "logs"));
        Groups = new GroupCoordinator(Time, new GroupSettings(
            (int)options.GroupMinSessionTimeout.TotalMilliseconds,
            (int)options.GroupMaxSessionTimeout.TotalMilliseconds,
            (int)options.GroupInitialRebalanceDelay.TotalMilliseconds));
        Transactions = new TransactionCoordinator(State, Groups, Time);
        FetchSessions = new FetchSessionCache(options.FetchSessionCacheSize, Time);
        Faults = new FaultInjector();
        var caps = options.MaxApiVersions;
        bool capsListEveryApi = false;
        if (options.EmulateKafkaVersion is { } release)
        {
            caps = KafkaVersions.MaxVersionsFor(release);
            capsListEveryApi = true;
        }
        Handlers = new HandlerRegistry(HandlerCatalog.Create(this), caps, capsListEveryApi);
        if (options.DataDirectory is not null)
        {
            LoadOffsets();
            Groups.OffsetsChanged += SaveOffsets;
        }
        for (int i = 0; i < ids.Length; i++)
        {
            _brokers.Add(new BrokerNode(this, ids[i], options.Port == 0 ? 0 : options.Port + i, Logger));
        }
    }

    /// <summary>Starts a cluster and returns once every broker listens.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public static Task<EmbeddedCluster> StartAsync(EmbeddedClusterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EmbeddedClusterOptions();
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        var cluster = new EmbeddedCluster(options);
        try
        {
            foreach (var spec in options.Topics)
            {
                var (name, partitions, replication) = EmbeddedClusterOptions.ParseTopic(spec);
                if (cluster.State.Find(name) is null)
                {
                    var (error, message, _) = cluster.State.CreateTopic(name, partitions, replication == 0 ? cluster.DefaultReplicationFactor : replication, null);
                    if (error != Protocol.ErrorCode.None)
                    {
                        throw new ArgumentException($"Cannot create topic '{spec}': {message ?? error.ToString()}", nameof(options));
                    }
                }
            }
            foreach (var broker in cluster._brokers)
            {
                broker.Start();
            }
        }
        catch
        {
            cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
        cluster.Logger.LogInformation("[EmbeddedCluster] Started {Count} broker(s): {Bootstrap}.", options.Brokers, cluster.BootstrapServers);
        return Task.FromResult(cluster);
    }

    /// <summary>The options the cluster was started with.</summary>
    public EmbeddedClusterOptions Options { get; }

    /// <summary>"127.0.0.1:port,..." for every broker, for bootstrap.servers.</summary>
    public string BootstrapServers => string.Join(',', _brokers.Select(b => $"{b.Host}:{b.Port}"));

    /// <summary>Broker ids (1..N).</summary>
    public IReadOnlyList<int> BrokerIds => State.BrokerIds;

    /// <summary>Request-level fault injection: interceptors, failures, latency, disconnects.</summary>
    public FaultInjector Faults { get; }

    /// <summary>The cluster id reported to clients.</summary>
    public string ClusterId => Options.ClusterId;

    internal ILogger Logger { get; }

    internal TimeProvider Time { get; }

    internal ClusterState State { get; }

    internal GroupCoordinator Groups { get; }

    internal TransactionCoordinator Transactions { get; }

    internal FetchSessionCache FetchSessions { get; }

    internal HandlerRegistry Handlers { get; }

    internal int DefaultReplicationFactor => Options.DefaultReplicationFactor > 0 ? Options.DefaultReplicationFactor : Math.Min(3, Options.Brokers);

    internal BrokerNode? Broker(int id) => _brokers.Find(b => b.Id == id);

    internal BrokerNode? LiveBroker(int id) => Broker(id) is { IsRunning: true } b ? b : null;

    /// <summary>The "host:port" of a broker.</summary>
    public string AddressOf(int brokerId) => Broker(brokerId) is { } b ? $"{b.Host}:{b.Port}" : throw new ArgumentException($"No broker {brokerId}.", nameof(brokerId));

    /// <summary>Creates a topic (as CreateTopics would); throws if it exists or the arguments are invalid.</summary>
    public void CreateTopic(string name, int partitions = 1, int replicationFactor = 0, IReadOnlyDictionary<string, string>? configs = null)
    {
        var (error, message, _) = State.CreateTopic(name, partitions, replicationFactor == 0 ? DefaultReplicationFactor : replicationFactor, configs);
        if (error != Protocol.ErrorCode.None)
        {
            throw new InvalidOperationException($"Cannot create topic '{name}': {message ?? error.ToString()}");
        }
    }

    /// <summary>The current leader of a partition, or -1 (none) / null (no such partition).</summary>
    public int? LeaderOf(string topic, int partition) => State.Find(topic, partition)?.Leader;

    /// <summary>The high watermark (next offset) of a partition, or null when it does not exist.</summary>
    public long? HighWatermarkOf(string topic, int partition) => State.Find(topic, partition)?.Log.HighWatermark;

    /// <summary>Moves a partition's leadership to <paramref name="brokerId"/>, bumping its leader epoch; clients of the old leader get NOT_LEADER_OR_FOLLOWER.</summary>
    public void MoveLeader(string topic, int partition, int brokerId)
    {
        State.MoveLeader(topic, partition, brokerId);
        Logger.LogInformation("[EmbeddedCluster] Fault injection: leader of {Topic}-{Partition} moved to broker {BrokerId}.", topic, partition, brokerId);
    }

    /// <summary>Stops a broker: its listener and connections close and its partitions move to other live replicas.</summary>
    public async Task StopBrokerAsync(int brokerId)
    {
        var broker = Broker(brokerId) ?? throw new ArgumentException($"No broker {brokerId}.", nameof(brokerId));
        State.SetBrokerAlive(brokerId, alive: false);
        await broker.StopAsync().ConfigureAwait(false);
        Logger.LogInformation("[EmbeddedCluster] Fault injection: broker {BrokerId} stopped.", brokerId);
    }

    /// <summary>Starts a stopped broker again on the same port.</summary>
    public Task StartBrokerAsync(int brokerId)
    {
        var broker = Broker(brokerId) ?? throw new ArgumentException($"No broker {brokerId}.", nameof(brokerId));
        broker.Start();
        State.SetBrokerAlive(brokerId, alive: true);
        Logger.LogInformation("[EmbeddedCluster] Fault injection: broker {BrokerId} restarted.", brokerId);
        return Task.CompletedTask;
    }

    /// <summary>Stops and restarts a broker.</summary>
    public async Task RestartBrokerAsync(int brokerId)
    {
        await StopBrokerAsync(brokerId).ConfigureAwait(false);
        await StartBrokerAsync(brokerId).ConfigureAwait(false);
    }

    /// <summary>Closes every client connection of one broker (or all brokers); clients must reconnect. Returns how many were closed.</summary>
    public int CutConnections(int? brokerId = null)
    {
        int count = 0;
        foreach (var broker in _brokers)
        {
            if (brokerId is null || broker.Id == brokerId)
            {
                count += broker.CutConnections();
            }
        }
        Logger.LogInformation("[EmbeddedCluster] Fault injection: cut {Count} connection(s).", count);
        return count;
    }

    private sealed record OffsetRecord(string Group, string Topic, int Partition, long Offset, int LeaderEpoch, string? Metadata, long Timestamp);

    private string OffsetsPath => Path.Combine(Options.DataDirectory!, "consumer-offsets.json");

    private readonly object _offsetsFileLock = new();

    private void SaveOffsets()
    {
        lock (_offsetsFileLock)
        {
            var records = new List<OffsetRecord>();
            foreach (var (group, offsets) in Groups.Snapshot())
            {
                foreach (var (topic, partition, o) in offsets)
                {
                    records.Add(new OffsetRecord(group, topic, partition, o.Offset, o.LeaderEpoch, o.Metadata, o.CommitTimestamp));
                }
            }
            File.WriteAllText(OffsetsPath + ".tmp", JsonSerializer.Serialize(records));
            File.Move(OffsetsPath + ".tmp", OffsetsPath, overwrite: true);
        }
    }

    private void LoadOffsets()
    {
        if (!File.Exists(OffsetsPath))
        {
            return;
        }
        foreach (var r in JsonSerializer.Deserialize<List<OffsetRecord>>(File.ReadAllText(OffsetsPath)) ?? [])
        {
            Groups.StoreOffset(r.Group, r.Topic, r.Partition, new CommittedOffset(r.Offset, r.LeaderEpoch, r.Metadata, r.Timestamp));
        }
    }

    /// <summary>Stops every broker and releases the logs (on-disk data stays).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        foreach (var broker in _brokers)
        {
            await broker.StopAsync().ConfigureAwait(false);
        }
        Transactions.Dispose();
        Groups.Dispose();
        State.Dispose();
    }
}
