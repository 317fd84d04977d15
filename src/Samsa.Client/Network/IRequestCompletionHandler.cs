namespace Samsa.Client.Network;

/// <summary>
/// Called once when a request completes: with a response, disconnected, timed out or with a version
/// mismatch (Java's RequestCompletionHandler). Runs on the thread calling <see cref="NetworkClient.Poll"/>;
/// an exception it throws is logged and does not affect other callbacks.
/// </summary>
public interface IRequestCompletionHandler
{
    /// <summary>Handles the outcome.</summary>
    void OnComplete(ClientResponse response);
}

/// <summary>Adapts a delegate to <see cref="IRequestCompletionHandler"/>.</summary>
public sealed class RequestCompletionHandler(Action<ClientResponse> onComplete) : IRequestCompletionHandler
{
    /// <inheritdoc />
    public void OnComplete(ClientResponse response) => onComplete(response);
}
