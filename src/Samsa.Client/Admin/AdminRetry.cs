using Samsa.Protocol.Errors;

namespace Samsa.Client.Admin;

/// <summary>
/// Retries an admin call on retriable failures (new controller, coordinator loading, leader moving,
/// a broker briefly unreachable) with back-off, until the operation's timeout passes; non-retriable
/// errors are thrown at once.
/// </summary>
internal static class AdminRetry
{
    public static async Task<T> RunAsync<T>(string operation, AdminOptions options, TimeProvider time,
        Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        var timeout = options.DefaultApiTimeout;
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutCts.CancelAfter(timeout);
        var backoff = options.RetryBackoff;
        Exception? last = null;
        while (true)
        {
            try
            {
                return await attempt(timeoutCts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeoutCts.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw AdminErrors.Timeout(operation, timeout, last, options.BootstrapServers);
            }
            catch (KafkaException e) when (e.IsRetriable || e is RetriableAdminException)
            {
                last = e;
            }

            try
            {
                await Task.Delay(backoff, time, timeoutCts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw AdminErrors.Timeout(operation, timeout, last, options.BootstrapServers);
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, options.RetryBackoffMax.Ticks));
        }
    }
}

/// <summary>A failure the handler knows is worth retrying (e.g. routed to a stale controller).</summary>
internal sealed class RetriableAdminException : KafkaException
{
    public RetriableAdminException(Samsa.Protocol.ErrorCode code, string message) : base(code, message) { }

    public override bool IsRetriable => true;
}

/// <summary>
/// A failure whose code is retriable in general but is final for this call (e.g. an unknown topic
/// in a describe): thrown at once, not retried.
/// </summary>
internal sealed class FinalAdminException : KafkaException
{
    public FinalAdminException(Samsa.Protocol.ErrorCode code, string message) : base(code, message) { }

    public override bool IsRetriable => false;
}
