using Samsa.Broker.Network;
using Samsa.Broker.State;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>AddPartitionsToTxn v0-5 (v4+ carries several transactions, KIP-890).</summary>
internal sealed class AddPartitionsToTxnHandler(EmbeddedCluster cluster) : ApiHandler<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>
{
    protected override ValueTask<AddPartitionsToTxnResponse?> HandleRequestAsync(RequestContext context, AddPartitionsToTxnRequest request, CancellationToken cancellationToken)
    {
        var response = new AddPartitionsToTxnResponse();
        if (context.ApiVersion <= 3)
        {
            response.ResultsByTopicV3AndBelow = Add(context, request.V3AndBelowTransactionalId, request.V3AndBelowProducerId, request.V3AndBelowProducerEpoch, request.V3AndBelowTopics, verifyOnly: false);
            return new(response);
        }
        foreach (var txn in request.Transactions)
        {
            response.ResultsByTransaction.Add(new AddPartitionsToTxnResponse.AddPartitionsToTxnResult
            {
                TransactionalId = txn.TransactionalId,
                TopicResults = Add(context, txn.TransactionalId, txn.ProducerId, txn.ProducerEpoch, txn.Topics, txn.VerifyOnly),
            });
        }
        return new(response);
    }

    private List<AddPartitionsToTxnResponse.AddPartitionsToTxnTopicResult> Add(RequestContext context, string transactionalId, long producerId, short epoch,
        List<AddPartitionsToTxnRequest.AddPartitionsToTxnTopic> topics, bool verifyOnly)
    {
        ErrorCode error;
        var unknown = new HashSet<(string, int)>();
        foreach (var t in topics)
        {
            foreach (int p in t.Partitions)
            {
                if (cluster.State.Find(t.Name, p) is null)
                {
                    unknown.Add((t.Name, p));
                }
            }
        }
        if (cluster.State.CoordinatorFor(transactionalId) != context.BrokerId)
        {
            error = ErrorCode.NotCoordinator;
        }
        else if (unknown.Count > 0)
        {
            error = ErrorCode.OperationNotAttempted;
        }
        else if (verifyOnly)
        {
            error = ErrorCode.None;
        }
        else
        {
            var partitions = new List<(string, int)>();
            foreach (var t in topics)
            {
                foreach (int p in t.Partitions)
                {
                    partitions.Add((t.Name, p));
                }
            }
            error = cluster.Transactions.AddPartitions(transactionalId, producerId, epoch, partitions);
        }
        var results = new List<AddPartitionsToTxnResponse.AddPartitionsToTxnTopicResult>();
        foreach (var t in topics)
        {
            var topic = new AddPartitionsToTxnResponse.AddPartitionsToTxnTopicResult { Name = t.Name };
            foreach (int p in t.Partitions)
            {
                var e = unknown.Contains((t.Name, p)) ? ErrorCode.UnknownTopicOrPartition : error;
                topic.ResultsByPartition.Add(new AddPartitionsToTxnResponse.AddPartitionsToTxnPartitionResult { PartitionIndex = p, PartitionErrorCode = (short)e });
            }
            results.Add(topic);
        }
        return results;
    }

    protected override AddPartitionsToTxnResponse CreateErrorResponse(AddPartitionsToTxnRequest request, short version, ErrorCode error)
    {
        var response = new AddPartitionsToTxnResponse();
        if (version <= 3)
        {
            foreach (var t in request.V3AndBelowTopics)
            {
                var topic = new AddPartitionsToTxnResponse.AddPartitionsToTxnTopicResult { Name = t.Name };
                foreach (int p in t.Partitions)
                {
                    topic.ResultsByPartition.Add(new AddPartitionsToTxnResponse.AddPartitionsToTxnPartitionResult { PartitionIndex = p, PartitionErrorCode = (short)error });
                }
                response.ResultsByTopicV3AndBelow.Add(topic);
            }
        }
        else
        {
            response.ErrorCode = (short)error;
        }
        return response;
    }
}

/// <summary>AddOffsetsToTxn v0-4.</summary>
internal sealed class AddOffsetsToTxnHandler(EmbeddedCluster cluster) : ApiHandler<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>
{
    protected override ValueTask<AddOffsetsToTxnResponse?> HandleRequestAsync(RequestContext context, AddOffsetsToTxnRequest request, CancellationToken cancellationToken)
    {
        var error = cluster.State.CoordinatorFor(request.TransactionalId) != context.BrokerId
            ? ErrorCode.NotCoordinator
            : cluster.Transactions.AddOffsets(request.TransactionalId, request.ProducerId, request.ProducerEpoch, request.GroupId);
        return new(new AddOffsetsToTxnResponse { ErrorCode = (short)error });
    }

    protected override AddOffsetsToTxnResponse CreateErrorResponse(AddOffsetsToTxnRequest request, short version, ErrorCode error) =>
        new() { ErrorCode = (short)error };
}

/// <summary>TxnOffsetCommit v0-4: offsets become visible when the transaction commits (KIP-98, KIP-447 member checks from v3).</summary>
internal sealed class TxnOffsetCommitHandler(EmbeddedCluster cluster) : ApiHandler<TxnOffsetCommitRequest, TxnOffsetCommitResponse>
{
    protected override ValueTask<TxnOffsetCommitResponse?> HandleRequestAsync(RequestContext context, TxnOffsetCommitRequest request, CancellationToken cancellationToken)
    {
        short version = context.ApiVersion;
        ErrorCode groupError = ErrorCode.None;
        if (!CoordinatorCheck.IsCoordinator(cluster, context, request.GroupId))
        {
            groupError = ErrorCode.NotCoordinator;
        }
        else if (version >= 3 && request.GenerationId >= 0)
        {
            groupError = cluster.Groups.ValidateCommit(request.GroupId, request.GenerationId, request.MemberId, request.GroupInstanceId);
        }
        long now = cluster.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var response = new TxnOffsetCommitResponse();
        foreach (var t in request.Topics)
        {
            var topic = new TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic { Name = t.Name };
            foreach (var p in t.Partitions)
            {
                var error = groupError;
                if (error == ErrorCode.None && cluster.State.Find(t.Name, p.PartitionIndex) is null)
                {
                    error = ErrorCode.UnknownTopicOrPartition;
                }
                if (error == ErrorCode.None)
                {
                    cluster.Groups.StoreTxnOffset(request.GroupId, request.ProducerId, t.Name, p.PartitionIndex,
                        new CommittedOffset(p.CommittedOffset, version >= 2 ? p.CommittedLeaderEpoch : -1, p.CommittedMetadata, now));
                }
                topic.Partitions.Add(new TxnOffsetCommitResponse.TxnOffsetCommitResponsePartition { PartitionIndex = p.PartitionIndex, ErrorCode = (short)error });
            }
            response.Topics.Add(topic);
        }
        return new(response);
    }

    protected override TxnOffsetCommitResponse CreateErrorResponse(TxnOffsetCommitRequest request, short version, ErrorCode error)
    {
        var response = new TxnOffsetCommitResponse();
        foreach (var t in request.Topics)
        {
            var topic = new TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic { Name = t.Name };
            foreach (var p in t.Partitions)
            {
                topic.Partitions.Add(new TxnOffsetCommitResponse.TxnOffsetCommitResponsePartition { PartitionIndex = p.PartitionIndex, ErrorCode = (short)error });
            }
            response.Topics.Add(topic);
        }
        return response;
    }
}

/// <summary>EndTxn v0-5: writes commit/abort markers to every partition of the transaction.</summary>
internal sealed class EndTxnHandler(EmbeddedCluster cluster) : ApiHandler<EndTxnRequest, EndTxnResponse>
{
    protected override ValueTask<EndTxnResponse?> HandleRequestAsync(RequestContext context, EndTxnRequest request, CancellationToken cancellationToken)
    {
        var error = cluster.State.CoordinatorFor(request.TransactionalId) != context.BrokerId
            ? ErrorCode.NotCoordinator
            : cluster.Transactions.End(request.TransactionalId, request.ProducerId, request.ProducerEpoch, request.Committed);
        return new(new EndTxnResponse { ErrorCode = (short)error });
    }

    protected override EndTxnResponse CreateErrorResponse(EndTxnRequest request, short version, ErrorCode error) =>
        new() { ErrorCode = (short)error };
}
