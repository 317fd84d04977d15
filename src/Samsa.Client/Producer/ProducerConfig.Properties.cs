using System.Globalization;
using Samsa.Protocol.Compression;

namespace Samsa.Client.Producer;

/// <summary>The string face of <see cref="ProducerConfig"/>: Kafka keys parsed and printed through one table.</summary>
public sealed partial class ProducerConfig
{
    private delegate void Apply(ProducerConfig config, string key, string value);

    private delegate string? Print(ProducerConfig config);

    private static readonly (string Key, Apply Apply, Print Print)[] s_keys =
    [
        ("bootstrap.servers", (c, _, v) => c.BootstrapServers = v, c => c.BootstrapServers),
        ("client.id", (c, _, v) => c.ClientId = v, c => c.ClientId),
        ("acks", (c, k, v) => c.Acks = ParseAcks(k, v), c => c.Acks switch { Acks.All => "all", var a => ((short)a).ToString(CultureInfo.InvariantCulture) }),
        ("linger.ms", (c, k, v) => c.Linger = ParseMs(k, v), c => Ms(c.Linger)),
        ("batch.size", (c, k, v) => c.BatchSize = ParseInt(k, v), c => c.BatchSize.ToString(CultureInfo.InvariantCulture)),
        ("buffer.memory", (c, k, v) => c.BufferMemory = ParseLong(k, v), c => c.BufferMemory.ToString(CultureInfo.InvariantCulture)),
        ("max.block.ms", (c, k, v) => c.MaxBlock = ParseMs(k, v), c => Ms(c.MaxBlock)),
        ("compression.type", (c, k, v) => c.CompressionType = ParseCompression(k, v), c => c.CompressionType.ToString().ToLowerInvariant()),
        ("retries", (c, k, v) => c.Retries = ParseInt(k, v), c => c.Retries.ToString(CultureInfo.InvariantCulture)),
        ("retry.backoff.ms", (c, k, v) => c.RetryBackoff = ParseMs(k, v), c => Ms(c.RetryBackoff)),
        ("retry.backoff.max.ms", (c, k, v) => c.RetryBackoffMax = ParseMs(k, v), c => Ms(c.RetryBackoffMax)),
        ("delivery.timeout.ms", (c, k, v) => c.DeliveryTimeout = ParseMs(k, v), c => Ms(c.DeliveryTimeout)),
        ("request.timeout.ms", (c, k, v) => c.RequestTimeout = ParseMs(k, v), c => Ms(c.RequestTimeout)),
        ("max.in.flight.requests.per.connection", (c, k, v) => c.MaxInFlightRequestsPerConnection = ParseInt(k, v), c => c.MaxInFlightRequestsPerConnection.ToString(CultureInfo.InvariantCulture)),
        ("max.request.size", (c, k, v) => c.MaxRequestSize = ParseInt(k, v), c => c.MaxRequestSize.ToString(CultureInfo.InvariantCulture)),
        ("enable.idempotence", (c, k, v) => c.EnableIdempotence = ParseBool(k, v), c => c.EnableIdempotence?.ToString().ToLowerInvariant()),
        ("partitioner.class", (c, k, v) => c.Partitioner = ParsePartitioner(k, v), c => c.Partitioner == PartitionerType.RoundRobin ? "org.apache.kafka.clients.producer.RoundRobinPartitioner" : null),
        ("partitioner.ignore.keys", (c, k, v) => { if (ParseBool(k, v)) c.Partitioner = PartitionerType.UniformSticky; else if (c.Partitioner == PartitionerType.UniformSticky) c.Partitioner = PartitionerType.Default; },
            c => c.Partitioner == PartitionerType.UniformSticky ? "true" : null),
        ("metadata.max.age.ms", (c, k, v) => c.MetadataMaxAge = ParseMs(k, v), c => Ms(c.MetadataMaxAge)),
        ("reconnect.backoff.ms", (c, k, v) => c.ReconnectBackoff = ParseMs(k, v), c => Ms(c.ReconnectBackoff)),
        ("reconnect.backoff.max.ms", (c, k, v) => c.ReconnectBackoffMax = ParseMs(k, v), c => Ms(c.ReconnectBackoffMax)),
    ];

    // Keys of the Java producer that are accepted and kept for the network layer or ignored on purpose.
    private static readonly HashSet<string> s_passThrough = new(StringComparer.Ordinal)
    {
        "security.protocol", "connections.max.idle.ms", "send.buffer.bytes", "receive.buffer.bytes",
        "socket.connection.setup.timeout.ms", "socket.connection.setup.timeout.max.ms", "client.dns.lookup",
        "metadata.max.idle.ms", "partitioner.adaptive.partitioning.enable", "partitioner.availability.timeout.ms",
        "compression.gzip.level", "compression.lz4.level", "compression.zstd.level", "transactional.id",
        "transaction.timeout.ms", "metadata.recovery.strategy", "metadata.recovery.rebootstrap.trigger.ms",
        "enable.metrics.push", "metrics.sample.window.ms", "metrics.num.samples", "metrics.recording.level",
        "sasl.mechanism", "sasl.jaas.config", "sasl.username", "sasl.password", "ssl.ca.location",
        "ssl.endpoint.identification.algorithm", "ssl.truststore.location", "ssl.keystore.location",
    };

    /// <summary>
    /// Builds a config from Kafka property names (<c>linger.ms=5</c>, <c>acks=all</c>, ...). Unknown keys
    /// are rejected; values that do not parse fail with a message naming the key.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown key or a value that does not parse.</exception>
    public static ProducerConfig FromProperties(IEnumerable<KeyValuePair<string, string>> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var config = new ProducerConfig();
        foreach (var (key, value) in properties)
            config.Set(key, value);
        return config;
    }

    /// <summary>Sets one Kafka property.</summary>
    /// <exception cref="ArgumentException">An unknown key or a value that does not parse.</exception>
    public void Set(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        foreach (var entry in s_keys)
        {
            if (entry.Key == key)
            {
                entry.Apply(this, key, value.Trim());
                return;
            }
        }
        if (s_passThrough.Contains(key) || key.StartsWith("ssl.", StringComparison.Ordinal) || key.StartsWith("sasl.", StringComparison.Ordinal))
        {
            AdditionalProperties[key] = value;
            return;
        }
        throw new ArgumentException($"Unknown producer property '{key}'.", key);
    }

    /// <summary>The settings as Kafka properties; <see cref="FromProperties"/> of the result gives an equal config.</summary>
    public IReadOnlyDictionary<string, string> ToProperties()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in s_keys)
        {
            if (entry.Print(this) is { } v)
                result[entry.Key] = v;
        }
        foreach (var (k, v) in AdditionalProperties)
            result[k] = v;
        return result;
    }

    private static string Ms(TimeSpan t) => ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    private static int ParseInt(string key, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw new ArgumentException($"{key} requires an integer value, got '{value}'.", key);

    private static long ParseLong(string key, string value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v : throw new ArgumentException($"{key} requires a long value, got '{value}'.", key);

    private static TimeSpan ParseMs(string key, string value) => TimeSpan.FromMilliseconds(ParseLong(key, value));

    private static bool ParseBool(string key, string value) => value.ToLowerInvariant() switch
    {
        "true" => true,
        "false" => false,
        _ => throw new ArgumentException($"{key} requires true or false, got '{value}'.", key),
    };

    private static Acks ParseAcks(string key, string value) => value.ToLowerInvariant() switch
    {
        "all" or "-1" => Acks.All,
        "1" => Acks.Leader,
        "0" => Acks.None,
        _ => throw new ArgumentException($"acks must be one of 0, 1, all (or -1), got '{value}'.", key),
    };

    private static CompressionType ParseCompression(string key, string value) => value.ToLowerInvariant() switch
    {
        "none" => CompressionType.None,
        "gzip" => CompressionType.Gzip,
        "snappy" => CompressionType.Snappy,
        "lz4" => CompressionType.Lz4,
        "zstd" => CompressionType.Zstd,
        _ => throw new ArgumentException($"compression.type must be one of none, gzip, snappy, lz4, zstd, got '{value}'.", key),
    };

    private static PartitionerType ParsePartitioner(string key, string value) => value switch
    {
        "" or "default" or "murmur2" or "org.apache.kafka.clients.producer.internals.DefaultPartitioner" => PartitionerType.Default,
        "round_robin" or "roundrobin" or "org.apache.kafka.clients.producer.RoundRobinPartitioner" => PartitionerType.RoundRobin,
        "uniform_sticky" or "org.apache.kafka.clients.producer.UniformStickyPartitioner" => PartitionerType.UniformSticky,
        _ => throw new ArgumentException($"partitioner.class '{value}' is not a built-in partitioner (default, round_robin, uniform_sticky); set ProducerConfig.CustomPartitioner for your own.", key),
    };
}
