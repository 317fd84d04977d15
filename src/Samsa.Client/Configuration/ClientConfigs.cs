namespace Samsa.Client.Configuration;

/// <summary>
/// Property names and the definition table shared by every client (Java's CommonClientConfigs).
/// Producer, consumer and admin tables start from <see cref="Definition"/>.
/// </summary>
public static class ClientConfigs
{
#pragma warning disable CS1591 // the names are the documentation
    public const string BootstrapServers = "bootstrap.servers";
    public const string ClientId = "client.id";
    public const string RequestTimeoutMs = "request.timeout.ms";
    public const string ReconnectBackoffMs = "reconnect.backoff.ms";
    public const string ReconnectBackoffMaxMs = "reconnect.backoff.max.ms";
    public const string SocketConnectionSetupTimeoutMs = "socket.connection.setup.timeout.ms";
    public const string SocketConnectionSetupTimeoutMaxMs = "socket.connection.setup.timeout.max.ms";
    public const string ConnectionsMaxIdleMs = "connections.max.idle.ms";
    public const string SendBufferBytes = "send.buffer.bytes";
    public const string ReceiveBufferBytes = "receive.buffer.bytes";
    public const string MetadataMaxAgeMs = "metadata.max.age.ms";
    public const string RetryBackoffMs = "retry.backoff.ms";
    public const string RetryBackoffMaxMs = "retry.backoff.max.ms";
    public const string ClientDnsLookupConfig = "client.dns.lookup";
    public const string MaxInFlightRequestsPerConnection = "max.in.flight.requests.per.connection";
    public const string MetadataRecoveryStrategyConfig = "metadata.recovery.strategy";
    public const string SecurityProtocol = "security.protocol";
#pragma warning restore CS1591

    /// <summary>The common keys with Java's defaults.</summary>
    public static ConfigDef Definition { get; } = Build();

    private static ConfigDef Build()
    {
        var d = new ConfigDef();
        d.Define(new ConfigKey(BootstrapServers, ConfigType.List, null,
            "host:port pairs used to establish the initial connection to the cluster", ConfigValidators.NonEmptyList()) { Required = true });
        d.Define(ClientId, ConfigType.String, "", "an id string sent with every request, for server-side logging and quotas");
        d.Define(RequestTimeoutMs, ConfigType.Int, 30000, "how long to wait for a response before failing the request and closing the connection", ConfigValidators.AtLeast(0));
        d.Define(ReconnectBackoffMs, ConfigType.Long, 50L, "base wait before reconnecting to a broker", ConfigValidators.AtLeast(0));
        d.Define(ReconnectBackoffMaxMs, ConfigType.Long, 1000L, "maximum reconnect wait; the wait doubles per failure (+-20% jitter) up to this", ConfigValidators.AtLeast(0));
        d.Define(SocketConnectionSetupTimeoutMs, ConfigType.Long, 10000L, "how long a connection attempt may take", ConfigValidators.AtLeast(0));
        d.Define(SocketConnectionSetupTimeoutMaxMs, ConfigType.Long, 30000L, "maximum connection setup timeout after repeated failures", ConfigValidators.AtLeast(0));
        d.Define(ConnectionsMaxIdleMs, ConfigType.Long, 540000L, "close connections idle for this long");
        d.Define(SendBufferBytes, ConfigType.Int, 131072, "TCP send buffer (SO_SNDBUF); -1 uses the OS default", ConfigValidators.AtLeast(-1));
        d.Define(ReceiveBufferBytes, ConfigType.Int, 65536, "TCP receive buffer (SO_RCVBUF); -1 uses the OS default", ConfigValidators.AtLeast(-1));
        d.Define(MetadataMaxAgeMs, ConfigType.Long, 300000L, "refresh metadata at least this often", ConfigValidators.AtLeast(0));
        d.Define(RetryBackoffMs, ConfigType.Long, 100L, "base wait before retrying a failed request", ConfigValidators.AtLeast(0));
        d.Define(RetryBackoffMaxMs, ConfigType.Long, 1000L, "maximum retry wait; grows exponentially with jitter up to this", ConfigValidators.AtLeast(0));
        d.Define(ClientDnsLookupConfig, ConfigType.String, "use_all_dns_ips", "how host names are resolved",
            ConfigValidators.OneOf("use_all_dns_ips", "resolve_canonical_bootstrap_servers_only"));
        d.Define(MaxInFlightRequestsPerConnection, ConfigType.Int, 5, "requests sent on one connection without a response yet", ConfigValidators.AtLeast(1));
        d.Define(MetadataRecoveryStrategyConfig, ConfigType.String, "rebootstrap", "what to do when no known broker is reachable",
            ConfigValidators.OneOf("rebootstrap", "none"));
        d.Define(SecurityProtocol, ConfigType.String, "PLAINTEXT", "protocol used to talk to brokers (only PLAINTEXT so far)",
            ConfigValidators.OneOf("PLAINTEXT"));
        return d;
    }
}
