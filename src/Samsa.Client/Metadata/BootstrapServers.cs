using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Samsa.Client.Configuration;
using Samsa.Client.Network;

namespace Samsa.Client.Metadata;

/// <summary>Parses and resolves <c>bootstrap.servers</c> (Java's ClientUtils.parseAndValidateAddresses).</summary>
public static class BootstrapServers
{
    /// <summary>Splits "host:port,[v6]:port" into pairs.</summary>
    /// <exception cref="ArgumentException">An entry is not host:port with a valid port.</exception>
    public static IReadOnlyList<(string Host, int Port)> Parse(string servers)
    {
        var result = new List<(string, int)>();
        foreach (var raw in servers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = raw.LastIndexOf(':');
            if (colon <= 0 || colon == raw.Length - 1
                || !int.TryParse(raw.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                || port is < 1 or > 65535)
            {
                throw new ArgumentException($"Invalid url in {ClientConfigs.BootstrapServers}: '{raw}' (expected host:port)", ClientConfigs.BootstrapServers);
            }
            var host = raw[..colon];
            if (host.StartsWith('[') && host.EndsWith(']'))
                host = host[1..^1];
            result.Add((host, port));
        }
        if (result.Count == 0)
            throw new ArgumentException($"{ClientConfigs.BootstrapServers} must list at least one host:port", ClientConfigs.BootstrapServers);
        return result;
    }

    /// <summary>
    /// Resolves every entry to all of its addresses, so each address becomes a bootstrap node of its
    /// own and a dead one does not hide a live one. With <c>use_all_dns_ips</c> the node is the
    /// address; with <c>resolve_canonical_bootstrap_servers_only</c> it is the address's canonical
    /// name (a DNS alias becomes the brokers' real names, which Kerberos principals need), as in
    /// Java's ClientUtils. Names that do not resolve are skipped with a warning.
    /// </summary>
    /// <exception cref="ArgumentException">No entry resolves.</exception>
    public static IReadOnlyList<(string Host, int Port)> Resolve(
        IReadOnlyList<(string Host, int Port)> servers, ClientDnsLookup lookup, IHostResolver? resolver = null, ILogger? logger = null)
    {
        var result = ResolveEach(servers, lookup, resolver, logger, out _);
        if (result.Count == 0)
            throw new ArgumentException($"No resolvable bootstrap urls given in {ClientConfigs.BootstrapServers}", ClientConfigs.BootstrapServers);
        return result;
    }

    /// <summary>
    /// <see cref="Resolve"/> without the all-failed check: the addresses of the names that resolve
    /// (possibly none); <paramref name="anyFailed"/> tells whether some name did not.
    /// </summary>
    internal static List<(string Host, int Port)> ResolveEach(
        IReadOnlyList<(string Host, int Port)> servers, ClientDnsLookup lookup, IHostResolver? resolver, ILogger? logger, out bool anyFailed)
    {
        resolver ??= DefaultHostResolver.Instance;
        var canonical = lookup == ClientDnsLookup.ResolveCanonicalBootstrapServersOnly;
        var result = new List<(string, int)>();
        anyFailed = false;
        foreach (var (host, port) in servers)
        {
            try
            {
                foreach (var address in resolver.Resolve(host))
                    result.Add((canonical ? resolver.CanonicalHostName(address) : address.ToString(), port));
            }
            catch (SocketException e)
            {
                anyFailed = true;
                logger?.LogWarning("Couldn't resolve server {Host}:{Port} from {Config} as DNS resolution failed: {Error}", host, port, ClientConfigs.BootstrapServers, e.Message);
            }
        }
        return result;
    }
}
