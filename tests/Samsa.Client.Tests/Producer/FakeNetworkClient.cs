using Samsa.Client.Metadata;
using Samsa.Client.Producer;
using Samsa.Protocol;

namespace Samsa.Client.Tests.Producer;

/// <summary>
/// Java's MockClient for the producer: records what the sender sends and answers from a script the
/// test fills (respond, disconnect, time out). Nothing happens unless the test says so.
/// </summary>
internal sealed class FakeNetworkClient : IProducerNetworkClient
{
    private readonly ManualTimeProvider _time;
    private readonly List<ProducerClientResponse> _ready = [];

    public FakeNetworkClient(ManualTimeProvider time, FakeCluster cluster)
    {
        _time = time;
        Cluster = cluster;
    }

    public IProducerCluster Cluster { get; set; }

    public HashSet<int> Unreachable { get; } = [];

    public List<SentProduce> Sent { get; } = [];

    public List<SentProduce> InFlight { get; } = [];

    public int InitProducerIdRequests { get; private set; }

    public bool InitProducerIdPending { get; private set; }

    public int MetadataUpdateRequests { get; private set; }

    public HashSet<string> Topics { get; } = [];

    public void AddTopic(string topic) => Topics.Add(topic);

    public void RequestMetadataUpdate() => MetadataUpdateRequests++;

    public bool Ready(int nodeId, long nowMs) => !Unreachable.Contains(nodeId);

    public long PollDelayMs(int nodeId, long nowMs) => 50;

    public int InFlightRequestCount(int nodeId) => InFlight.Count(s => s.NodeId == nodeId) + (InitProducerIdPending ? 1 : 0);

    public int InFlightRequestCount() => InFlight.Count + (InitProducerIdPending ? 1 : 0);

    public int LeastLoadedNode(long nowMs) => 0;

    public void SendProduce(int nodeId, short acks, int timeoutMs, IReadOnlyList<ProducerBatch> batches, long nowMs)
    {
        var sent = new SentProduce(nodeId, acks, [.. batches], nowMs);
        Sent.Add(sent);
        if (acks == 0)
            _ready.Add(new ProducerClientResponse { Kind = ProducerRequestKind.Produce, NodeId = nodeId, Batches = sent.Batches, Acks = 0 });
        else
            InFlight.Add(sent);
    }

    public void SendInitProducerId(int nodeId, long producerId, short producerEpoch, long nowMs)
    {
        InitProducerIdRequests++;
        InitProducerIdPending = true;
    }

    /// <summary>Answers the pending InitProducerId.</summary>
    public void RespondInitProducerId(long producerId, short epoch, ErrorCode error = ErrorCode.None)
    {
        InitProducerIdPending = false;
        _ready.Add(new ProducerClientResponse { Kind = ProducerRequestKind.InitProducerId, NodeId = 0, ProducerId = producerId, ProducerEpoch = epoch, InitError = error });
    }

    /// <summary>Answers the oldest in-flight produce request: every partition gets <paramref name="error"/>, offsets from <paramref name="baseOffset"/>.</summary>
    public SentProduce Respond(ErrorCode error = ErrorCode.None, long baseOffset = 0, Func<ProducerBatch, PartitionProduceResult>? perPartition = null)
    {
        var sent = InFlight[0];
        InFlight.RemoveAt(0);
        var results = new List<PartitionProduceResult>();
        long offset = baseOffset;
        foreach (var b in sent.Batches)
        {
            results.Add(perPartition?.Invoke(b) ?? new PartitionProduceResult(b.TopicPartition, error, error == ErrorCode.None ? offset : -1));
            offset += b.RecordCount;
        }
        _ready.Add(new ProducerClientResponse
        {
            Kind = ProducerRequestKind.Produce, NodeId = sent.NodeId, Batches = sent.Batches, Acks = sent.Acks, Partitions = results,
            SentMs = sent.SentMs, ReceivedMs = _time.NowMs,
        });
        return sent;
    }

    /// <summary>The connection of the oldest in-flight request drops.</summary>
    public void Disconnect(bool timedOut = false)
    {
        var sent = InFlight[0];
        InFlight.RemoveAt(0);
        _ready.Add(new ProducerClientResponse
        {
            Kind = ProducerRequestKind.Produce, NodeId = sent.NodeId, Batches = sent.Batches, Acks = sent.Acks, Disconnected = !timedOut, TimedOut = timedOut,
        });
    }

    public IReadOnlyList<ProducerClientResponse> Poll(long timeoutMs, long nowMs)
    {
        LastPollTimeoutMs = timeoutMs;
        var result = _ready.ToList();
        _ready.Clear();
        return result;
    }

    public long LastPollTimeoutMs { get; private set; }

    public void Wakeup() { }

    public void Dispose() { }

    public sealed record SentProduce(int NodeId, short Acks, List<ProducerBatch> Batches, long SentMs);
}
