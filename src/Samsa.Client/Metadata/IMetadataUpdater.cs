using Samsa.Client.Network;
using Samsa.Protocol.Errors;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Metadata;

/// <summary>
/// How a <see cref="NetworkClient"/> keeps cluster metadata current (Java's MetadataUpdater). Called
/// only from the client's poll thread.
/// </summary>
public interface IMetadataUpdater
{
    /// <summary>The nodes the client may talk to (for least-loaded choice).</summary>
    IReadOnlyList<Node> FetchNodes();

    /// <summary>True when an update is due and none is in flight (sends then wait for it).</summary>
    bool IsUpdateDue(long nowMs);

    /// <summary>Starts an update when one is due; returns milliseconds until it needs to be called again.</summary>
    long MaybeUpdate(long nowMs);

    /// <summary>A connection to <paramref name="nodeId"/> was lost or could not be made.</summary>
    void HandleServerDisconnect(long nowMs, int nodeId);

    /// <summary>The in-flight metadata request failed (disconnect, timeout, version mismatch).</summary>
    void HandleFailedRequest(long nowMs, KafkaException? error);

    /// <summary>The in-flight metadata request got a response.</summary>
    void HandleSuccessfulResponse(ClientRequest request, long nowMs, IKafkaResponse response);

    /// <summary>The client is closing.</summary>
    void Close();
}
