using System.Globalization;

namespace Samsa.Client.Network;

/// <summary>
/// A broker as the client sees it (Java's Node). Bootstrap addresses get negative ids (-1, -2, ...)
/// until the first metadata response names the real brokers.
/// </summary>
/// <param name="Id">The broker id (negative for bootstrap entries).</param>
/// <param name="Host">Host name or IP literal.</param>
/// <param name="Port">TCP port.</param>
/// <param name="Rack">The broker's rack, when it has one.</param>
public sealed record Node(int Id, string Host, int Port, string? Rack = null)
{
    /// <summary>The placeholder for "no node" (Java's Node.noNode()).</summary>
    public static Node NoNode { get; } = new(-1, "", -1);

    /// <summary>True for <see cref="NoNode"/>-like entries with no address.</summary>
    public bool IsEmpty => string.IsNullOrEmpty(Host) || Port < 0;

    /// <summary>"host:port".</summary>
    public string Address => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}" : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <inheritdoc />
    public override string ToString() => Rack is null ? $"{Address} (id: {Id})" : $"{Address} (id: {Id} rack: {Rack})";
}
