using Samsa.Protocol.Headers;

namespace Samsa.Protocol.Tests.Headers;

public class HeaderVersionsTests
{
    [Theory]
    [InlineData(ApiKey.ControlledShutdown, 0, 0)]
    [InlineData(ApiKey.ControlledShutdown, 1, 1)]
    [InlineData(ApiKey.Metadata, 8, 1)]
    [InlineData(ApiKey.Metadata, 9, 2)]
    [InlineData(ApiKey.Produce, 8, 1)]
    [InlineData(ApiKey.Produce, 9, 2)]
    [InlineData(ApiKey.ApiVersions, 2, 1)]
    [InlineData(ApiKey.ApiVersions, 3, 2)]
    public void Request_header_version_follows_flexibility(ApiKey key, short apiVersion, short expected)
        => Assert.Equal(expected, HeaderVersions.ForRequest(key, apiVersion));

    [Theory]
    [InlineData(ApiKey.Metadata, 8, 0)]
    [InlineData(ApiKey.Metadata, 9, 1)]
    [InlineData(ApiKey.Fetch, 12, 1)]
    [InlineData(ApiKey.ApiVersions, 0, 0)]
    [InlineData(ApiKey.ApiVersions, 3, 0)]
    [InlineData(ApiKey.ApiVersions, 4, 0)]
    public void Response_header_version_follows_flexibility_except_for_api_versions(ApiKey key, short apiVersion, short expected)
        => Assert.Equal(expected, HeaderVersions.ForResponse(key, apiVersion));
}
