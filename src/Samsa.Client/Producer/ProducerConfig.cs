using System.Globalization;
using Samsa.Protocol.Compression;

namespace Samsa.Client.Producer;

/// <summary>
/// Producer settings. Every property has the Java client's Kafka key (named in its doc) and default, so
/// the Kafka documentation applies as is. Settings are checked once, when the producer is built;
/// contradictory settings throw <see cref="ArgumentException"/> naming the property.
/// </summary>
public sealed partial class ProducerConfig
{
    /// <summary><c>bootstrap.servers</c>: comma-separated host:port list used for the first metadata request. Required.</summary>
    public string BootstrapServers { get; set; } = "";

    /// <summary><c>client.id</c>: name sent to brokers and used in the thread name, logs and metrics. Default: "producer-N".</summary>
    public string? ClientId { get; set; }

    /// <summary><c>acks</c>: acknowledgements required (0, 1, all). Default: all.</summary>
    public Acks Acks { get; set; } = Acks.All;

    /// <summary><c>linger.ms</c>: how long to wait for more records before sending a batch that is not full. Default: 5 ms.</summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary><c>batch.size</c>: bytes of records per partition batch. Default: 16384.</summary>
    public int BatchSize { get; set; } = 16384;

    /// <summary><c>buffer.memory</c>: bytes of records the producer may hold while waiting to send them. Default: 33554432.</summary>
    public long BufferMemory { get; set; } = 33554432;

    /// <summary><c>max.block.ms</c>: how long producing may wait for buffer space or metadata. Default: 60000 ms.</summary>
    public TimeSpan MaxBlock { get; set; } = TimeSpan.FromMilliseconds(60000);

    /// <summary><c>compression.type</c>: none, gzip, snappy, lz4, zstd. Default: none.</summary>
    public CompressionType CompressionType { get; set; } = CompressionType.None;

    /// <summary><c>retries</c>: how often a failed batch is retried (within <see cref="DeliveryTimeout"/>). Default: int.MaxValue.</summary>
    public int Retries { get; set; } = int.MaxValue;

    /// <summary><c>retry.backoff.ms</c>: wait before retrying a failed request. Default: 100 ms.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary><c>retry.backoff.max.ms</c>: the cap of the exponential retry back-off. Default: 1000 ms.</summary>
    public TimeSpan RetryBackoffMax { get; set; } = TimeSpan.FromMilliseconds(1000);

    /// <summary><c>delivery.timeout.ms</c>: upper bound from produce call to success or failure. Default: 120000 ms.</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromMilliseconds(120000);

    /// <summary><c>request.timeout.ms</c>: how long to wait for a broker's response. Default: 30000 ms.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMilliseconds(30000);

    /// <summary><c>max.in.flight.requests.per.connection</c>: unacknowledged requests per broker. Default: 5 (at most 5 with idempotence).</summary>
    public int MaxInFlightRequestsPerConnection { get; set; } = 5;

    /// <summary><c>max.request.size</c>: the largest produce request, and so the largest record. Default: 1048576.</summary>
    public int MaxRequestSize { get; set; } = 1048576;

    /// <summary>
    /// <c>enable.idempotence</c>: producer id and sequence numbers so retries neither duplicate nor
    /// reorder records. Null (the default) means on, unless acks, retries or in-flight settings rule it
    /// out, as in the Java client; true forces it and makes those settings an error.
    /// </summary>
    public bool? EnableIdempotence { get; set; }

    /// <summary><c>partitioner.class</c> (built-in choices) / <c>partitioner.ignore.keys</c>. Default: <see cref="PartitionerType.Default"/>.</summary>
    public PartitionerType Partitioner { get; set; } = PartitionerType.Default;

    /// <summary>A user partitioner; takes precedence over <see cref="Partitioner"/>. Not settable from properties.</summary>
    public Partitioners.IPartitioner? CustomPartitioner { get; set; }

    /// <summary><c>metadata.max.age.ms</c>: refresh metadata at least this often. Default: 300000 ms.</summary>
    public TimeSpan MetadataMaxAge { get; set; } = TimeSpan.FromMilliseconds(300000);

    /// <summary><c>reconnect.backoff.ms</c>: wait before reconnecting to a broker. Default: 50 ms.</summary>
    public TimeSpan ReconnectBackoff { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary><c>reconnect.backoff.max.ms</c>: cap of the reconnect back-off. Default: 1000 ms.</summary>
    public TimeSpan ReconnectBackoffMax { get; set; } = TimeSpan.FromMilliseconds(1000);

    /// <summary>How long <c>Dispose</c>/<c>DisposeAsync</c> wait to send what is buffered (Java's close() without argument waits forever; ours 30 s). Not a Kafka key.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Keys set through <see cref="FromProperties"/> that this class does not interpret itself (passed on to the network layer).</summary>
    public IDictionary<string, string> AdditionalProperties { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>True when idempotence is on after applying the Java client's rules.</summary>
    public bool IdempotenceEnabled => EnableIdempotence ?? (Acks == Acks.All && Retries > 0 && MaxInFlightRequestsPerConnection <= 5);

    /// <summary>
    /// Checks the settings the way the Java client's ProducerConfig does. Called when a producer is built.
    /// </summary>
    /// <exception cref="ArgumentException">A setting is out of range or contradicts another; the message names the Kafka key.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(BootstrapServers))
            throw Invalid("bootstrap.servers", "bootstrap.servers must list at least one host:port.");
        if (BatchSize < 0) throw Invalid("batch.size", $"batch.size must be >= 0, got {BatchSize}.");
        if (BufferMemory <= 0) throw Invalid("buffer.memory", $"buffer.memory must be > 0, got {BufferMemory}.");
        if (MaxRequestSize <= 0) throw Invalid("max.request.size", $"max.request.size must be > 0, got {MaxRequestSize}.");
        if (MaxInFlightRequestsPerConnection < 1)
            throw Invalid("max.in.flight.requests.per.connection", $"max.in.flight.requests.per.connection must be >= 1, got {MaxInFlightRequestsPerConnection}.");
        if (Retries < 0) throw Invalid("retries", $"retries must be >= 0, got {Retries}.");
        NonNegative(Linger, "linger.ms");
        NonNegative(MaxBlock, "max.block.ms");
        NonNegative(RetryBackoff, "retry.backoff.ms");
        NonNegative(RetryBackoffMax, "retry.backoff.max.ms");
        NonNegative(DeliveryTimeout, "delivery.timeout.ms");
        NonNegative(RequestTimeout, "request.timeout.ms");
        NonNegative(MetadataMaxAge, "metadata.max.age.ms");
        if (!Enum.IsDefined(CompressionType)) throw Invalid("compression.type", $"compression.type {CompressionType} is not one of none, gzip, snappy, lz4, zstd.");
        if (!Enum.IsDefined(Acks)) throw Invalid("acks", $"acks must be 0, 1 or all, got {(short)Acks}.");
        if (DeliveryTimeout < Linger + RequestTimeout)
            throw Invalid("delivery.timeout.ms",
                $"delivery.timeout.ms ({DeliveryTimeout.TotalMilliseconds:0}) should be equal to or larger than linger.ms ({Linger.TotalMilliseconds:0}) + request.timeout.ms ({RequestTimeout.TotalMilliseconds:0}).");
        if (EnableIdempotence == true)
        {
            if (Acks != Acks.All)
                throw Invalid("acks", "Must set acks to all in order to use the idempotent producer (enable.idempotence=true). Otherwise we cannot guarantee idempotence.");
            if (Retries == 0)
                throw Invalid("retries", "Must set retries to non-zero when using the idempotent producer (enable.idempotence=true).");
            if (MaxInFlightRequestsPerConnection > 5)
                throw Invalid("max.in.flight.requests.per.connection",
                    $"Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer (enable.idempotence=true), got {MaxInFlightRequestsPerConnection}.");
        }
        if (AdditionalProperties.TryGetValue("transactional.id", out var tid) && !string.IsNullOrEmpty(tid))
            throw Invalid("transactional.id", "transactional.id is not supported yet: Samsa's producer is idempotent but not transactional.");
    }

    /// <summary>The client id to use: <see cref="ClientId"/> or a generated "producer-N".</summary>
    internal string EffectiveClientId => string.IsNullOrEmpty(ClientId) ? _generatedClientId ??= "producer-" + Interlocked.Increment(ref s_clientSequence).ToString(CultureInfo.InvariantCulture) : ClientId;

    private static int s_clientSequence;
    private string? _generatedClientId;

    private static void NonNegative(TimeSpan value, string key)
    {
        if (value < TimeSpan.Zero) throw Invalid(key, $"{key} must be >= 0, got {value.TotalMilliseconds}.");
    }

    private static ArgumentException Invalid(string key, string message) => new(message, key);
}
