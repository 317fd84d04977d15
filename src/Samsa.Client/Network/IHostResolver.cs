using System.Net;

namespace Samsa.Client.Network;

/// <summary>Resolves a host name to addresses (Java's HostResolver); tests substitute a fake.</summary>
public interface IHostResolver
{
    /// <summary>Every address of <paramref name="host"/>; throws <see cref="System.Net.Sockets.SocketException"/> when it does not resolve.</summary>
    IPAddress[] Resolve(string host);

    /// <summary>
    /// The canonical (reverse-resolved) name of <paramref name="address"/>, or its text when it has none
    /// (Java's InetAddress.getCanonicalHostName, used by <c>resolve_canonical_bootstrap_servers_only</c>).
    /// </summary>
    string CanonicalHostName(IPAddress address)
    {
        try
        {
            var name = Dns.GetHostEntry(address).HostName;
            return string.IsNullOrEmpty(name) ? address.ToString() : name;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return address.ToString();
        }
    }
}

/// <summary>IP literals are used as they are; names go through the system resolver.</summary>
public sealed class DefaultHostResolver : IHostResolver
{
    /// <summary>The shared instance.</summary>
    public static DefaultHostResolver Instance { get; } = new();

    /// <inheritdoc />
    public IPAddress[] Resolve(string host)
    {
        if (IPAddress.TryParse(host, out var ip))
            return [ip];
        // Blocking, like Java's InetAddress.getAllByName on the network thread; the OS caches it.
        return Dns.GetHostAddresses(host);
    }
}
