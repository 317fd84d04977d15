using Samsa.Broker.Network;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// Produce v3-11 (magic 2 record batches only). Batches are appended as sent after header and CRC
/// checks; there is one copy of each log so acks=1 and acks=all complete at once; acks=0 gets no
/// response.
/// </summary>
internal sealed class ProduceHandler(EmbeddedCluster cluster) : ApiHandler<ProduceRequest, ProduceResponse>
{
    public override short MinVersion => 3;

    protected override ValueTask<ProduceResponse?> HandleRequestAsync(RequestContext context, ProduceRequest request, CancellationToken cancellationToken)
    {
        short version = context.ApiVersion;
        var response = new ProduceResponse();
        long now = cluster.Time.GetUtcNow().ToUnixTimeMilliseconds();
        bool badAcks = request.Acks is not (0 or 1 or -1);
        foreach (var topicData in request.TopicData)
        {
            var topicResponse = new ProduceResponse.TopicProduceResponse { Name = topicData.Name };
            var topic = cluster.State.Find(topicData.Name);
            foreach (var partitionData in topicData.PartitionData)
            {
                var result = new ProduceResponse.PartitionProduceResponse { Index = partitionData.Index, BaseOffset = -1 };
                topicResponse.PartitionResponses.Add(result);
                var partition = topic is not null && partitionData.Index >= 0 && partitionData.Index < topic.Partitions.Count ? topic.Partitions[partitionData.Index] : null;
                ErrorCode error;
                string? message = null;
                if (badAcks)
                {
                    error = ErrorCode.InvalidRequiredAcks;
                }
                else if (partition is null)
                {
                    error = ErrorCode.UnknownTopicOrPartition;
                }
                else if (partition.Leader != context.BrokerId)
                {
                    error = ErrorCode.NotLeaderOrFollower;
                    if (version >= 10)
                    {
                        result.CurrentLeader = new ProduceResponse.LeaderIdAndEpoch { LeaderId = partition.Leader, LeaderEpoch = partition.LeaderEpoch };
                        AddEndpoint(response, partition.Leader);
                    }
                }
                else if (partitionData.Records is not { Length: > 0 } records)
                {
                    error = ErrorCode.CorruptMessage;
                    message = "Produce request has no records for the partition.";
                }
                else if (records.Length > cluster.Options.MaxMessageBytes + 12)
                {
                    error = ErrorCode.MessageTooLarge;
                    message = $"Records of {records.Length} bytes exceed message.max.bytes {cluster.Options.MaxMessageBytes}.";
                }
                else if (request.TransactionalId is not null && !IsTransactionalAllowed(records.Span, topicData.Name, partitionData.Index))
                {
                    error = ErrorCode.InvalidTxnState;
                    message = "Transactional records for a partition not added to the transaction with AddPartitionsToTxn.";
                }
                else
                {
                    var append = partition.Log.Append(records.Span, now);
                    error = append.Error;
                    message = append.ErrorMessage;
                    result.BaseOffset = append.BaseOffset;
                    if (version >= 5)
                    {
                        result.LogStartOffset = append.LogStartOffset;
                    }
                }
                result.ErrorCode = (short)error;
                if (version >= 8 && message is not null)
                {
                    result.ErrorMessage = message;
                }
            }
            response.Responses.Add(topicResponse);
        }
        return new(request.Acks == 0 ? null : response);
    }

    private bool IsTransactionalAllowed(ReadOnlySpan<byte> records, string topic, int partition)
    {
        if (records.Length < State.BatchHeader.Size)
        {
            return true; // the append reports the corrupt batch
        }
        long producerId = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(records[State.BatchHeader.ProducerIdOffset..]);
        return cluster.Transactions.IsPartitionInTransaction(producerId, topic, partition);
    }

    private void AddEndpoint(ProduceResponse response, int brokerId)
    {
        if (brokerId < 0 || response.NodeEndpoints.Exists(e => e.NodeId == brokerId) || cluster.LiveBroker(brokerId) is not { } broker)
        {
            return;
        }
        response.NodeEndpoints.Add(new ProduceResponse.NodeEndpoint { NodeId = brokerId, Host = broker.Host, Port = broker.Port });
    }

    protected override ProduceResponse CreateErrorResponse(ProduceRequest request, short version, ErrorCode error)
    {
        var response = new ProduceResponse();
        foreach (var t in request.TopicData)
        {
            var topic = new ProduceResponse.TopicProduceResponse { Name = t.Name };
            foreach (var p in t.PartitionData)
            {
                topic.PartitionResponses.Add(new ProduceResponse.PartitionProduceResponse { Index = p.Index, ErrorCode = (short)error, BaseOffset = -1 });
            }
            response.Responses.Add(topic);
        }
        return response;
    }
}
