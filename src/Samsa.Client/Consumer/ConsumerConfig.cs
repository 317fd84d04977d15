using System.Globalization;
using Samsa.Client.Configuration;

namespace Samsa.Client.Consumer;

/// <summary>Where a consumer starts when it has no committed offset or its offset is out of range.</summary>
public enum AutoOffsetReset
{
    /// <summary><c>latest</c>: start at the log end offset (Java's default).</summary>
    Latest,

    /// <summary><c>earliest</c>: start at the log start offset.</summary>
    Earliest,

    /// <summary><c>none</c>: fail with an error naming the partition.</summary>
    None,
}

/// <summary>Which records a fetch may return (Kafka's isolation.level).</summary>
public enum IsolationLevel : sbyte
{
    /// <summary><c>read_uncommitted</c>: every record up to the high watermark.</summary>
    ReadUncommitted = 0,

    /// <summary><c>read_committed</c>: only committed transactional records, up to the last stable offset.</summary>
    ReadCommitted = 1,
}

/// <summary>
/// Consumer settings. Property names are .NET's; each one's doc names the Kafka key and its default,
/// which equal the Java client's so Kafka's documentation applies. Build from strings with
/// <see cref="FromProperties"/>; <see cref="Validate"/> runs when a consumer is created.
/// </summary>
public sealed record ConsumerConfig
{
    /// <summary><c>bootstrap.servers</c>: comma-separated host:port list. Required.</summary>
    public string BootstrapServers { get; init; } = "";

    /// <summary><c>client.id</c>: sent to brokers and used in logs. Default empty.</summary>
    public string ClientId { get; init; } = "";

    /// <summary><c>group.id</c>: the consumer group. Default null (no group: only Assign works, no commits).</summary>
    public string? GroupId { get; init; }

    /// <summary><c>group.instance.id</c>: static membership id (KIP-345). Default null (dynamic member).</summary>
    public string? GroupInstanceId { get; init; }

    /// <summary><c>auto.offset.reset</c>: latest, earliest or none. Default latest.</summary>
    public AutoOffsetReset AutoOffsetReset { get; init; } = AutoOffsetReset.Latest;

    /// <summary><c>enable.auto.commit</c>: commit consumed positions periodically and on close. Default true.</summary>
    public bool EnableAutoCommit { get; init; } = true;

    /// <summary><c>auto.commit.interval.ms</c>. Default 5000 ms.</summary>
    public TimeSpan AutoCommitInterval { get; init; } = TimeSpan.FromMilliseconds(5000);

    /// <summary><c>fetch.min.bytes</c>: bytes a broker waits for before answering a fetch. Default 1.</summary>
    public int FetchMinBytes { get; init; } = 1;

    /// <summary><c>fetch.max.bytes</c>: most bytes one fetch response may carry. Default 52428800.</summary>
    public int FetchMaxBytes { get; init; } = 52428800;

    /// <summary><c>fetch.max.wait.ms</c>: longest a broker holds a fetch waiting for fetch.min.bytes. Default 500 ms.</summary>
    public TimeSpan FetchMaxWait { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary><c>max.partition.fetch.bytes</c>: most bytes per partition per fetch. Default 1048576.</summary>
    public int MaxPartitionFetchBytes { get; init; } = 1048576;

    /// <summary><c>max.poll.records</c>: most records one batch poll returns. Default 500.</summary>
    public int MaxPollRecords { get; init; } = 500;

    /// <summary><c>max.poll.interval.ms</c>: longest gap between polls before the member leaves its group. Default 300000 ms.</summary>
    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromMilliseconds(300000);

    /// <summary><c>session.timeout.ms</c>: the coordinator evicts a member whose heartbeats stop this long. Default 45000 ms.</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromMilliseconds(45000);

    /// <summary><c>heartbeat.interval.ms</c>: time between heartbeats. Default 3000 ms.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(3000);

    /// <summary><c>isolation.level</c>: read_uncommitted or read_committed. Default read_uncommitted.</summary>
    public IsolationLevel IsolationLevel { get; init; } = IsolationLevel.ReadUncommitted;

    /// <summary>
    /// <c>partition.assignment.strategy</c>: assignor names in preference order, from
    /// <c>range</c>, <c>roundrobin</c>, <c>cooperative-sticky</c> (Java class names are accepted too).
    /// Default <c>range,cooperative-sticky</c>, as Java 3.x.
    /// </summary>
    public IReadOnlyList<string> PartitionAssignmentStrategy { get; init; } = ["range", "cooperative-sticky"];

    /// <summary><c>check.crcs</c>: verify record batch CRCs. Default true.</summary>
    public bool CheckCrcs { get; init; } = true;

    /// <summary><c>request.timeout.ms</c>. Default 30000 ms.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMilliseconds(30000);

    /// <summary><c>default.api.timeout.ms</c>: timeout of blocking calls that take none (Commit, Committed, Position...). Default 60000 ms.</summary>
    public TimeSpan DefaultApiTimeout { get; init; } = TimeSpan.FromMilliseconds(60000);

    /// <summary><c>retry.backoff.ms</c>. Default 100 ms.</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary><c>metadata.max.age.ms</c>: metadata is refreshed at least this often. Default 300000 ms.</summary>
    public TimeSpan MetadataMaxAge { get; init; } = TimeSpan.FromMilliseconds(300000);

    /// <summary><c>client.rack</c>: rack id sent in fetches and subscriptions. Default empty.</summary>
    public string ClientRack { get; init; } = "";

    /// <summary><c>exclude.internal.topics</c>: a regex subscription never matches internal topics. Default true.</summary>
    public bool ExcludeInternalTopics { get; init; } = true;

    /// <summary><c>allow.auto.create.topics</c>: metadata requests may auto-create subscribed topics. Default true.</summary>
    public bool AllowAutoCreateTopics { get; init; } = true;

    /// <summary>
    /// Connection settings shared with other clients (reconnect back-off, socket buffers, ...). Its
    /// bootstrap.servers, client.id, request.timeout.ms, retry.backoff.ms and metadata.max.age.ms are
    /// replaced by this record's values.
    /// </summary>
    public ClientOptions Connection { get; init; } = new();

    internal ClientOptions ToClientOptions() => Connection with
    {
        BootstrapServers = BootstrapServers,
        ClientId = ClientId,
        RequestTimeout = RequestTimeout,
        RetryBackoff = RetryBackoff,
        MetadataMaxAge = MetadataMaxAge,
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid property (by its Kafka key).</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(BootstrapServers))
            throw Invalid("bootstrap.servers", BootstrapServers, "is required (host:port[,host:port...])");
        if (GroupId is { Length: 0 })
            throw Invalid("group.id", GroupId, "must not be empty; leave it unset for a consumer without a group");
        if (GroupInstanceId is not null && (GroupInstanceId.Length == 0 || GroupId is null))
            throw Invalid("group.instance.id", GroupInstanceId, GroupId is null ? "requires group.id" : "must not be empty");
        Positive("auto.commit.interval.ms", AutoCommitInterval);
        if (FetchMinBytes < 0) throw Invalid("fetch.min.bytes", FetchMinBytes, "must be >= 0");
        if (FetchMaxBytes < 0) throw Invalid("fetch.max.bytes", FetchMaxBytes, "must be >= 0");
        if (FetchMaxWait < TimeSpan.Zero || FetchMaxWait.TotalMilliseconds > int.MaxValue)
            throw Invalid("fetch.max.wait.ms", (long)FetchMaxWait.TotalMilliseconds, "must be between 0 and 2147483647");
        if (MaxPartitionFetchBytes < 0) throw Invalid("max.partition.fetch.bytes", MaxPartitionFetchBytes, "must be >= 0");
        if (MaxPollRecords < 1) throw Invalid("max.poll.records", MaxPollRecords, "must be >= 1");
        Positive("max.poll.interval.ms", MaxPollInterval);
        Positive("session.timeout.ms", SessionTimeout);
        Positive("heartbeat.interval.ms", HeartbeatInterval);
        if (GroupId is not null && HeartbeatInterval >= SessionTimeout)
            throw Invalid("heartbeat.interval.ms", (long)HeartbeatInterval.TotalMilliseconds,
                $"must be lower than session.timeout.ms ({(long)SessionTimeout.TotalMilliseconds})");
        Positive("request.timeout.ms", RequestTimeout);
        Positive("default.api.timeout.ms", DefaultApiTimeout);
        if (RetryBackoff < TimeSpan.Zero) throw Invalid("retry.backoff.ms", (long)RetryBackoff.TotalMilliseconds, "must be >= 0");
        if (PartitionAssignmentStrategy.Count == 0)
            throw Invalid("partition.assignment.strategy", "", "must name at least one assignor");
        foreach (var name in PartitionAssignmentStrategy)
        {
            if (Assignors.PartitionAssignors.Create(name) is null)
                throw Invalid("partition.assignment.strategy", name, "names an unknown assignor (known: range, roundrobin, cooperative-sticky)");
        }
    }

    static void Positive(string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero || value.TotalMilliseconds > int.MaxValue)
            throw Invalid(key, (long)value.TotalMilliseconds, "must be between 1 and 2147483647");
    }

    static ArgumentException Invalid(string key, object value, string why) =>
        new($"Invalid value '{value}' for consumer configuration {key}: {why}.", key);

    /// <summary>
    /// Builds a configuration from Kafka property names, e.g. <c>fetch.max.wait.ms=100</c>.
    /// Unknown keys and unparsable values throw <see cref="ArgumentException"/> naming the key.
    /// </summary>
    public static ConsumerConfig FromProperties(IEnumerable<KeyValuePair<string, string>> properties)
    {
        var config = new ConsumerConfig();
        foreach (var (key, value) in properties)
        {
            if (!Keys.TryGetValue(key, out var def))
                throw new ArgumentException($"Unknown consumer configuration '{key}'.", nameof(properties));
            config = def.Apply(config, value.Trim());
        }
        return config;
    }

    /// <summary>Every setting as Kafka property names and string values; round-trips through <see cref="FromProperties"/>.</summary>
    public IReadOnlyDictionary<string, string> ToProperties()
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, def) in Keys)
        {
            if (def.Get(this) is { } value)
                result[key] = value;
        }
        return result;
    }

    sealed record Def(Func<ConsumerConfig, string, ConsumerConfig> Apply, Func<ConsumerConfig, string?> Get);

    static readonly Dictionary<string, Def> Keys = new(StringComparer.Ordinal)
    {
        ["bootstrap.servers"] = new((c, v) => c with { BootstrapServers = v }, c => c.BootstrapServers),
        ["client.id"] = new((c, v) => c with { ClientId = v }, c => c.ClientId),
        ["group.id"] = new((c, v) => c with { GroupId = v.Length == 0 ? null : v }, c => c.GroupId),
        ["group.instance.id"] = new((c, v) => c with { GroupInstanceId = v.Length == 0 ? null : v }, c => c.GroupInstanceId),
        ["auto.offset.reset"] = new((c, v) => c with { AutoOffsetReset = ParseReset(v) }, c => c.AutoOffsetReset.ToString().ToLowerInvariant()),
        ["enable.auto.commit"] = new((c, v) => c with { EnableAutoCommit = ParseBool("enable.auto.commit", v) }, c => Bool(c.EnableAutoCommit)),
        ["auto.commit.interval.ms"] = new((c, v) => c with { AutoCommitInterval = ParseMs("auto.commit.interval.ms", v) }, c => Ms(c.AutoCommitInterval)),
        ["fetch.min.bytes"] = new((c, v) => c with { FetchMinBytes = ParseInt("fetch.min.bytes", v) }, c => Int(c.FetchMinBytes)),
        ["fetch.max.bytes"] = new((c, v) => c with { FetchMaxBytes = ParseInt("fetch.max.bytes", v) }, c => Int(c.FetchMaxBytes)),
        ["fetch.max.wait.ms"] = new((c, v) => c with { FetchMaxWait = ParseMs("fetch.max.wait.ms", v) }, c => Ms(c.FetchMaxWait)),
        ["max.partition.fetch.bytes"] = new((c, v) => c with { MaxPartitionFetchBytes = ParseInt("max.partition.fetch.bytes", v) }, c => Int(c.MaxPartitionFetchBytes)),
        ["max.poll.records"] = new((c, v) => c with { MaxPollRecords = ParseInt("max.poll.records", v) }, c => Int(c.MaxPollRecords)),
        ["max.poll.interval.ms"] = new((c, v) => c with { MaxPollInterval = ParseMs("max.poll.interval.ms", v) }, c => Ms(c.MaxPollInterval)),
        ["session.timeout.ms"] = new((c, v) => c with { SessionTimeout = ParseMs("session.timeout.ms", v) }, c => Ms(c.SessionTimeout)),
        ["heartbeat.interval.ms"] = new((c, v) => c with { HeartbeatInterval = ParseMs("heartbeat.interval.ms", v) }, c => Ms(c.HeartbeatInterval)),
        ["isolation.level"] = new((c, v) => c with { IsolationLevel = ParseIsolation(v) },
            c => c.IsolationLevel == IsolationLevel.ReadCommitted ? "read_committed" : "read_uncommitted"),
        ["partition.assignment.strategy"] = new((c, v) => c with { PartitionAssignmentStrategy = ParseList(v) },
            c => string.Join(',', c.PartitionAssignmentStrategy)),
        ["check.crcs"] = new((c, v) => c with { CheckCrcs = ParseBool("check.crcs", v) }, c => Bool(c.CheckCrcs)),
        ["request.timeout.ms"] = new((c, v) => c with { RequestTimeout = ParseMs("request.timeout.ms", v) }, c => Ms(c.RequestTimeout)),
        ["default.api.timeout.ms"] = new((c, v) => c with { DefaultApiTimeout = ParseMs("default.api.timeout.ms", v) }, c => Ms(c.DefaultApiTimeout)),
        ["retry.backoff.ms"] = new((c, v) => c with { RetryBackoff = ParseMs("retry.backoff.ms", v) }, c => Ms(c.RetryBackoff)),
        ["metadata.max.age.ms"] = new((c, v) => c with { MetadataMaxAge = ParseMs("metadata.max.age.ms", v) }, c => Ms(c.MetadataMaxAge)),
        ["client.rack"] = new((c, v) => c with { ClientRack = v }, c => c.ClientRack),
        ["exclude.internal.topics"] = new((c, v) => c with { ExcludeInternalTopics = ParseBool("exclude.internal.topics", v) }, c => Bool(c.ExcludeInternalTopics)),
        ["allow.auto.create.topics"] = new((c, v) => c with { AllowAutoCreateTopics = ParseBool("allow.auto.create.topics", v) }, c => Bool(c.AllowAutoCreateTopics)),
    };

    static string Bool(bool b) => b ? "true" : "false";
    static string Int(int i) => i.ToString(CultureInfo.InvariantCulture);
    static string Ms(TimeSpan t) => ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    static bool ParseBool(string key, string v) => v.ToLowerInvariant() switch
    {
        "true" => true,
        "false" => false,
        _ => throw new ArgumentException($"Consumer configuration {key} requires true or false, got '{v}'.", key),
    };

    static int ParseInt(string key, string v) =>
        int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i)
            ? i
            : throw new ArgumentException($"Consumer configuration {key} requires an integer value, got '{v}'.", key);

    static TimeSpan ParseMs(string key, string v) =>
        long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms)
            ? TimeSpan.FromMilliseconds(ms)
            : throw new ArgumentException($"Consumer configuration {key} requires an integer number of milliseconds, got '{v}'.", key);

    static AutoOffsetReset ParseReset(string v) => v.ToLowerInvariant() switch
    {
        "latest" or "largest" => AutoOffsetReset.Latest,
        "earliest" or "smallest" => AutoOffsetReset.Earliest,
        "none" or "error" => AutoOffsetReset.None,
        _ => throw new ArgumentException($"Consumer configuration auto.offset.reset must be latest, earliest or none, got '{v}'.", "auto.offset.reset"),
    };

    static IsolationLevel ParseIsolation(string v) => v.ToLowerInvariant() switch
    {
        "read_uncommitted" => IsolationLevel.ReadUncommitted,
        "read_committed" => IsolationLevel.ReadCommitted,
        _ => throw new ArgumentException($"Consumer configuration isolation.level must be read_uncommitted or read_committed, got '{v}'.", "isolation.level"),
    };

    static string[] ParseList(string v)
    {
        var parts = v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts;
    }
}
