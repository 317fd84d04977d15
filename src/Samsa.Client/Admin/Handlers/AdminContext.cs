namespace Samsa.Client.Admin.Handlers;

/// <summary>What every handler uses: the request sender, the options and the clock.</summary>
internal sealed record AdminContext(IAdminRequestSender Sender, AdminOptions Options, TimeProvider Time)
{
    /// <summary>Runs <paramref name="attempt"/> with retries until the operation's timeout.</summary>
    public Task<T> RetryAsync<T>(string operation, Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken) =>
        AdminRetry.RunAsync(operation, Options, Time, attempt, cancellationToken);

    /// <summary>The admin request timeout, as the int32 milliseconds the protocol carries.</summary>
    public int TimeoutMs => (int)Math.Min(int.MaxValue, Options.RequestTimeout.TotalMilliseconds);
}
