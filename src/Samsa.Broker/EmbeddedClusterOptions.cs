using Microsoft.Extensions.Logging;
using Samsa.Protocol;

namespace Samsa.Broker;

/// <summary>
/// Settings of an <see cref="EmbeddedCluster"/>. Defaults give one in-memory broker on an
/// ephemeral loopback port that auto-creates single-partition topics.
/// </summary>
public sealed record EmbeddedClusterOptions
{
    /// <summary>Number of brokers (ids 1..N). Default 1.</summary>
    public int Brokers { get; init; } = 1;

    /// <summary>Port of the first broker; the others use the following ports. 0 (default) picks ephemeral ports.</summary>
    public int Port { get; init; }

    /// <summary>Topics created at start, as "name" or "name:partitions" (or "name:partitions:replicationFactor").</summary>
    public IReadOnlyList<string> Topics { get; init; } = [];

    /// <summary>When set, logs, topics and committed offsets are kept in this directory and survive a restart.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Create unknown topics on Metadata/Produce (Kafka's auto.create.topics.enable). Default true.</summary>
    public bool AutoCreateTopics { get; init; } = true;

    /// <summary>Partitions of auto-created topics (Kafka's num.partitions). Default 1.</summary>
    public int DefaultPartitions { get; init; } = 1;

    /// <summary>Replication factor of auto-created topics; 0 (default) means min(3, Brokers).</summary>
    public int DefaultReplicationFactor { get; init; }

    /// <summary>The cluster id reported in Metadata and DescribeCluster.</summary>
    public string ClusterId { get; init; } = "samsa-embedded-cluster";

    /// <summary>Logger for connection, fault and protocol events; null logs nothing.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>Clock for group sessions, rebalances and transaction timeouts. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// Version emulation: cap the advertised range of these APIs (an API mapped to -1 is not
    /// advertised at all). Requests above the cap are refused like an older broker would.
    /// </summary>
    public IReadOnlyDictionary<ApiKey, short>? MaxApiVersions { get; init; }

    /// <summary>Version emulation by Kafka release: "2.8" or "3.0" advertise what that release did. Null serves everything supported.</summary>
    public string? EmulateKafkaVersion { get; init; }

    /// <summary>Kafka's group.min.session.timeout.ms. Default 6 s.</summary>
    public TimeSpan GroupMinSessionTimeout { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>Kafka's group.max.session.timeout.ms. Default 30 min.</summary>
    public TimeSpan GroupMaxSessionTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Kafka's group.initial.rebalance.delay.ms. Default 0 here (3 s in Kafka) so tests are quick.</summary>
    public TimeSpan GroupInitialRebalanceDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Kafka's max.incremental.fetch.session.cache.slots. Default 1000; 0 disables fetch sessions.</summary>
    public int FetchSessionCacheSize { get; init; } = 1000;

    /// <summary>Kafka's message.max.bytes: the largest record batch accepted. Default 1 MiB + overhead.</summary>
    public int MaxMessageBytes { get; init; } = 1_048_588;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Brokers is < 1 or > 64)
        {
            throw new ArgumentException($"Brokers must be between 1 and 64, was {Brokers}.", nameof(Brokers));
        }
        if (Port is < 0 or > 65535)
        {
            throw new ArgumentException($"Port must be between 0 and 65535, was {Port}.", nameof(Port));
        }
        if (DefaultPartitions < 1)
        {
            throw new ArgumentException($"DefaultPartitions must be at least 1, was {DefaultPartitions}.", nameof(DefaultPartitions));
        }
        if (DefaultReplicationFactor < 0 || DefaultReplicationFactor > Brokers)
        {
            throw new ArgumentException($"DefaultReplicationFactor must be between 0 and Brokers ({Brokers}), was {DefaultReplicationFactor}.", nameof(DefaultReplicationFactor));
        }
        if (EmulateKafkaVersion is not null && KafkaVersions.MaxVersionsFor(EmulateKafkaVersion) is null)
        {
            throw new ArgumentException($"EmulateKafkaVersion '{EmulateKafkaVersion}' is not known; use one of: {string.Join(", ", KafkaVersions.Known)}.", nameof(EmulateKafkaVersion));
        }
        foreach (var topic in Topics)
        {
            _ = ParseTopic(topic);
        }
    }

    internal static (string Name, int Partitions, int ReplicationFactor) ParseTopic(string spec)
    {
        var parts = spec.Split(':');
        if (parts.Length > 3 || parts[0].Length == 0)
        {
            throw new ArgumentException($"Topic '{spec}' must look like name, name:partitions or name:partitions:replicationFactor.", nameof(Topics));
        }
        int partitions = 1;
        int replication = 0;
        if (parts.Length > 1 && (!int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out partitions) || partitions < 1))
        {
            throw new ArgumentException($"Topic '{spec}' has an invalid partition count '{parts[1]}'.", nameof(Topics));
        }
        if (parts.Length > 2 && (!int.TryParse(parts[2], System.Globalization.CultureInfo.InvariantCulture, out replication) || replication < 1))
        {
            throw new ArgumentException($"Topic '{spec}' has an invalid replication factor '{parts[2]}'.", nameof(Topics));
        }
        return (parts[0], partitions, replication);
    }
}
