using Samsa.Client.Admin.Handlers;
using Samsa.Client.Consumer;
using Samsa.Client.Metadata;

namespace Samsa.Client.Admin;

/// <summary>
/// Manages topics and inspects groups and offsets (Java's Admin). Each operation is one handler
/// that routes its requests where Kafka wants them (the controller, any broker, the group
/// coordinator or the partition leaders), negotiates versions per broker, retries retriable errors
/// until <see cref="AdminOptions.DefaultApiTimeout"/>, and fails with a
/// <see cref="Samsa.Protocol.Errors.KafkaException"/> whose message names what failed and why.
/// Thread-safe.
/// </summary>
public sealed class AdminClient : IAsyncDisposable, IDisposable
{
    private readonly AdminContext _context;
    private int _disposed;

    /// <summary>Creates an admin client; connections open on first use.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public AdminClient(AdminOptions options, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var time = timeProvider ?? TimeProvider.System;
        _context = new AdminContext(DriverAdminRequestSender.Create(options, loggerFactory, time), options, time);
    }

    internal AdminClient(IAdminRequestSender sender, AdminOptions options, TimeProvider? timeProvider = null)
    {
        _context = new AdminContext(sender, options, timeProvider ?? TimeProvider.System);
    }

    /// <summary>Options in use.</summary>
    public AdminOptions Options => _context.Options;

    /// <summary>
    /// Brokers, controller and topics; <paramref name="topics"/> null means every topic. Never creates
    /// topics; a named topic that does not exist fails the call at once (UnknownTopicOrPartition).
    /// </summary>
    public Task<ClusterMetadata> DescribeMetadataAsync(IReadOnlyCollection<string>? topics = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return MetadataHandler.RunAsync(_context, topics, cancellationToken, unknownTopicIsFinal: true);
    }

    /// <summary>Cluster id, controller and brokers (DescribeCluster, or Metadata on brokers without it).</summary>
    public Task<ClusterDescription> DescribeClusterAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return DescribeClusterHandler.RunAsync(_context, cancellationToken);
    }

    /// <summary>Topic names, ordered; internal topics only when asked for.</summary>
    public async Task<IReadOnlyList<string>> ListTopicsAsync(bool includeInternal = false, CancellationToken cancellationToken = default)
    {
        var metadata = await DescribeMetadataAsync(null, cancellationToken).ConfigureAwait(false);
        var names = new List<string>(metadata.Topics.Count);
        foreach (var t in metadata.Topics)
        {
            if (includeInternal || !t.IsInternal)
                names.Add(t.Name);
        }
        return names;
    }

    /// <summary>
    /// Partitions, leaders and replicas of the given topics. A topic that does not exist fails the
    /// call at once (<see cref="Samsa.Protocol.ErrorCode.UnknownTopicOrPartition"/>), not after retries.
    /// </summary>
    /// <exception cref="Samsa.Protocol.Errors.KafkaException">A topic does not exist (UnknownTopicOrPartition).</exception>
    public async Task<IReadOnlyList<TopicDescription>> DescribeTopicsAsync(IReadOnlyCollection<string> topics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var metadata = await DescribeMetadataAsync(topics, cancellationToken).ConfigureAwait(false);
        return metadata.Topics;
    }

    /// <summary>
    /// Describes topics with a Metadata request that lets the broker auto-create them, exactly what
    /// a producer's first send would trigger: the CLI uses it to tell "missing, and the cluster will
    /// create it" from "missing for good" before producing.
    /// </summary>
    internal async Task<IReadOnlyList<TopicDescription>> DescribeTopicsCreatingAsync(IReadOnlyCollection<string> topics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topics);
        ThrowIfDisposed();
        var metadata = await MetadataHandler.RunAsync(_context, topics, cancellationToken, allowAutoTopicCreation: true, unknownTopicIsFinal: true).ConfigureAwait(false);
        return metadata.Topics;
    }

    /// <summary>Creates topics through the controller. All-or-report: every topic is tried, failures are thrown together.</summary>
    public Task CreateTopicsAsync(IReadOnlyList<NewTopic> topics, bool validateOnly = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topics);
        ThrowIfDisposed();
        return CreateTopicsHandler.RunAsync(_context, topics, validateOnly, cancellationToken);
    }

    /// <summary>Deletes topics through the controller.</summary>
    public Task DeleteTopicsAsync(IReadOnlyCollection<string> topics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topics);
        ThrowIfDisposed();
        return DeleteTopicsHandler.RunAsync(_context, topics, cancellationToken);
    }

    /// <summary>Raises topics' partition counts to the given totals (CreatePartitions).</summary>
    public Task CreatePartitionsAsync(IReadOnlyDictionary<string, int> newTotalCounts, bool validateOnly = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(newTotalCounts);
        ThrowIfDisposed();
        return CreatePartitionsHandler.RunAsync(_context, newTotalCounts, validateOnly, cancellationToken);
    }

    /// <summary>Every group of every broker (ListGroups to each broker), ordered by id.</summary>
    public Task<IReadOnlyList<GroupListing>> ListGroupsAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return ListGroupsHandler.RunAsync(_context, cancellationToken);
    }

    /// <summary>State, protocol and members (with decoded assignments) of each group, from its coordinator.</summary>
    public Task<IReadOnlyList<GroupDescription>> DescribeGroupsAsync(IReadOnlyList<string> groupIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(groupIds);
        ThrowIfDisposed();
        return DescribeGroupsHandler.RunAsync(_context, groupIds, cancellationToken);
    }

    /// <summary>
    /// A group's committed offsets (OffsetFetch to its coordinator); partitions with nothing committed
    /// are left out. <paramref name="partitions"/> null means every committed partition.
    /// </summary>
    public Task<IReadOnlyDictionary<TopicPartition, OffsetAndMetadata>> ListConsumerGroupOffsetsAsync(string groupId,
        IReadOnlyCollection<TopicPartition>? partitions = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        ThrowIfDisposed();
        return OffsetFetchHandler.RunAsync(_context, groupId, partitions, cancellationToken);
    }

    /// <summary>Earliest, latest or by-timestamp offsets of partitions (ListOffsets to each leader).</summary>
    public Task<IReadOnlyDictionary<TopicPartition, ListOffsetsResultInfo>> ListOffsetsAsync(
        IReadOnlyDictionary<TopicPartition, OffsetSpec> partitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ThrowIfDisposed();
        return ListOffsetsHandler.RunAsync(_context, partitions, cancellationToken);
    }

    /// <summary>Closes the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            await _context.Sender.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Closes the connections.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
