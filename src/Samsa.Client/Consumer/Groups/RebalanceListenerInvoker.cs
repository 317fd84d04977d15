using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Samsa.Client.Metadata;
using Samsa.Protocol.Errors;

namespace Samsa.Client.Consumer.Groups;

/// <summary>
/// Runs the application's <see cref="IConsumerRebalanceListener"/> (Java's RebalanceListenerInvoker).
/// A callback failure is logged and returned, not thrown: the caller finishes the rebalance step
/// (updates the assignment, marks the join prepared) so the group stays consistent, and only then
/// surfaces the first failure with <see cref="ThrowIfFailed"/>, as Java's ConsumerCoordinator does
/// in onJoinPrepare and onJoinComplete.
/// </summary>
internal sealed class RebalanceListenerInvoker(ILogger logger)
{
    public IConsumerRebalanceListener? Listener { get; set; }

    /// <returns>The callback's exception, or null when it returned normally (or there is no listener).</returns>
    public Exception? InvokePartitionsRevoked(IReadOnlyCollection<TopicPartition> partitions) =>
        Invoke(nameof(IConsumerRebalanceListener.OnPartitionsRevoked), partitions, static (l, p) => l.OnPartitionsRevoked(p));

    /// <returns>The callback's exception, or null when it returned normally (or there is no listener).</returns>
    public Exception? InvokePartitionsAssigned(IReadOnlyCollection<TopicPartition> partitions) =>
        Invoke(nameof(IConsumerRebalanceListener.OnPartitionsAssigned), partitions, static (l, p) => l.OnPartitionsAssigned(p));

    /// <returns>The callback's exception, or null when it returned normally (or there is no listener).</returns>
    public Exception? InvokePartitionsLost(IReadOnlyCollection<TopicPartition> partitions) =>
        Invoke(nameof(IConsumerRebalanceListener.OnPartitionsLost), partitions, static (l, p) => l.OnPartitionsLost(p));

    Exception? Invoke(string callback, IReadOnlyCollection<TopicPartition> partitions,
        Action<IConsumerRebalanceListener, IReadOnlyCollection<TopicPartition>> call)
    {
        if (Listener is not { } listener) return null;
        try
        {
            call(listener, partitions);
            return null;
        }
        catch (Exception e)
        {
            logger.LogError(e, "The rebalance listener's {Callback} threw for {Partitions}", callback, partitions);
            return Surfaced(callback, e);
        }
    }

    /// <summary>
    /// What the caller of Poll/Consume sees: a <see cref="KafkaException"/> as it is; a wakeup or
    /// cancellation (an <see cref="OperationCanceledException"/>, e.g. from a nested Commit) as it is,
    /// so it keeps meaning what it means outside callbacks; anything else wrapped in a KafkaException
    /// that names the callback, with the original as the inner exception.
    /// </summary>
    static Exception Surfaced(string callback, Exception e) => e switch
    {
        KafkaException or OperationCanceledException => e,
        _ => new KafkaException($"The rebalance listener's {callback} threw {e.GetType().Name}: {e.Message} " +
            "(the rebalance itself completed).", e),
    };

    /// <summary>Throws <paramref name="first"/> (from one of the Invoke methods) when not null, keeping its stack trace.</summary>
    public static void ThrowIfFailed(Exception? first)
    {
        if (first is not null) ExceptionDispatchInfo.Throw(first);
    }
}
