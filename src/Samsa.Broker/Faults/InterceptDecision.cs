using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Faults;

/// <summary>What the broker does with an intercepted request.</summary>
public enum InterceptKind
{
    /// <summary>Serve the request normally (after any delay).</summary>
    Continue,

    /// <summary>Send the given response instead of serving the request.</summary>
    Respond,

    /// <summary>Answer with the API's error response carrying the given error code.</summary>
    Fail,

    /// <summary>Close the connection without answering.</summary>
    Disconnect,

    /// <summary>Read the request and never answer it (the client times out).</summary>
    Drop,
}

/// <summary>The outcome of a <see cref="RequestInterceptor"/>; build one with the static members.</summary>
public readonly record struct InterceptDecision
{
    /// <summary>The action.</summary>
    public InterceptKind Kind { get; init; }

    /// <summary>Latency added before the action.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>The response for <see cref="InterceptKind.Respond"/>; its type must match the request's API.</summary>
    public IKafkaMessage? Response { get; init; }

    /// <summary>The error code for <see cref="InterceptKind.Fail"/>.</summary>
    public ErrorCode Error { get; init; }

    /// <summary>Serve the request normally.</summary>
    public static InterceptDecision Continue => default;

    /// <summary>Serve the request normally after <paramref name="delay"/>.</summary>
    public static InterceptDecision DelayBy(TimeSpan delay) => new() { Delay = delay };

    /// <summary>Answer with <paramref name="response"/> (a response message of the request's API).</summary>
    public static InterceptDecision Respond(IKafkaMessage response) => new() { Kind = InterceptKind.Respond, Response = response };

    /// <summary>Answer every part of the request with <paramref name="error"/>.</summary>
    public static InterceptDecision Fail(ErrorCode error) => new() { Kind = InterceptKind.Fail, Error = error };

    /// <summary>Close the connection.</summary>
    public static InterceptDecision Disconnect => new() { Kind = InterceptKind.Disconnect };

    /// <summary>Never answer.</summary>
    public static InterceptDecision Drop => new() { Kind = InterceptKind.Drop };
}

/// <summary>
/// Sees a parsed request before the broker serves it (kfake's ControlKey). Return null to let the
/// next interceptor (or the broker) decide; a non-null decision consumes a once-only interceptor.
/// </summary>
public delegate InterceptDecision? RequestInterceptor(Network.RequestContext context, IKafkaMessage request);
