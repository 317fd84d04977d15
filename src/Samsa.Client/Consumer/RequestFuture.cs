using Samsa.Client.Errors;
using Samsa.Client.Network;
using Samsa.Protocol.Errors;

namespace Samsa.Client.Consumer;

/// <summary>
/// The outcome of a request sent through <see cref="ConsumerNetworkClient"/> (Java's RequestFuture):
/// completes once with a response or an exception. Listeners run on the thread that completes it,
/// which is a thread polling the client, outside the client's lock.
/// </summary>
internal sealed class RequestFuture
{
    readonly Lock _lock = new();
    List<(Action<ClientResponse> OnSuccess, Action<Exception> OnFailure)>? _listeners;
    TaskCompletionSource? _completion;
    ClientResponse? _value;
    Exception? _exception;
    volatile bool _done;

    public bool IsDone => _done;
    public bool Succeeded => _done && _exception is null;
    public bool Failed => _done && _exception is not null;
    public ClientResponse Value => _value ?? throw new InvalidOperationException("Request has not succeeded.", _exception);
    public Exception? Exception => _exception;

    /// <summary>True when the failure may go away by retrying (disconnect, retriable broker error).</summary>
    public bool IsRetriable => _exception is KafkaException { IsRetriable: true } or KafkaConnectionException;

    public void Complete(ClientResponse value) => Finish(value, null);

    public void Raise(Exception exception) => Finish(null, exception);

    void Finish(ClientResponse? value, Exception? exception)
    {
        List<(Action<ClientResponse>, Action<Exception>)>? listeners;
        lock (_lock)
        {
            if (_done) throw new InvalidOperationException("Request future completed twice.");
            _value = value;
            _exception = exception;
            _done = true;
            listeners = _listeners;
            _listeners = null;
        }
        if (listeners is not null)
        {
            foreach (var (ok, fail) in listeners) Fire(ok, fail);
        }
        _completion?.TrySetResult();
    }

    void Fire(Action<ClientResponse> ok, Action<Exception> fail)
    {
        if (_exception is null) ok(_value!);
        else fail(_exception);
    }

    public void AddListener(Action<ClientResponse> onSuccess, Action<Exception> onFailure)
    {
        lock (_lock)
        {
            if (!_done)
            {
                (_listeners ??= []).Add((onSuccess, onFailure));
                return;
            }
        }
        Fire(onSuccess, onFailure);
    }

    /// <summary>A task that completes (never faults) when the future does, for async waiters.</summary>
    public Task AsTask()
    {
        lock (_lock)
        {
            if (_done) return Task.CompletedTask;
            _completion ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _completion.Task;
        }
    }
}
