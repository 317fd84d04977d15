using Samsa.Broker.Network;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Faults;

/// <summary>
/// Fault injection for tests: interceptors, failing the next N requests of an API, latency and
/// dropped connections. Broker-level faults (stop, restart, moving leaders, cutting connections)
/// live on <see cref="EmbeddedCluster"/>. Thread-safe.
/// </summary>
public sealed class FaultInjector
{
    private readonly object _lock = new();
    private readonly List<Registration> _interceptors = [];

    private sealed class Registration(ApiKey? apiKey, int? brokerId, RequestInterceptor interceptor, int remaining) : IDisposable
    {
        public ApiKey? ApiKey { get; } = apiKey;
        public int? BrokerId { get; } = brokerId;
        public RequestInterceptor Interceptor { get; } = interceptor;

        /// <summary>Decisions left before removal; negative means unlimited.</summary>
        public int Remaining { get; set; } = remaining;

        public FaultInjector? Owner { get; set; }

        public void Dispose()
        {
            var owner = Owner;
            if (owner is null)
            {
                return;
            }
            lock (owner._lock)
            {
                owner._interceptors.Remove(this);
            }
        }
    }

    /// <summary>
    /// Registers an interceptor for requests of <paramref name="apiKey"/> (any API when null),
    /// optionally only on one broker. With <paramref name="once"/> it is removed after its first
    /// non-null decision. Dispose the result to remove it.
    /// </summary>
    public IDisposable Intercept(ApiKey? apiKey, RequestInterceptor interceptor, bool once = false, int? brokerId = null)
    {
        ArgumentNullException.ThrowIfNull(interceptor);
        return Add(apiKey, brokerId, interceptor, once ? 1 : -1);
    }

    /// <summary>The next <paramref name="count"/> requests of <paramref name="apiKey"/> are answered with <paramref name="error"/>.</summary>
    public IDisposable FailNext(ApiKey apiKey, ErrorCode error, int count = 1, int? brokerId = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return Add(apiKey, brokerId, (_, _) => InterceptDecision.Fail(error), count);
    }

    /// <summary>The next <paramref name="count"/> requests of <paramref name="apiKey"/> close their connection.</summary>
    public IDisposable DisconnectNext(ApiKey apiKey, int count = 1, int? brokerId = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return Add(apiKey, brokerId, (_, _) => InterceptDecision.Disconnect, count);
    }

    /// <summary>Every request of <paramref name="apiKey"/> (any API when null) is delayed by <paramref name="latency"/> until disposed.</summary>
    public IDisposable AddLatency(ApiKey? apiKey, TimeSpan latency, int? brokerId = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(latency, TimeSpan.Zero);
        return Add(apiKey, brokerId, (_, _) => InterceptDecision.DelayBy(latency), -1);
    }

    /// <summary>Removes every interceptor, failure and latency.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _interceptors.Clear();
        }
    }

    private Registration Add(ApiKey? apiKey, int? brokerId, RequestInterceptor interceptor, int remaining)
    {
        var registration = new Registration(apiKey, brokerId, interceptor, remaining) { Owner = this };
        lock (_lock)
        {
            _interceptors.Add(registration);
        }
        return registration;
    }

    /// <summary>Runs the interceptors in registration order; delays add up, the first other action wins.</summary>
    internal InterceptDecision Evaluate(RequestContext context, IKafkaMessage request)
    {
        Registration[] snapshot;
        lock (_lock)
        {
            if (_interceptors.Count == 0)
            {
                return InterceptDecision.Continue;
            }
            snapshot = [.. _interceptors];
        }
        var delay = TimeSpan.Zero;
        foreach (var registration in snapshot)
        {
            if ((registration.ApiKey is { } key && key != context.ApiKey)
                || (registration.BrokerId is { } broker && broker != context.BrokerId))
            {
                continue;
            }
            var decision = registration.Interceptor(context, request);
            if (decision is not { } d)
            {
                continue;
            }
            lock (_lock)
            {
                if (registration.Remaining == 0)
                {
                    continue; // consumed concurrently by another request
                }
                if (registration.Remaining > 0 && --registration.Remaining == 0)
                {
                    _interceptors.Remove(registration);
                }
            }
            delay += d.Delay;
            if (d.Kind != InterceptKind.Continue)
            {
                return d with { Delay = delay };
            }
        }
        return InterceptDecision.DelayBy(delay);
    }
}
