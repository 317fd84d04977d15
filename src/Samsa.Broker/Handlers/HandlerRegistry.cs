using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// The APIs the cluster serves and the version ranges it advertises, after version emulation
/// caps them. Built once per cluster; read-only afterwards.
/// </summary>
internal sealed class HandlerRegistry
{
    private readonly ApiHandler?[] _handlers = new ApiHandler?[128];
    private readonly (short Min, short Max)[] _ranges = new (short, short)[128];

    public HandlerRegistry(IEnumerable<ApiHandler> handlers, IReadOnlyDictionary<ApiKey, short>? caps, bool capsListEveryApi)
    {
        foreach (var handler in handlers)
        {
            int key = (int)handler.Key;
            short max = handler.MaxVersion;
            if (caps is not null)
            {
                if (caps.TryGetValue(handler.Key, out short cap))
                {
                    max = Math.Min(max, cap);
                }
                else if (capsListEveryApi && handler.Key != ApiKey.ApiVersions)
                {
                    continue; // the emulated release did not have this API
                }
            }
            if (max < handler.MinVersion)
            {
                continue;
            }
            _handlers[key] = handler;
            _ranges[key] = (handler.MinVersion, max);
        }
    }

    public ApiHandler? Find(ApiKey key) => (int)key is >= 0 and < 128 ? _handlers[(int)key] : null;

    public (short Min, short Max) AdvertisedRange(ApiHandler handler) => _ranges[(int)handler.Key];

    /// <summary>Advertised (key, min, max), sorted by key.</summary>
    public List<(ApiKey Key, short Min, short Max)> Advertised()
    {
        var result = new List<(ApiKey, short, short)>();
        for (int i = 0; i < _handlers.Length; i++)
        {
            if (_handlers[i] is not null)
            {
                result.Add(((ApiKey)i, _ranges[i].Min, _ranges[i].Max));
            }
        }
        return result;
    }

    /// <summary>The v0-format UNSUPPORTED_VERSION answer to an ApiVersions version we don't speak.</summary>
    public IKafkaMessage UnsupportedApiVersionsResponse() =>
        new ApiVersionsResponseBody { ErrorCode = ErrorCode.UnsupportedVersion, ApiKeys = Advertised() };
}
