using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Admin.Handlers;

/// <summary>DeleteTopics: sent to the controller; by name (v6+ carries names in the Topics array).</summary>
internal static class DeleteTopicsHandler
{
    public static Task RunAsync(AdminContext context, IReadOnlyCollection<string> topics, CancellationToken cancellationToken) =>
        ControllerTopicsHandler.RunAsync(context, "DeleteTopics", topics.Distinct(StringComparer.Ordinal).ToArray(), async (controller, pending, ct) =>
        {
            var response = await context.Sender.SendAsync<DeleteTopicsRequest, DeleteTopicsResponse>(controller, v =>
            {
                var request = new DeleteTopicsRequest { TimeoutMs = context.TimeoutMs };
                foreach (var name in pending)
                {
                    if (v >= 6)
                        request.Topics.Add(new DeleteTopicsRequest.DeleteTopicState { Name = name });
                    else
                        request.TopicNames.Add(name);
                }
                return request;
            }, ct).ConfigureAwait(false);
            var outcomes = new List<ControllerTopicsHandler.TopicOutcome>(response.Responses.Count);
            foreach (var r in response.Responses)
                outcomes.Add(new(r.Name ?? "", (ErrorCode)r.ErrorCode, r.ErrorMessage));
            return outcomes;
        }, cancellationToken);
}
