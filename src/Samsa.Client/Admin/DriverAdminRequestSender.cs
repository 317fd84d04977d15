using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Samsa.Client.Configuration;
using Samsa.Client.Network;
using Samsa.Protocol;
using Samsa.Protocol.Errors;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Admin;

/// <summary>
/// The admin client's requests on the shared network layer: one <see cref="NetworkClient"/> run by
/// a <see cref="NetworkClientDriver"/> thread. Handlers shape a request for the version they will
/// be sent at, so each broker's ranges are learnt first (an ApiVersions request, once per broker)
/// and the request is then pinned to that one version.
/// </summary>
internal sealed class DriverAdminRequestSender : IAdminRequestSender
{
    // Keys the admin client reads itself; the rest go to the network layer, which rejects unknown ones.
    private static readonly HashSet<string> AdminOnlyKeys = new(StringComparer.Ordinal) { "default.api.timeout.ms" };

    private readonly NetworkClientDriver _driver;
    private readonly ConcurrentDictionary<int, Dictionary<ApiKey, (short Min, short Max)>> _versions = new();
    private Dictionary<ApiKey, (short Min, short Max)>? _anyVersions;

    private DriverAdminRequestSender(NetworkClientDriver driver) => _driver = driver;

    /// <exception cref="ArgumentException">A network property is unknown or invalid (the message names it).</exception>
    public static DriverAdminRequestSender Create(AdminOptions options, ILoggerFactory? loggerFactory, TimeProvider time)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in options.NetworkProperties)
        {
            if (!AdminOnlyKeys.Contains(k))
                properties[k] = v;
        }
        properties[ClientConfigs.BootstrapServers] = options.BootstrapServers;
        properties[ClientConfigs.ClientId] = options.ClientId;
        properties[ClientConfigs.RequestTimeoutMs] = ((long)options.RequestTimeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var clientOptions = ClientOptions.FromProperties(properties);
        var client = NetworkClient.Create(clientOptions, loggerFactory: loggerFactory, time: time,
            logPrefix: $"[AdminClient clientId={options.ClientId}] ");
        return new DriverAdminRequestSender(new NetworkClientDriver(client, loggerFactory, "samsa-admin-network-thread | " + options.ClientId));
    }

    public async Task<TResponse> SendAsync<TRequest, TResponse>(BrokerDescription? node, Func<short, TRequest> build, CancellationToken cancellationToken)
        where TRequest : IKafkaRequest<TRequest, TResponse>
        where TResponse : class, IKafkaResponse<TResponse>
    {
        var target = node is null ? null : new Node(node.Id, node.Host, node.Port, node.Rack);
        var versions = await VersionsAsync(target, cancellationToken).ConfigureAwait(false);
        var api = TRequest.Key;
        var where = target is null ? "the broker" : $"broker {target.Address}";
        if (!versions.TryGetValue(api, out var range))
            throw new KafkaException(ErrorCode.UnsupportedVersion, $"{api}: {where} does not support this API");
        var version = (short)Math.Min(TRequest.HighestVersion, BrokerVersionQuirks.CapVersion(api, range.Max));
        if (version < Math.Max(TRequest.LowestVersion, range.Min))
        {
            throw new KafkaException(ErrorCode.UnsupportedVersion,
                $"{api}: no common version with {where} (Samsa {TRequest.LowestVersion}-{TRequest.HighestVersion}, broker {range.Min}-{range.Max})");
        }
        var request = build(version);
        return target is null
            ? await _driver.SendToAnyAsync<TRequest, TResponse>(request, null, version, version, cancellationToken).ConfigureAwait(false)
            : await _driver.SendAsync<TRequest, TResponse>(target, request, null, version, version, cancellationToken).ConfigureAwait(false);
    }

    public (short Min, short Max)? BrokerVersions(BrokerDescription? node, ApiKey api)
    {
        var table = node is null ? Volatile.Read(ref _anyVersions) : _versions.GetValueOrDefault(node.Id);
        if (table is null)
            return null;
        return table.TryGetValue(api, out var r) ? r : ((short)-1, (short)-1);
    }

    private async Task<Dictionary<ApiKey, (short Min, short Max)>> VersionsAsync(Node? target, CancellationToken ct)
    {
        if (target is null && Volatile.Read(ref _anyVersions) is { } any)
            return any;
        if (target is not null && _versions.TryGetValue(target.Id, out var known))
            return known;
        var probe = new ApiVersionsRequest { ClientSoftwareName = "samsa", ClientSoftwareVersion = NetworkClient.ClientSoftwareVersion };
        var response = target is null
            ? await _driver.SendToAnyAsync<ApiVersionsRequest, ApiVersionsResponse>(probe, cancellationToken: ct).ConfigureAwait(false)
            : await _driver.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(target, probe, cancellationToken: ct).ConfigureAwait(false);
        var table = new Dictionary<ApiKey, (short Min, short Max)>();
        foreach (var k in response.ApiKeys)
            table[(ApiKey)k.ApiKey] = (k.MinVersion, k.MaxVersion);
        if (target is null)
            Volatile.Write(ref _anyVersions, table);
        else
            _versions[target.Id] = table;
        return table;
    }

    public ValueTask DisposeAsync() => _driver.DisposeAsync();
}
