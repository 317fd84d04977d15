namespace Samsa.Client.Network;

/// <summary>The result of <see cref="NetworkClient.LeastLoadedNode"/>.</summary>
/// <param name="Node">The chosen node, or null when none can be used now.</param>
/// <param name="AtLeastOneConnectionReady">True when some node has a ready connection (even if busy).</param>
public readonly record struct LeastLoadedNode(Node? Node, bool AtLeastOneConnectionReady)
{
    /// <summary>True when there is a node to use or a ready connection to wait for.</summary>
    public bool HasNodeAvailableOrConnectionReady => Node is not null || AtLeastOneConnectionReady;
}
