using Samsa.Broker.Network;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>InitProducerId v0-5: idempotent producer ids, and transactional ids on their coordinator (KIP-98, KIP-360).</summary>
internal sealed class InitProducerIdHandler(EmbeddedCluster cluster) : ApiHandler<InitProducerIdRequest, InitProducerIdResponse>
{
    protected override ValueTask<InitProducerIdResponse?> HandleRequestAsync(RequestContext context, InitProducerIdRequest request, CancellationToken cancellationToken)
    {
        if (request.TransactionalId is { } id && cluster.State.CoordinatorFor(id) != context.BrokerId)
        {
            return new(CreateErrorResponse(request, context.ApiVersion, ErrorCode.NotCoordinator));
        }
        var (error, producerId, epoch) = cluster.Transactions.InitProducerId(request.TransactionalId, request.TransactionTimeoutMs, request.ProducerId, request.ProducerEpoch);
        return new(new InitProducerIdResponse { ErrorCode = (short)error, ProducerId = producerId, ProducerEpoch = epoch });
    }

    protected override InitProducerIdResponse CreateErrorResponse(InitProducerIdRequest request, short version, ErrorCode error) =>
        new() { ErrorCode = (short)error, ProducerId = -1, ProducerEpoch = -1 };
}
