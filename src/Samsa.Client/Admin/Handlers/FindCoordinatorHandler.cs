using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Admin.Handlers;

/// <summary>FindCoordinator for a group: the lookup strategy of every group operation.</summary>
internal static class FindCoordinatorHandler
{
    /// <summary>
    /// The group's coordinator. Retriable errors (coordinator loading or not yet available) are thrown
    /// as retriable so the calling operation's retry loop asks again.
    /// </summary>
    public static async Task<BrokerDescription> FindAsync(AdminContext context, string groupId, CancellationToken cancellationToken)
    {
        var r = await context.Sender.SendAsync<FindCoordinatorRequest, FindCoordinatorResponse>(null, v =>
        {
            var request = new FindCoordinatorRequest();
            if (v >= 4)
                request.CoordinatorKeys.Add(groupId);
            else
                request.Key = groupId;
            // KeyType 0 (group) is the default.
            return request;
        }, cancellationToken).ConfigureAwait(false);

        int nodeId, port;
        string host;
        ErrorCode code;
        string? message;
        if (r.Coordinators.Count > 0)
        {
            var c = r.Coordinators[0];
            (nodeId, host, port, code, message) = (c.NodeId, c.Host, c.Port, (ErrorCode)c.ErrorCode, c.ErrorMessage);
        }
        else
        {
            (nodeId, host, port, code, message) = (r.NodeId, r.Host, r.Port, (ErrorCode)r.ErrorCode, r.ErrorMessage);
        }
        if (code != ErrorCode.None)
        {
            var e = AdminErrors.Create("FindCoordinator", $"group '{groupId}'", code, message);
            throw code.IsRetriable() ? new RetriableAdminException(code, e.Message) : e;
        }
        return new BrokerDescription(nodeId, host, port, null);
    }

    /// <summary>True for the errors that mean "ask FindCoordinator again".</summary>
    public static bool IsCoordinatorError(ErrorCode code) =>
        code is ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable or ErrorCode.CoordinatorLoadInProgress;
}
