namespace Samsa.Protocol.Headers;

/// <summary>
/// Which request and response header version goes with an API version (KIP-482): flexible API
/// versions use the flexible headers (request v2, response v1), others request v1 and response v0.
/// </summary>
public static class HeaderVersions
{
    /// <summary>The request header version for <paramref name="key"/> at <paramref name="apiVersion"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Samsa does not implement the API.</exception>
    public static short ForRequest(ApiKey key, short apiVersion)
    {
        // Header v0 has no client id; only ControlledShutdown v0 uses it.
        if (key == ApiKey.ControlledShutdown && apiVersion == 0)
            return 0;
        return ApiVersionRanges.Get(key).IsFlexible(apiVersion) ? (short)2 : (short)1;
    }

    /// <summary>The response header version for <paramref name="key"/> at <paramref name="apiVersion"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Samsa does not implement the API.</exception>
    public static short ForResponse(ApiKey key, short apiVersion)
    {
        // ApiVersions responses always use header v0 (KIP-511), so a client that guessed a version the
        // broker does not support can still read the error and the broker's version ranges.
        if (key == ApiKey.ApiVersions)
            return 0;
        return ApiVersionRanges.Get(key).IsFlexible(apiVersion) ? (short)1 : (short)0;
    }
}
