namespace Samsa.Client.Configuration;

/// <summary>
/// Settings every Samsa client shares (connections, timeouts, metadata). Typed and immutable; the
/// XML doc of each property names its Kafka key and default, which equal Java's. Build from code
/// with an object initialiser, or from Kafka string properties with <see cref="FromProperties"/>.
/// Producer/consumer options derive from this record and extend <see cref="ClientConfigs.Definition"/>.
/// </summary>
public record ClientOptions
{
    /// <summary>Creates options with Java's defaults; <see cref="BootstrapServers"/> must still be set.</summary>
    public ClientOptions() { }

    /// <summary>Creates options from parsed values (the table of a derived options type may hold more keys).</summary>
    protected ClientOptions(ConfigValues values)
    {
        BootstrapServers = string.Join(",", values.GetList(ClientConfigs.BootstrapServers));
        ClientId = values.GetString(ClientConfigs.ClientId) ?? "";
        RequestTimeout = TimeSpan.FromMilliseconds(values.GetInt(ClientConfigs.RequestTimeoutMs));
        ReconnectBackoff = values.GetMillis(ClientConfigs.ReconnectBackoffMs);
        ReconnectBackoffMax = values.GetMillis(ClientConfigs.ReconnectBackoffMaxMs);
        SocketConnectionSetupTimeout = values.GetMillis(ClientConfigs.SocketConnectionSetupTimeoutMs);
        SocketConnectionSetupTimeoutMax = values.GetMillis(ClientConfigs.SocketConnectionSetupTimeoutMaxMs);
        ConnectionsMaxIdle = values.GetMillis(ClientConfigs.ConnectionsMaxIdleMs);
        SendBufferBytes = values.GetInt(ClientConfigs.SendBufferBytes);
        ReceiveBufferBytes = values.GetInt(ClientConfigs.ReceiveBufferBytes);
        MetadataMaxAge = values.GetMillis(ClientConfigs.MetadataMaxAgeMs);
        RetryBackoff = values.GetMillis(ClientConfigs.RetryBackoffMs);
        RetryBackoffMax = values.GetMillis(ClientConfigs.RetryBackoffMaxMs);
        ClientDnsLookup = string.Equals(values.GetString(ClientConfigs.ClientDnsLookupConfig), "use_all_dns_ips", StringComparison.OrdinalIgnoreCase)
            ? ClientDnsLookup.UseAllDnsIps : ClientDnsLookup.ResolveCanonicalBootstrapServersOnly;
        MaxInFlightRequestsPerConnection = values.GetInt(ClientConfigs.MaxInFlightRequestsPerConnection);
        MetadataRecoveryStrategy = string.Equals(values.GetString(ClientConfigs.MetadataRecoveryStrategyConfig), "none", StringComparison.OrdinalIgnoreCase)
            ? MetadataRecoveryStrategy.None : MetadataRecoveryStrategy.Rebootstrap;
    }

    /// <summary><c>bootstrap.servers</c>: comma-separated host:port list (required).</summary>
    public string BootstrapServers { get; init; } = "";

    /// <summary><c>client.id</c> (default empty).</summary>
    public string ClientId { get; init; } = "";

    /// <summary><c>request.timeout.ms</c> (default 30000).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMilliseconds(30000);

    /// <summary><c>reconnect.backoff.ms</c> (default 50).</summary>
    public TimeSpan ReconnectBackoff { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary><c>reconnect.backoff.max.ms</c> (default 1000).</summary>
    public TimeSpan ReconnectBackoffMax { get; init; } = TimeSpan.FromMilliseconds(1000);

    /// <summary><c>socket.connection.setup.timeout.ms</c> (default 10000).</summary>
    public TimeSpan SocketConnectionSetupTimeout { get; init; } = TimeSpan.FromMilliseconds(10000);

    /// <summary><c>socket.connection.setup.timeout.max.ms</c> (default 30000).</summary>
    public TimeSpan SocketConnectionSetupTimeoutMax { get; init; } = TimeSpan.FromMilliseconds(30000);

    /// <summary><c>connections.max.idle.ms</c> (default 540000).</summary>
    public TimeSpan ConnectionsMaxIdle { get; init; } = TimeSpan.FromMilliseconds(540000);

    /// <summary><c>send.buffer.bytes</c> (default 131072; -1 = OS default).</summary>
    public int SendBufferBytes { get; init; } = 131072;

    /// <summary><c>receive.buffer.bytes</c> (default 65536; Java's producer uses 32768; -1 = OS default).</summary>
    public int ReceiveBufferBytes { get; init; } = 65536;

    /// <summary><c>metadata.max.age.ms</c> (default 300000).</summary>
    public TimeSpan MetadataMaxAge { get; init; } = TimeSpan.FromMilliseconds(300000);

    /// <summary><c>retry.backoff.ms</c> (default 100).</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary><c>retry.backoff.max.ms</c> (default 1000).</summary>
    public TimeSpan RetryBackoffMax { get; init; } = TimeSpan.FromMilliseconds(1000);

    /// <summary><c>client.dns.lookup</c> (default use_all_dns_ips).</summary>
    public ClientDnsLookup ClientDnsLookup { get; init; } = ClientDnsLookup.UseAllDnsIps;

    /// <summary><c>max.in.flight.requests.per.connection</c> (default 5).</summary>
    public int MaxInFlightRequestsPerConnection { get; init; } = 5;

    /// <summary><c>metadata.recovery.strategy</c> (default rebootstrap).</summary>
    public MetadataRecoveryStrategy MetadataRecoveryStrategy { get; init; } = MetadataRecoveryStrategy.Rebootstrap;

    /// <summary>Parses Kafka string properties; unknown keys and bad values throw <see cref="ArgumentException"/> naming the key.</summary>
    public static ClientOptions FromProperties(IEnumerable<KeyValuePair<string, string>> properties)
        => new(ClientConfigs.Definition.Parse(properties));

    /// <summary>The options as Kafka string properties (round-trips through <see cref="FromProperties"/>).</summary>
    public virtual Dictionary<string, string> ToProperties()
    {
        var p = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ClientConfigs.BootstrapServers] = BootstrapServers,
            [ClientConfigs.ClientId] = ClientId,
            [ClientConfigs.RequestTimeoutMs] = Ms(RequestTimeout),
            [ClientConfigs.ReconnectBackoffMs] = Ms(ReconnectBackoff),
            [ClientConfigs.ReconnectBackoffMaxMs] = Ms(ReconnectBackoffMax),
            [ClientConfigs.SocketConnectionSetupTimeoutMs] = Ms(SocketConnectionSetupTimeout),
            [ClientConfigs.SocketConnectionSetupTimeoutMaxMs] = Ms(SocketConnectionSetupTimeoutMax),
            [ClientConfigs.ConnectionsMaxIdleMs] = Ms(ConnectionsMaxIdle),
            [ClientConfigs.SendBufferBytes] = ConfigDef.Format(SendBufferBytes, ConfigType.Int),
            [ClientConfigs.ReceiveBufferBytes] = ConfigDef.Format(ReceiveBufferBytes, ConfigType.Int),
            [ClientConfigs.MetadataMaxAgeMs] = Ms(MetadataMaxAge),
            [ClientConfigs.RetryBackoffMs] = Ms(RetryBackoff),
            [ClientConfigs.RetryBackoffMaxMs] = Ms(RetryBackoffMax),
            [ClientConfigs.ClientDnsLookupConfig] = ClientDnsLookup == ClientDnsLookup.UseAllDnsIps ? "use_all_dns_ips" : "resolve_canonical_bootstrap_servers_only",
            [ClientConfigs.MaxInFlightRequestsPerConnection] = ConfigDef.Format(MaxInFlightRequestsPerConnection, ConfigType.Int),
            [ClientConfigs.MetadataRecoveryStrategyConfig] = MetadataRecoveryStrategy == MetadataRecoveryStrategy.None ? "none" : "rebootstrap",
        };
        return p;
    }

    /// <summary>
    /// Checks values set from code (the string path validates while parsing).
    /// </summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the Kafka key.</exception>
    public virtual void Validate()
    {
        if (string.IsNullOrWhiteSpace(BootstrapServers))
            throw new ArgumentException($"{ClientConfigs.BootstrapServers} must list at least one host:port.", nameof(BootstrapServers));
        NonNegative(RequestTimeout, ClientConfigs.RequestTimeoutMs);
        NonNegative(ReconnectBackoff, ClientConfigs.ReconnectBackoffMs);
        NonNegative(ReconnectBackoffMax, ClientConfigs.ReconnectBackoffMaxMs);
        NonNegative(SocketConnectionSetupTimeout, ClientConfigs.SocketConnectionSetupTimeoutMs);
        NonNegative(SocketConnectionSetupTimeoutMax, ClientConfigs.SocketConnectionSetupTimeoutMaxMs);
        NonNegative(MetadataMaxAge, ClientConfigs.MetadataMaxAgeMs);
        NonNegative(RetryBackoff, ClientConfigs.RetryBackoffMs);
        NonNegative(RetryBackoffMax, ClientConfigs.RetryBackoffMaxMs);
        if (SendBufferBytes < -1)
            throw new ArgumentException($"{ClientConfigs.SendBufferBytes} must be at least -1, got {SendBufferBytes}.", nameof(SendBufferBytes));
        if (ReceiveBufferBytes < -1)
            throw new ArgumentException($"{ClientConfigs.ReceiveBufferBytes} must be at least -1, got {ReceiveBufferBytes}.", nameof(ReceiveBufferBytes));
        if (MaxInFlightRequestsPerConnection < 1)
            throw new ArgumentException($"{ClientConfigs.MaxInFlightRequestsPerConnection} must be at least 1, got {MaxInFlightRequestsPerConnection}.", nameof(MaxInFlightRequestsPerConnection));
    }

    /// <summary>Milliseconds as the property string.</summary>
    protected static string Ms(TimeSpan value) => ConfigDef.Format((long)value.TotalMilliseconds, ConfigType.Long);

    private static void NonNegative(TimeSpan value, string key)
    {
        if (value < TimeSpan.Zero)
            throw new ArgumentException($"{key} must be at least 0, got {value.TotalMilliseconds}.", key);
    }
}
