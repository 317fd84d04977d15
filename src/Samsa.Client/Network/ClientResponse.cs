using Samsa.Protocol;
using Samsa.Protocol.Errors;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Network;

/// <summary>
/// The outcome of a <see cref="ClientRequest"/> (Java's ClientResponse): a parsed body, or one of
/// disconnected, timed out, version mismatch, or an unparseable response.
/// </summary>
public sealed class ClientResponse
{
    internal ClientResponse(ClientRequest request, long receivedTimeMs, IKafkaResponse? body,
        bool disconnected = false, bool timedOut = false, KafkaException? error = null)
    {
        Request = request;
        ReceivedTimeMs = receivedTimeMs;
        Body = body;
        WasDisconnected = disconnected;
        WasTimedOut = timedOut;
        Error = error;
    }

    /// <summary>The request this answers.</summary>
    public ClientRequest Request { get; }

    /// <summary>The node it came from.</summary>
    public int Destination => Request.Destination;

    /// <summary>The API.</summary>
    public ApiKey ApiKey => Request.ApiKey;

    /// <summary>The version used.</summary>
    public short Version => Request.Version;

    /// <summary>When the outcome was known.</summary>
    public long ReceivedTimeMs { get; }

    /// <summary>Milliseconds from send to outcome.</summary>
    public long RequestLatencyMs => Math.Max(0, ReceivedTimeMs - Request.SendTimeMs);

    /// <summary>The parsed response; null when the request failed or expects no response.</summary>
    public IKafkaResponse? Body { get; }

    /// <summary>True when the connection was lost (or timed out) before the response came.</summary>
    public bool WasDisconnected { get; }

    /// <summary>True when the request exceeded its timeout (the connection was then closed).</summary>
    public bool WasTimedOut { get; }

    /// <summary>
    /// Why there is no body: a <see cref="Errors.KafkaConnectionException"/> for disconnects and
    /// timeouts, <see cref="ErrorCode.UnsupportedVersion"/> when no version fits, or a
    /// <see cref="KafkaProtocolException"/> for a response that does not parse.
    /// </summary>
    public KafkaException? Error { get; }

    /// <summary>True when the request could not be sent because no version fits (Java's versionMismatch).</summary>
    public bool IsVersionMismatch => Error is { Code: ErrorCode.UnsupportedVersion } && !WasDisconnected;

    /// <summary>True when there is a body.</summary>
    public bool HasResponse => Body is not null;

    /// <summary>The body as <typeparamref name="T"/>, or the failure as an exception.</summary>
    /// <exception cref="KafkaException">The request failed.</exception>
    public T GetBody<T>() where T : class, IKafkaResponse
    {
        if (Body is T t)
            return t;
        if (Error is not null)
            throw Error;
        throw new InvalidOperationException($"{Request} completed without a {typeof(T).Name} body");
    }

    internal void OnComplete() => Request.Callback?.OnComplete(this);

    // A pooled frame the body slices (Fetch records), offered to whoever can tell when the slices are
    // no longer read; when nobody takes it, it is simply left to the garbage collector.
    byte[]? _sharedPooledFrame;

    internal void OfferSharedPooledFrame(byte[] frame) => _sharedPooledFrame = frame;

    /// <summary>
    /// Takes the pooled array <see cref="Body"/> slices, if any: the taker must return it to
    /// <see cref="System.Buffers.ArrayPool{T}.Shared"/> once nothing reads those slices any more.
    /// Null when the frame was not pooled or was taken already.
    /// </summary>
    internal byte[]? TakeSharedPooledFrame() => Interlocked.Exchange(ref _sharedPooledFrame, null);

    /// <inheritdoc />
    public override string ToString()
        => $"ClientResponse({Request}, latency {RequestLatencyMs} ms, disconnected {WasDisconnected}, timedOut {WasTimedOut}, error {Error?.Message ?? "none"})";
}
