using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Admin.Handlers;

/// <summary>CreatePartitions: sent to the controller; raises each topic's partition count to a new total.</summary>
internal static class CreatePartitionsHandler
{
    public static Task RunAsync(AdminContext context, IReadOnlyDictionary<string, int> totalCounts, bool validateOnly, CancellationToken cancellationToken) =>
        ControllerTopicsHandler.RunAsync(context, "CreatePartitions", totalCounts.Keys.ToArray(), async (controller, pending, ct) =>
        {
            var response = await context.Sender.SendAsync<CreatePartitionsRequest, CreatePartitionsResponse>(controller, _ =>
            {
                var request = new CreatePartitionsRequest { TimeoutMs = context.TimeoutMs, ValidateOnly = validateOnly };
                foreach (var name in pending)
                    request.Topics.Add(new CreatePartitionsRequest.CreatePartitionsTopic { Name = name, Count = totalCounts[name], Assignments = null });
                return request;
            }, ct).ConfigureAwait(false);
            var outcomes = new List<ControllerTopicsHandler.TopicOutcome>(response.Results.Count);
            foreach (var r in response.Results)
                outcomes.Add(new(r.Name, (ErrorCode)r.ErrorCode, r.ErrorMessage));
            return outcomes;
        }, cancellationToken);
}
