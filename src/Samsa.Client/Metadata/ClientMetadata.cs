using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Client.Network;

namespace Samsa.Client.Metadata;

/// <summary>
/// The client's view of the cluster and when to refresh it (Java's Metadata; named ClientMetadata
/// because Samsa.Client.Metadata is the namespace). The network thread applies responses with
/// <see cref="Update"/>; any thread may read <see cref="Fetch"/>, add topics or request an update.
/// Refreshes happen every <c>metadata.max.age.ms</c> or on request, spaced by <c>retry.backoff.ms</c>
/// growing exponentially to <c>retry.backoff.max.ms</c> while they fail.
/// </summary>
public class ClientMetadata
{
    private readonly Lock _lock = new();
    private readonly ExponentialBackoff _refreshBackoff;
    private readonly long _metadataExpireMs;
    private readonly HashSet<string> _topics = new(StringComparer.Ordinal);
    private readonly Dictionary<TopicPartition, int> _lastSeenLeaderEpochs = [];
    private readonly ILogger _log;
    private volatile Cluster _cluster = Cluster.Empty;
    private IReadOnlyList<(string Host, int Port)> _bootstrapAddresses = [];
    private IReadOnlyList<(string Host, int Port)>? _bootstrapServers;
    private TaskCompletionSource _updated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _updateVersion;
    private int _requestVersion;
    private long _lastRefreshMs;
    private long _lastSuccessfulRefreshMs;
    private long _attempts;
    private bool _needFullUpdate;
    private bool _allTopics;
    private bool _closed;

    /// <summary>Creates the metadata holder.</summary>
    /// <param name="refreshBackoffMs"><c>retry.backoff.ms</c>.</param>
    /// <param name="refreshBackoffMaxMs"><c>retry.backoff.max.ms</c>.</param>
    /// <param name="metadataExpireMs"><c>metadata.max.age.ms</c>.</param>
    /// <param name="allTopics">True to fetch every topic (admin, pattern subscriptions); false to fetch only <see cref="Topics"/>.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="random">Jitter source (tests pass a seeded one).</param>
    public ClientMetadata(long refreshBackoffMs, long refreshBackoffMaxMs, long metadataExpireMs, bool allTopics = true, ILogger? logger = null, Random? random = null)
    {
        _refreshBackoff = new ExponentialBackoff(refreshBackoffMs, 2, refreshBackoffMaxMs, 0.2, random);
        _metadataExpireMs = metadataExpireMs;
        _allTopics = allTopics;
        _log = logger ?? NullLogger.Instance;
    }

    /// <summary>The latest snapshot. Never null; <see cref="Cluster.Empty"/> before bootstrap.</summary>
    public Cluster Fetch() => _cluster;

    /// <summary>Incremented on every successful update.</summary>
    public int UpdateVersion
    {
        get { lock (_lock) return _updateVersion; }
    }

    /// <summary>When the last update (successful or not) happened.</summary>
    public long LastRefreshMs
    {
        get { lock (_lock) return _lastRefreshMs; }
    }

    /// <summary>When the last successful update happened.</summary>
    public long LastSuccessfulUpdateMs
    {
        get { lock (_lock) return _lastSuccessfulRefreshMs; }
    }

    /// <summary>Whether requests ask for every topic.</summary>
    public bool NeedMetadataForAllTopics
    {
        get { lock (_lock) return _allTopics; }
        set { lock (_lock) _allTopics = value; }
    }

    /// <summary>
    /// Whether the broker may auto-create requested topics (Metadata v4+; older brokers decide by
    /// their own config). The consumer sets this from <c>allow.auto.create.topics</c>.
    /// </summary>
    public bool AllowAutoTopicCreation { get; set; } = true;

    /// <summary>The topics of interest (used when <see cref="NeedMetadataForAllTopics"/> is false).</summary>
    public IReadOnlyCollection<string> Topics
    {
        get { lock (_lock) return [.. _topics]; }
    }

    /// <summary>The configured bootstrap addresses.</summary>
    public IReadOnlyList<(string Host, int Port)> BootstrapAddresses
    {
        get { lock (_lock) return _bootstrapAddresses; }
    }

    /// <summary>
    /// The <c>bootstrap.servers</c> entries (host names, not yet resolved) the addresses came from,
    /// so a re-bootstrap can resolve them again; null when bootstrapped from addresses only.
    /// </summary>
    public IReadOnlyList<(string Host, int Port)>? BootstrapServerNames
    {
        get { lock (_lock) return _bootstrapServers; }
    }

    /// <summary>
    /// Starts from the bootstrap addresses (one node per resolved address, ids -1, -2, ...) and asks
    /// for a full update at once.
    /// </summary>
    /// <param name="addresses">The resolved addresses.</param>
    /// <param name="servers">The <c>bootstrap.servers</c> entries they were resolved from (see <see cref="BootstrapServerNames"/>).</param>
    public void Bootstrap(IReadOnlyList<(string Host, int Port)> addresses, IReadOnlyList<(string Host, int Port)>? servers = null)
    {
        lock (_lock)
        {
            _bootstrapAddresses = addresses;
            _bootstrapServers = servers;
            _needFullUpdate = true;
            _updateVersion++;
            _cluster = Cluster.Bootstrap(addresses);
        }
    }

    /// <summary>
    /// Falls back to the bootstrap addresses when no known broker can be reached (KIP-899
    /// <c>metadata.recovery.strategy=rebootstrap</c>). Topic state is kept.
    /// </summary>
    /// <param name="addresses">Newly resolved bootstrap addresses; null keeps the current ones.</param>
    public void Rebootstrap(IReadOnlyList<(string Host, int Port)>? addresses = null)
    {
        lock (_lock)
        {
            if (addresses is { Count: > 0 }) _bootstrapAddresses = addresses;
            _log.LogInformation("Rebootstrapping with {Addresses}", string.Join(",", _bootstrapAddresses));
            _cluster = Cluster.Bootstrap(_bootstrapAddresses);
            _needFullUpdate = true;
            _updateVersion++;
        }
    }

    /// <summary>Asks for a full update as soon as the backoff allows; returns the current update version.</summary>
    public int RequestUpdate()
    {
        lock (_lock)
        {
            _needFullUpdate = true;
            return _updateVersion;
        }
    }

    /// <summary>Adds a topic of interest and asks for an update when it is new; returns the current update version.</summary>
    public int RequestUpdateForTopic(string topic)
    {
        lock (_lock)
        {
            if (_topics.Add(topic))
                TopicsChangedLocked();
            return _updateVersion;
        }
    }

    /// <summary>Adds topics of interest (no update requested).</summary>
    public void AddTopics(IEnumerable<string> topics)
    {
        lock (_lock)
        {
            foreach (var t in topics)
            {
                if (_topics.Add(t))
                    TopicsChangedLocked();
            }
        }
    }

    /// <summary>Replaces the topics of interest; asks for an update when a new one appears.</summary>
    public void SetTopics(IEnumerable<string> topics)
    {
        lock (_lock)
        {
            var next = new HashSet<string>(topics, StringComparer.Ordinal);
            if (!next.IsSubsetOf(_topics))
                TopicsChangedLocked();
            _topics.Clear();
            _topics.UnionWith(next);
        }
    }

    /// <summary>True when an update has been requested and not yet done.</summary>
    public bool UpdateRequested()
    {
        lock (_lock) return _needFullUpdate;
    }

    /// <summary>
    /// Milliseconds until the next update is due: 0 when requested (or expired) and the backoff
    /// has passed.
    /// </summary>
    public long TimeToNextUpdate(long nowMs)
    {
        lock (_lock)
        {
            var timeToExpire = _needFullUpdate ? 0 : Math.Max(_lastSuccessfulRefreshMs + _metadataExpireMs - nowMs, 0);
            return Math.Max(timeToExpire, TimeToAllowUpdateLocked(nowMs));
        }
    }

    /// <summary>Milliseconds until the refresh backoff allows another update.</summary>
    public long TimeToAllowUpdate(long nowMs)
    {
        lock (_lock) return TimeToAllowUpdateLocked(nowMs);
    }

    /// <summary>The backoff for the current number of failed attempts (jittered).</summary>
    public long RefreshBackoffMs()
    {
        lock (_lock) return _refreshBackoff.Backoff(_attempts > 0 ? _attempts - 1 : 0);
    }

    /// <summary>
    /// What the next metadata request should ask for: the topics (null = all topics) and the
    /// request version used to tell a response to an older request from a current one.
    /// </summary>
    public MetadataRequestTarget NewMetadataRequestTarget()
    {
        lock (_lock)
        {
            return new MetadataRequestTarget(_allTopics ? null : [.. _topics], _requestVersion, AllowAutoTopicCreation);
        }
    }

    /// <summary>Records a failed update (no response, or an empty one): the backoff grows.</summary>
    public void FailedUpdate(long nowMs)
    {
        lock (_lock)
        {
            _lastRefreshMs = nowMs;
            _attempts++;
        }
    }

    /// <summary>
    /// Applies a metadata response converted to a <see cref="Cluster"/>. Partitions whose leader
    /// epoch is older than one already seen keep their cached entry (a lagging broker answered).
    /// </summary>
    public void Update(int requestVersion, Cluster response, long nowMs)
    {
        TaskCompletionSource waiters;
        lock (_lock)
        {
            if (_closed)
                return;
            _lastRefreshMs = nowMs;
            _lastSuccessfulRefreshMs = nowMs;
            _attempts = 0;
            _updateVersion++;
            // A request sent before the topics of interest last changed cannot satisfy them.
            if (requestVersion == _requestVersion)
                _needFullUpdate = false;
            var previous = _cluster;
            var partitions = new List<PartitionInfo>();
            foreach (var p in response.Partitions)
                partitions.Add(MergePartition(previous, response, p));
            var topics = new List<TopicInfo>();
            foreach (var name in response.Topics)
                topics.Add(response.Topic(name)!);
            var merged = new Cluster(response.ClusterId, response.Nodes, partitions, topics, response.Controller, isBootstrapConfigured: false);
            if (previous.ClusterId is not null && merged.ClusterId is not null && previous.ClusterId != merged.ClusterId)
                _log.LogWarning("Cluster id changed from {OldClusterId} to {NewClusterId}", previous.ClusterId, merged.ClusterId);
            _cluster = merged;
            waiters = _updated;
            _updated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _log.LogDebug("Updated cluster metadata updateVersion {UpdateVersion} to {Cluster}", _updateVersion, merged);
        }
        waiters.TrySetResult();
    }

    /// <summary>Records a leader epoch seen elsewhere (e.g. in a fetch response); true when it is newer.</summary>
    public bool UpdateLastSeenEpochIfNewer(TopicPartition partition, int leaderEpoch)
    {
        lock (_lock)
        {
            if (_lastSeenLeaderEpochs.TryGetValue(partition, out var current) && current >= leaderEpoch)
                return false;
            _lastSeenLeaderEpochs[partition] = leaderEpoch;
            if (_cluster.Partition(partition) is { } info && info.LeaderEpoch < leaderEpoch)
                _needFullUpdate = true;
            return true;
        }
    }

    /// <summary>The newest leader epoch seen for a partition, or null.</summary>
    public int? LastSeenLeaderEpoch(TopicPartition partition)
    {
        lock (_lock) return _lastSeenLeaderEpochs.TryGetValue(partition, out var e) ? e : null;
    }

    /// <summary>Completes when an update newer than <paramref name="lastVersion"/> has been applied.</summary>
    public Task WaitForUpdateAsync(int lastVersion, CancellationToken cancellationToken = default)
    {
        Task task;
        lock (_lock)
        {
            if (_updateVersion > lastVersion)
                return Task.CompletedTask;
            task = _updated.Task;
        }
        return task.WaitAsync(cancellationToken);
    }

    /// <summary>Stops accepting updates.</summary>
    public void Close()
    {
        lock (_lock) _closed = true;
    }

    private void TopicsChangedLocked()
    {
        _requestVersion++;
        _needFullUpdate = true;
    }

    private long TimeToAllowUpdateLocked(long nowMs)
        => Math.Max(_lastRefreshMs + _refreshBackoff.Backoff(_attempts > 0 ? _attempts - 1 : 0) - nowMs, 0);

    private PartitionInfo MergePartition(Cluster previous, Cluster response, PartitionInfo p)
    {
        var tp = p.TopicPartition;
        var newTopicId = response.TopicId(p.Topic);
        var oldTopicId = previous.TopicId(p.Topic);
        if (newTopicId != Guid.Empty && oldTopicId != Guid.Empty && newTopicId != oldTopicId)
        {
            // Recreated topic (KIP-516): its epochs start again.
            _lastSeenLeaderEpochs.Remove(tp);
        }
        if (p.LeaderEpoch < 0)
        {
            // Brokers before Metadata v7 send no epoch; nothing to compare.
            _lastSeenLeaderEpochs.Remove(tp);
            return p;
        }
        if (!_lastSeenLeaderEpochs.TryGetValue(tp, out var current) || p.LeaderEpoch >= current)
        {
            _lastSeenLeaderEpochs[tp] = p.LeaderEpoch;
            return p;
        }
        var cached = previous.Partition(tp);
        _log.LogDebug("Got metadata for an older leader epoch {NewEpoch} than the current leader epoch {CurrentEpoch} for partition {Partition}; using the cached info",
            p.LeaderEpoch, current, tp);
        if (cached is null)
            return p;
        // Keep the cached leader, but point it at the node object of the new snapshot.
        return cached with { Leader = cached.LeaderId >= 0 ? response.NodeById(cached.LeaderId) : null };
    }
}

/// <summary>What a metadata request should ask for.</summary>
/// <param name="Topics">Topic names, or null for every topic.</param>
/// <param name="RequestVersion">Identifies the request for <see cref="ClientMetadata.Update"/>.</param>
/// <param name="AllowAutoTopicCreation">Sent on Metadata v4+.</param>
public sealed record MetadataRequestTarget(IReadOnlyList<string>? Topics, int RequestVersion, bool AllowAutoTopicCreation);
