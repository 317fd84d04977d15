using Samsa.Client.Metadata;
using Samsa.Protocol;

namespace Samsa.Client.Producer;

/// <summary>
/// The part of the NetworkClient (ready/send/poll) the sender uses, expressed in producer terms so the
/// sender's decisions can be tested with a fake network. Used from the sender thread only, except
/// <see cref="Wakeup"/>, <see cref="Cluster"/>, <see cref="AddTopic"/> and <see cref="RequestMetadataUpdate"/>.
/// </summary>
internal interface IProducerNetworkClient : IDisposable
{
    /// <summary>The current metadata snapshot; a new object after every change.</summary>
    IProducerCluster Cluster { get; }

    /// <summary>Makes metadata requests include <paramref name="topic"/>.</summary>
    void AddTopic(string topic);

    /// <summary>Asks for a metadata refresh at the next poll.</summary>
    void RequestMetadataUpdate();

    /// <summary>Starts connecting when needed; true when a request can be sent to the node now.</summary>
    bool Ready(int nodeId, long nowMs);

    /// <summary>How long until the node may be ready (reconnect back-off), for the poll timeout.</summary>
    long PollDelayMs(int nodeId, long nowMs);

    /// <summary>Requests sent to <paramref name="nodeId"/> and not answered yet.</summary>
    int InFlightRequestCount(int nodeId);

    /// <summary>Requests sent to any node and not answered yet.</summary>
    int InFlightRequestCount();

    /// <summary>A connected (or connectable) node with the fewest requests in flight, or -1.</summary>
    int LeastLoadedNode(long nowMs);

    /// <summary>Sends a produce request with <paramref name="batches"/> (closed batches, one per partition).</summary>
    /// <remarks>With acks=0 the response comes back from <see cref="Poll"/> as soon as the request was written.</remarks>
    void SendProduce(int nodeId, short acks, int timeoutMs, IReadOnlyList<ProducerBatch> batches, long nowMs);

    /// <summary>Sends InitProducerId (idempotent producer: no transactional id).</summary>
    void SendInitProducerId(int nodeId, long producerId, short producerEpoch, long nowMs);

    /// <summary>Does I/O for up to <paramref name="timeoutMs"/> and returns the completed requests.</summary>
    IReadOnlyList<ProducerClientResponse> Poll(long timeoutMs, long nowMs);

    /// <summary>Interrupts a blocking <see cref="Poll"/> (thread-safe).</summary>
    void Wakeup();
}

/// <summary>Which request a <see cref="ProducerClientResponse"/> answers.</summary>
internal enum ProducerRequestKind
{
    Produce,
    InitProducerId,
}

/// <summary>The outcome of one partition in a produce response.</summary>
internal readonly record struct PartitionProduceResult(
    TopicPartition TopicPartition,
    ErrorCode Error,
    long BaseOffset,
    long LogAppendTime = -1,
    long LogStartOffset = -1,
    string? ErrorMessage = null,
    IReadOnlyList<(int BatchIndex, string? Message)>? RecordErrors = null);

/// <summary>A completed request: a response, or a transport failure (disconnect, request timeout).</summary>
internal sealed class ProducerClientResponse
{
    public required ProducerRequestKind Kind { get; init; }

    public required int NodeId { get; init; }

    /// <summary>The batches of a produce request, as passed to SendProduce.</summary>
    public IReadOnlyList<ProducerBatch> Batches { get; init; } = [];

    public short Acks { get; init; }

    /// <summary>The connection dropped (or never came up) before the response arrived.</summary>
    public bool Disconnected { get; init; }

    /// <summary>No response within request.timeout.ms.</summary>
    public bool TimedOut { get; init; }

    /// <summary>An unsupported version or similar local failure: the request never went out.</summary>
    public Exception? LocalError { get; init; }

    public long SentMs { get; init; }

    public long ReceivedMs { get; init; }

    /// <summary>Per-partition results of a produce response (empty for acks=0 or failures).</summary>
    public IReadOnlyList<PartitionProduceResult> Partitions { get; init; } = [];

    /// <summary>Broker throttle time, ms.</summary>
    public int ThrottleTimeMs { get; init; }

    public ErrorCode InitError { get; init; }

    public long ProducerId { get; init; } = -1;

    public short ProducerEpoch { get; init; } = -1;
}
