using Samsa.Broker.Network;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>FindCoordinator v0-5: group (key type 0) and transaction (1) coordinators; v4+ batches keys (KIP-699).</summary>
internal sealed class FindCoordinatorHandler(EmbeddedCluster cluster) : ApiHandler<FindCoordinatorRequest, FindCoordinatorResponse>
{
    protected override ValueTask<FindCoordinatorResponse?> HandleRequestAsync(RequestContext context, FindCoordinatorRequest request, CancellationToken cancellationToken)
    {
        short version = context.ApiVersion;
        var response = new FindCoordinatorResponse();
        if (version >= 4)
        {
            foreach (var key in request.CoordinatorKeys)
            {
                var (error, node, host, port) = Lookup(key, request.KeyType);
                response.Coordinators.Add(new FindCoordinatorResponse.Coordinator
                {
                    Key = key, ErrorCode = (short)error, NodeId = node, Host = host, Port = port,
                    ErrorMessage = error == ErrorCode.None ? null : error.ToString(),
                });
            }
            return new(response);
        }
        var (e, n, h, p) = Lookup(request.Key, request.KeyType);
        response.ErrorCode = (short)e;
        response.NodeId = n;
        response.Host = h;
        response.Port = p;
        if (version >= 1)
        {
            response.ErrorMessage = e == ErrorCode.None ? null : e.ToString();
        }
        return new(response);
    }

    private (ErrorCode Error, int NodeId, string Host, int Port) Lookup(string key, sbyte keyType)
    {
        if (keyType is not (0 or 1))
        {
            return (ErrorCode.InvalidRequest, -1, "", -1);
        }
        if (keyType == 0 && string.IsNullOrEmpty(key))
        {
            return (ErrorCode.InvalidGroupId, -1, "", -1);
        }
        int id = cluster.State.CoordinatorFor(key);
        if (id < 0 || cluster.LiveBroker(id) is not { } broker)
        {
            return (ErrorCode.CoordinatorNotAvailable, -1, "", -1);
        }
        return (ErrorCode.None, id, broker.Host, broker.Port);
    }

    protected override FindCoordinatorResponse CreateErrorResponse(FindCoordinatorRequest request, short version, ErrorCode error)
    {
        var response = new FindCoordinatorResponse();
        if (version >= 4)
        {
            foreach (var key in request.CoordinatorKeys)
            {
                response.Coordinators.Add(new FindCoordinatorResponse.Coordinator { Key = key, ErrorCode = (short)error, NodeId = -1, Host = "", Port = -1 });
            }
        }
        else
        {
            response.ErrorCode = (short)error;
            response.NodeId = -1;
            response.Port = -1;
        }
        return response;
    }
}
