using Samsa.Protocol;
using Samsa.Protocol.Errors;

namespace Samsa.Client.Admin;

/// <summary>
/// The one place admin exceptions are built, so every message names the operation, what it was
/// about and the broker's own explanation: "CreateTopics 'orders': TopicAlreadyExists (Topic
/// 'orders' already exists.)".
/// </summary>
internal static class AdminErrors
{
    public static KafkaException Create(string operation, string? subject, ErrorCode code, string? brokerMessage)
    {
        var about = subject is null ? operation : $"{operation} {subject}";
        var detail = string.IsNullOrWhiteSpace(brokerMessage) ? Hint(code) : brokerMessage;
        var text = detail is null ? $"{about}: {code.Describe()}" : $"{about}: {code.Describe()} ({detail})";
        return new KafkaException(code, text);
    }

    public static KafkaException Timeout(string operation, TimeSpan timeout, Exception? last, string bootstrapServers)
    {
        var why = last switch
        {
            null or Samsa.Client.Errors.KafkaConnectionException => $"; could not reach any broker at {bootstrapServers}" + (last is null ? "" : $" ({last.Message})"),
            _ => $"; last error: {last.Message}",
        };
        return new KafkaException(ErrorCode.RequestTimedOut, $"{operation} did not complete within {timeout.TotalMilliseconds:F0} ms{why}", last);
    }

    // Explanations for the errors users meet most, when the broker sends no message of its own.
    private static string? Hint(ErrorCode code) => code switch
    {
        ErrorCode.TopicAlreadyExists => "the topic already exists",
        ErrorCode.UnknownTopicOrPartition => "no such topic or partition",
        ErrorCode.InvalidPartitions => "invalid partition count",
        ErrorCode.InvalidReplicationFactor => "replication factor larger than the number of brokers, or invalid",
        ErrorCode.GroupIdNotFound => "no such group",
        ErrorCode.NotController => "the broker is not the controller",
        ErrorCode.NotCoordinator => "the broker is not the group's coordinator",
        ErrorCode.CoordinatorNotAvailable => "the group coordinator is not available",
        ErrorCode.TopicAuthorizationFailed or ErrorCode.GroupAuthorizationFailed or ErrorCode.ClusterAuthorizationFailed => "not authorized",
        ErrorCode.UnsupportedVersion => "the broker does not support this request",
        _ => null,
    };
}
