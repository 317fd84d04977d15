using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Client.Configuration;
using Samsa.Client.Consumer.Groups;
using Samsa.Client.Metadata;
using Samsa.Client.Network;
using Samsa.Client.Producer;
using Samsa.Client.Serialization;
using Samsa.Protocol.Records;

namespace Samsa.Client.Consumer;

/// <summary>
/// A Kafka consumer (Java's KafkaConsumer, seed 003): poll loop over a <see cref="Fetcher"/>, a
/// <see cref="ConsumerNetworkClient"/> and, with a group.id, a group coordinator with its own
/// connection and heartbeat thread. Not thread-safe: one thread at a time (calls from a second
/// thread while one is running fail with <see cref="InvalidOperationException"/>); only
/// <see cref="Wakeup"/> may be called from anywhere.
/// </summary>
/// <typeparam name="TKey">Key type.</typeparam>
/// <typeparam name="TValue">Value type.</typeparam>
public sealed partial class KafkaConsumer<TKey, TValue> : IDisposable
{
    const long NoCurrentThread = -1;

    readonly ConsumerConfig _config;
    readonly IDeserializer<TKey> _keyDeserializer;
    readonly IDeserializer<TValue> _valueDeserializer;
    readonly ILogger _logger;
    readonly TimeProvider _time;
    readonly SubscriptionState _subscriptions;
    readonly ClientMetadata _metadata;
    readonly NetworkClient _networkClient;
    readonly ConsumerNetworkClient _client;
    readonly NetworkClient? _coordinatorNetworkClient;
    readonly ConsumerNetworkClient? _coordinatorClient;
    readonly ConsumerCoordinator? _coordinator;
    readonly Fetcher _fetcher;
    readonly OffsetFetcher _offsetFetcher;
    readonly ConsumerMetrics _metrics;
    readonly RecordCollector _collector;
    // Reused by every Consume/Poll call (one thread at a time): Consume() allocates only its result.
    readonly List<ConsumeResult<TKey, TValue>> _single = new(1);
    readonly List<ConsumeResult<TKey, TValue>> _batch = [];
    readonly ConsumerTimer _callTimer;
    readonly Func<bool> _noFetchesAvailable;
    int _positionsValidAtVersion = -1;
    long _currentThread = NoCurrentThread;
    int _refCount;
    volatile bool _closed;

    /// <summary>Creates a consumer.</summary>
    /// <param name="config">Settings; validated here.</param>
    /// <param name="keyDeserializer">Turns key bytes into <typeparamref name="TKey"/>.</param>
    /// <param name="valueDeserializer">Turns value bytes into <typeparamref name="TValue"/>.</param>
    /// <param name="loggerFactory">Logging; none when null.</param>
    /// <param name="time">Clock; the system clock when null.</param>
    /// <exception cref="ArgumentException">A setting is invalid (the message names its Kafka key).</exception>
    public KafkaConsumer(ConsumerConfig config, IDeserializer<TKey> keyDeserializer, IDeserializer<TValue> valueDeserializer,
        ILoggerFactory? loggerFactory = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(keyDeserializer);
        ArgumentNullException.ThrowIfNull(valueDeserializer);
        config.Validate();
        if (config.ClientId.Length == 0) config = config with { ClientId = (config.GroupId is null ? "consumer-" : "consumer-" + config.GroupId + "-") + Interlocked.Increment(ref s_clientIds) };
        _config = config;
        _keyDeserializer = keyDeserializer;
        _valueDeserializer = valueDeserializer;
        _time = time ?? TimeProvider.System;
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger("Samsa.Client.Consumer.KafkaConsumer");
        _metrics = new ConsumerMetrics(config.ClientId);
        _subscriptions = new SubscriptionState(config.AutoOffsetReset);
        var options = config.ToClientOptions();
        _metadata = NetworkClient.CreateMetadata(options, loggerFactory, allTopics: true);
        _metadata.AllowAutoTopicCreation = config.AllowAutoCreateTopics;
        _networkClient = NetworkClient.Create(options, _metadata, loggerFactory, _time, maxInFlightRequestsPerConnection: 100,
            logPrefix: $"[Consumer clientId={config.ClientId}, groupId={config.GroupId}] ");
        _client = new ConsumerNetworkClient(_networkClient, _metadata, _time, _logger, (long)config.RetryBackoff.TotalMilliseconds, (int)config.RequestTimeout.TotalMilliseconds);
        _fetcher = new Fetcher(config, _subscriptions, _client, _metadata, _metrics, _logger);
        _offsetFetcher = new OffsetFetcher(config, _subscriptions, _client, _metadata, _logger, _time);
        _collector = new RecordCollector(this);
        _callTimer = new ConsumerTimer(_time, 0);
        _noFetchesAvailable = () => !_fetcher.HasAvailableFetches;
        if (config.GroupId is not null)
        {
            var nodes = new ManualMetadataUpdater([]);
            _coordinatorNetworkClient = new NetworkClient(new Selector((long)options.ConnectionsMaxIdle.TotalMilliseconds, _time, _logger),
                null, options, _time, loggerFactory, nodes, logPrefix: $"[Consumer clientId={config.ClientId}, groupId={config.GroupId} coordinator] ");
            _coordinatorClient = new ConsumerNetworkClient(_coordinatorNetworkClient, _metadata, _time, _logger,
                (long)config.RetryBackoff.TotalMilliseconds, (int)config.RequestTimeout.TotalMilliseconds);
            _coordinator = new ConsumerCoordinator(config, _subscriptions, _metadata, _coordinatorClient, nodes, _fetcher, _metrics,
                _logger, _time, () => _networkClient.Wakeup());
        }
        _logger.LogInformation("Consumer {ClientId} created for group {Group}", config.ClientId, config.GroupId);
    }

    /// <summary>Creates a consumer from Kafka properties (e.g. <c>group.id</c>, <c>auto.offset.reset</c>).</summary>
    public KafkaConsumer(IEnumerable<KeyValuePair<string, string>> properties, IDeserializer<TKey> keyDeserializer, IDeserializer<TValue> valueDeserializer,
        ILoggerFactory? loggerFactory = null, TimeProvider? time = null)
        : this(ConsumerConfig.FromProperties(properties), keyDeserializer, valueDeserializer, loggerFactory, time)
    {
    }

    static int s_clientIds;

    /// <summary>The settings in use.</summary>
    public ConsumerConfig Config => _config;

    /// <summary>The partitions currently assigned (by the group or by <see cref="Assign"/>).</summary>
    public IReadOnlyCollection<TopicPartition> Assignment
    {
        get
        {
            Acquire();
            try
            {
                return _subscriptions.AssignedPartitions();
            }
            finally
            {
                Release();
            }
        }
    }

    /// <summary>The subscribed topics (for a pattern: the topics it currently matches).</summary>
    public IReadOnlyCollection<string> Subscription
    {
        get
        {
            Acquire();
            try
            {
                return _subscriptions.HasAutoAssignedPartitions ? _subscriptions.Subscription : [];
            }
            finally
            {
                Release();
            }
        }
    }

    /// <summary>The group member id, once joined; null without a group.</summary>
    public string? MemberId => _coordinator?.MemberId;

    // ---- subscription ----

    /// <summary>Subscribes to topics; partitions are assigned by the group (requires group.id).</summary>
    /// <param name="topics">Topic names.</param>
    /// <param name="listener">Rebalance callbacks, run on the consuming thread.</param>
    public void Subscribe(IEnumerable<string> topics, IConsumerRebalanceListener? listener = null)
    {
        Acquire();
        try
        {
            RequireGroup("Subscribe");
            var list = topics.ToList();
            if (list.Count == 0)
            {
                UnsubscribeInternal();
                return;
            }
            _coordinator!.SetListener(listener);
            _subscriptions.Subscribe(list);
            _coordinator.OnSubscriptionChanged();
        }
        finally
        {
            Release();
        }
    }

    /// <summary>Subscribes to every topic matching <paramref name="pattern"/>, re-checked on metadata updates.</summary>
    public void Subscribe(Regex pattern, IConsumerRebalanceListener? listener = null)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        Acquire();
        try
        {
            RequireGroup("Subscribe");
            _coordinator!.SetListener(listener);
            _subscriptions.Subscribe(pattern);
            _coordinator.OnSubscriptionChanged();
        }
        finally
        {
            Release();
        }
    }

    /// <summary>Drops the subscription or assignment; a group member revokes its partitions and leaves the group.</summary>
    public void Unsubscribe()
    {
        Acquire();
        try
        {
            UnsubscribeInternal();
        }
        finally
        {
            Release();
        }
    }

    void UnsubscribeInternal()
    {
        try
        {
            if (_coordinator is not null && _subscriptions.HasAutoAssignedPartitions)
                _coordinator.LeaveGroupOnUnsubscribe(new ConsumerTimer(_time, (long)_config.DefaultApiTimeout.TotalMilliseconds));
        }
        finally
        {
            // Also when the revoke callback threw: the consumer has left the group either way.
            _subscriptions.Unsubscribe();
            _fetcher.ClearBufferedDataForUnassignedPartitions();
        }
    }

    /// <summary>Assigns partitions manually (no group rebalancing; commits still use group.id when set).</summary>
    public void Assign(IEnumerable<TopicPartition> partitions)
    {
        Acquire();
        try
        {
            var list = partitions.ToList();
            if (list.Count == 0)
            {
                UnsubscribeInternal();
                return;
            }
            foreach (var tp in list)
            {
                if (string.IsNullOrWhiteSpace(tp.Topic)) throw new ArgumentException("Topic names must not be empty.", nameof(partitions));
            }
            if (_config.EnableAutoCommit && _coordinator is not null)
                _coordinator.CommitOffsetsAsync(_subscriptions.AllConsumed(), null);
            _subscriptions.AssignFromUser(list);
            _fetcher.ClearBufferedDataForUnassignedPartitions();
            _metadata.RequestUpdate();
        }
        finally
        {
            Release();
        }
    }

    void RequireGroup(string what)
    {
        if (_coordinator is null)
            throw new InvalidOperationException($"{what} requires group.id to be set; use Assign for a consumer without a group.");
    }

    // ---- guard (Java's acquireAndEnsureOpen) ----

    void Acquire()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        var id = Environment.CurrentManagedThreadId;
        if (Interlocked.Read(ref _currentThread) != id && Interlocked.CompareExchange(ref _currentThread, id, NoCurrentThread) != NoCurrentThread)
        {
            throw new InvalidOperationException(
                "KafkaConsumer is not safe for multi-threaded access: another thread is using it right now. " +
                "Use one consumer per thread, or call only Wakeup() from other threads.");
        }
        _refCount++;
    }

    void Release()
    {
        if (--_refCount == 0) Interlocked.Exchange(ref _currentThread, NoCurrentThread);
    }

    /// <summary>
    /// Makes a blocking call (Consume, Commit, Committed...) running on another thread return by
    /// throwing <see cref="ConsumerWakeupException"/>; if none is running, the next one does. Thread-safe.
    /// </summary>
    public void Wakeup()
    {
        _client.Wakeup();
        _coordinatorClient?.Wakeup();
    }
}
