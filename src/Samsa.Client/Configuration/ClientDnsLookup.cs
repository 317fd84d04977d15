namespace Samsa.Client.Configuration;

/// <summary>How host names are resolved (<c>client.dns.lookup</c>, KIP-235/KIP-302).</summary>
public enum ClientDnsLookup
{
    /// <summary><c>use_all_dns_ips</c> (default): every address a name resolves to is tried in turn.</summary>
    UseAllDnsIps,
    /// <summary>
    /// <c>resolve_canonical_bootstrap_servers_only</c>: bootstrap names are expanded to their canonical names.
    /// Samsa resolves them like <see cref="UseAllDnsIps"/> (no reverse lookup; only relevant with Kerberos).
    /// </summary>
    ResolveCanonicalBootstrapServersOnly,
}
