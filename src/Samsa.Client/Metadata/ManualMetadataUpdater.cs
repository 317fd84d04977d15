using Samsa.Client.Network;
using Samsa.Protocol.Errors;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Metadata;

/// <summary>
/// A fixed node list and no metadata requests (Java's ManualMetadataUpdater): for clients whose
/// owner manages metadata itself, e.g. a connection used only for one coordinator.
/// </summary>
public sealed class ManualMetadataUpdater(IReadOnlyList<Node> nodes) : IMetadataUpdater
{
    private IReadOnlyList<Node> _nodes = nodes;

    /// <summary>Replaces the node list.</summary>
    public void SetNodes(IReadOnlyList<Node> nodes) => _nodes = nodes;

    /// <inheritdoc />
    public IReadOnlyList<Node> FetchNodes() => _nodes;

    /// <inheritdoc />
    public bool IsUpdateDue(long nowMs) => false;

    /// <inheritdoc />
    public long MaybeUpdate(long nowMs) => long.MaxValue;

    /// <inheritdoc />
    public void HandleServerDisconnect(long nowMs, int nodeId) { }

    /// <inheritdoc />
    public void HandleFailedRequest(long nowMs, KafkaException? error) { }

    /// <inheritdoc />
    public void HandleSuccessfulResponse(ClientRequest request, long nowMs, IKafkaResponse response) { }

    /// <inheritdoc />
    public void Close() { }
}
