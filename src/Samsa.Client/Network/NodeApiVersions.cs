using Samsa.Protocol;

namespace Samsa.Client.Network;

/// <summary>
/// The API version ranges one broker reported in its ApiVersions response (Java's NodeApiVersions).
/// Each request uses the highest version both sides support.
/// </summary>
public sealed class NodeApiVersions
{
    private readonly (short Min, short Max)[] _ranges;

    /// <summary>Creates the table from (api key, min, max) entries; unknown keys are ignored.</summary>
    public NodeApiVersions(IEnumerable<(short ApiKey, short MinVersion, short MaxVersion)> versions)
    {
        var max = 0;
        var list = new List<(short, short, short)>(versions);
        foreach (var (key, _, _) in list)
            max = Math.Max(max, key);
        _ranges = new (short, short)[max + 1];
        Array.Fill(_ranges, ((short)-1, (short)-1));
        foreach (var (key, min, maxVersion) in list)
        {
            if (key >= 0)
                _ranges[key] = (min, maxVersion);
        }
        Entries = list;
    }

    /// <summary>The entries as received.</summary>
    public IReadOnlyList<(short ApiKey, short MinVersion, short MaxVersion)> Entries { get; }

    /// <summary>The broker's range for an API, when it supports it.</summary>
    public bool TryGetRange(ApiKey api, out short min, out short max)
    {
        var key = (int)api;
        if (key >= 0 && key < _ranges.Length && _ranges[key].Max >= 0)
        {
            (min, max) = _ranges[key];
            return true;
        }
        min = max = -1;
        return false;
    }

    /// <summary>
    /// The highest version in both [<paramref name="oldestAllowed"/>, <paramref name="latestAllowed"/>]
    /// and the broker's range, or -1 when they do not overlap or the broker lacks the API. The broker's
    /// newest version is first capped by <see cref="BrokerVersionQuirks.CapVersion"/>.
    /// </summary>
    public short LatestUsableVersion(ApiKey api, short oldestAllowed, short latestAllowed)
    {
        if (!TryGetRange(api, out var min, out var max))
            return -1;
        var usable = Math.Min(BrokerVersionQuirks.CapVersion(api, max), latestAllowed);
        return usable < Math.Max(min, oldestAllowed) ? (short)-1 : usable;
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var parts = new List<string>();
        foreach (var (key, min, max) in Entries)
            parts.Add($"{(ApiKey)key}({key}): {min} to {max}");
        return "(" + string.Join(", ", parts) + ")";
    }
}
