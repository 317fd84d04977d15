using Samsa.Protocol;
using Samsa.Protocol.Errors;

namespace Samsa.Client.Admin.Handlers;

/// <summary>
/// The shape shared by CreateTopics, DeleteTopics and CreatePartitions: send the pending topics to
/// the controller, keep what succeeded, retry what failed with a retriable error (NOT_CONTROLLER
/// after a controller move, for instance) and report every other failure together.
/// </summary>
internal static class ControllerTopicsHandler
{
    /// <summary>One topic's outcome in a response.</summary>
    public readonly record struct TopicOutcome(string Name, ErrorCode Code, string? Message);

    public static async Task RunAsync(AdminContext context, string operation, IReadOnlyCollection<string> topics,
        Func<BrokerDescription?, IReadOnlyCollection<string>, CancellationToken, Task<IReadOnlyList<TopicOutcome>>> send,
        CancellationToken cancellationToken)
    {
        var pending = new HashSet<string>(topics, StringComparer.Ordinal);
        var failures = new SortedDictionary<string, KafkaException>(StringComparer.Ordinal);
        await context.RetryAsync(operation, async ct =>
        {
            var controller = await ControllerAsync(context, ct).ConfigureAwait(false);
            var outcomes = await send(controller, pending.ToArray(), ct).ConfigureAwait(false);
            KafkaException? retriable = null;
            foreach (var o in outcomes)
            {
                if (!pending.Contains(o.Name))
                    continue;
                if (o.Code == ErrorCode.None)
                {
                    pending.Remove(o.Name);
                }
                else if (o.Code.IsRetriable() || o.Code == ErrorCode.NotController)
                {
                    retriable = new RetriableAdminException(o.Code, AdminErrors.Create(operation, $"'{o.Name}'", o.Code, o.Message).Message);
                }
                else
                {
                    pending.Remove(o.Name);
                    failures[o.Name] = AdminErrors.Create(operation, $"'{o.Name}'", o.Code, o.Message);
                }
            }
            if (retriable is not null)
                throw retriable;
            if (pending.Count > 0)
                throw new KafkaException($"{operation}: the broker's response did not mention {string.Join(", ", pending.Select(p => $"'{p}'"))}");
            return true;
        }, cancellationToken).ConfigureAwait(false);

        if (failures.Count == 1)
            throw failures.First().Value;
        if (failures.Count > 1)
        {
            var codes = failures.Values.Select(f => f.Code).Distinct().ToList();
            var message = string.Join("; ", failures.Values.Select(f => f.Message));
            throw codes.Count == 1 && codes[0] is { } c ? new KafkaException(c, message) : new KafkaException(message);
        }
    }

    /// <summary>The controller from metadata, or null (any broker; newer brokers forward) when unknown.</summary>
    public static async Task<BrokerDescription?> ControllerAsync(AdminContext context, CancellationToken cancellationToken)
    {
        var metadata = await MetadataHandler.RunAsync(context, [], cancellationToken).ConfigureAwait(false);
        return MetadataHandler.FindBroker(metadata, metadata.Cluster.ControllerId);
    }
}
