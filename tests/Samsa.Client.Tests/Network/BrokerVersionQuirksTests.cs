using Samsa.Client.Network;
using Samsa.Protocol;

namespace Samsa.Client.Tests.Network;

public sealed class BrokerVersionQuirksTests
{
    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void ListOffsets_is_asked_at_v3_when_the_broker_newest_is_v4_or_v5(short brokerMax)
    {
        Assert.Equal(3, BrokerVersionQuirks.CapVersion(ApiKey.ListOffsets, brokerMax));
        var versions = new NodeApiVersions([((short)ApiKey.ListOffsets, (short)0, brokerMax)]);
        Assert.Equal(3, versions.LatestUsableVersion(ApiKey.ListOffsets, 0, 7));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(6)]
    [InlineData(7)]
    public void ListOffsets_uses_the_broker_newest_version_outside_v4_and_v5(short brokerMax)
    {
        var versions = new NodeApiVersions([((short)ApiKey.ListOffsets, (short)0, brokerMax)]);
        Assert.Equal(brokerMax, versions.LatestUsableVersion(ApiKey.ListOffsets, 0, 7));
    }

    [Fact]
    public void Other_apis_are_not_capped()
    {
        Assert.Equal(5, BrokerVersionQuirks.CapVersion(ApiKey.Fetch, 5));
    }
}
