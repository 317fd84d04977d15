using System.Collections.Concurrent;

namespace Samsa.Client.Network;

/// <summary>
/// The version table of every connected broker (Java's ApiVersions). Written by the network thread
/// when a connection becomes ready, readable from any thread (the producer uses it to pick the
/// record format all brokers accept).
/// </summary>
public sealed class ApiVersions
{
    private readonly ConcurrentDictionary<int, NodeApiVersions> _nodeApiVersions = new();

    /// <summary>Records the versions of a node.</summary>
    public void Update(int nodeId, NodeApiVersions versions) => _nodeApiVersions[nodeId] = versions;

    /// <summary>Forgets a node (its connection closed; it may come back as a different version).</summary>
    public void Remove(int nodeId) => _nodeApiVersions.TryRemove(nodeId, out _);

    /// <summary>The versions of a node, or null when it has not been checked yet.</summary>
    public NodeApiVersions? Get(int nodeId) => _nodeApiVersions.GetValueOrDefault(nodeId);
}
