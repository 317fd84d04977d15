using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Admin.Handlers;

/// <summary>CreateTopics: sent to the controller.</summary>
internal static class CreateTopicsHandler
{
    public static Task RunAsync(AdminContext context, IReadOnlyList<NewTopic> topics, bool validateOnly, CancellationToken cancellationToken)
    {
        var byName = new Dictionary<string, NewTopic>(StringComparer.Ordinal);
        foreach (var t in topics)
        {
            if (string.IsNullOrEmpty(t.Name))
                throw new ArgumentException("a topic name is empty", nameof(topics));
            if (!byName.TryAdd(t.Name, t))
                throw new ArgumentException($"topic '{t.Name}' is listed twice", nameof(topics));
        }

        return ControllerTopicsHandler.RunAsync(context, "CreateTopics", byName.Keys, async (controller, pending, ct) =>
        {
            var response = await context.Sender.SendAsync<CreateTopicsRequest, CreateTopicsResponse>(controller, v =>
            {
                var request = new CreateTopicsRequest { timeoutMs = context.TimeoutMs };
                if (validateOnly)
                {
                    if (v < 1)
                        throw new Samsa.Protocol.Errors.KafkaException(ErrorCode.UnsupportedVersion, "CreateTopics: the broker cannot validate without creating (needs CreateTopics v1+)");
                    request.validateOnly = true;
                }
                foreach (var name in pending)
                {
                    var t = byName[name];
                    var creatable = new CreateTopicsRequest.CreatableTopic
                    {
                        Name = t.Name,
                        NumPartitions = t.NumPartitions,
                        ReplicationFactor = t.ReplicationFactor,
                    };
                    foreach (var (k, val) in t.Configs)
                        creatable.Configs.Add(new CreateTopicsRequest.CreatableTopicConfig { Name = k, Value = val });
                    request.Topics.Add(creatable);
                }
                return request;
            }, ct).ConfigureAwait(false);
            var outcomes = new List<ControllerTopicsHandler.TopicOutcome>(response.Topics.Count);
            foreach (var r in response.Topics)
                outcomes.Add(new(r.Name, (ErrorCode)r.ErrorCode, r.ErrorMessage));
            return outcomes;
        }, cancellationToken);
    }
}
