using System.Globalization;

namespace Samsa.Client.Admin;

/// <summary>
/// Settings of an <see cref="AdminClient"/>. Each property's doc names its Kafka key and default
/// (Java's defaults). Build with an object initialiser or from Kafka properties with
/// <see cref="FromProperties"/>.
/// </summary>
public sealed record AdminOptions
{
    /// <summary><c>bootstrap.servers</c>: comma-separated host:port list (required).</summary>
    public string BootstrapServers { get; init; } = "";

    /// <summary><c>client.id</c> (default <c>samsa-admin</c>).</summary>
    public string ClientId { get; init; } = "samsa-admin";

    /// <summary><c>request.timeout.ms</c>: bound for one request (default 30000).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMilliseconds(30000);

    /// <summary><c>default.api.timeout.ms</c>: bound for a whole operation, retries included (default 60000).</summary>
    public TimeSpan DefaultApiTimeout { get; init; } = TimeSpan.FromMilliseconds(60000);

    /// <summary><c>retry.backoff.ms</c> (default 100).</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary><c>retry.backoff.max.ms</c> (default 1000).</summary>
    public TimeSpan RetryBackoffMax { get; init; } = TimeSpan.FromMilliseconds(1000);

    /// <summary>Further network-layer properties (e.g. <c>socket.connection.setup.timeout.ms</c>), passed on as given.</summary>
    public IReadOnlyDictionary<string, string> NetworkProperties { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Builds options from Kafka property names. Keys the admin client itself uses are parsed here;
    /// the others are handed to the network layer, which rejects the ones it does not know.
    /// </summary>
    /// <exception cref="ArgumentException">A value does not parse; the message names the key.</exception>
    public static AdminOptions FromProperties(IEnumerable<KeyValuePair<string, string>> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var o = new AdminOptions();
        var network = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, raw) in properties)
        {
            var value = raw.Trim();
            o = key switch
            {
                "bootstrap.servers" => o with { BootstrapServers = value },
                "client.id" => o with { ClientId = value },
                "request.timeout.ms" => o with { RequestTimeout = Millis(key, value) },
                "default.api.timeout.ms" => o with { DefaultApiTimeout = Millis(key, value) },
                "retry.backoff.ms" => o with { RetryBackoff = Millis(key, value) },
                "retry.backoff.max.ms" => o with { RetryBackoffMax = Millis(key, value) },
                _ => o,
            };
            network[key] = raw;
        }
        return o with { NetworkProperties = network };
    }

    /// <summary>Checks the options once, before the client starts.</summary>
    /// <exception cref="ArgumentException">A setting is missing or out of range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(BootstrapServers))
            throw new ArgumentException("bootstrap.servers must list at least one host:port", nameof(BootstrapServers));
        if (RequestTimeout <= TimeSpan.Zero)
            throw new ArgumentException("request.timeout.ms must be positive", nameof(RequestTimeout));
        if (DefaultApiTimeout <= TimeSpan.Zero)
            throw new ArgumentException("default.api.timeout.ms must be positive", nameof(DefaultApiTimeout));
    }

    private static TimeSpan Millis(string key, string value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= int.MaxValue
            ? TimeSpan.FromMilliseconds(ms)
            : throw new ArgumentException($"{key} requires a non-negative integer (milliseconds), got '{value}'", key);
}
