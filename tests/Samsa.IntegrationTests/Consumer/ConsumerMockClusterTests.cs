using Samsa.IntegrationTests.Clusters;
using Xunit.Abstractions;

namespace Samsa.IntegrationTests.Consumer;

/// <summary>The <see cref="ConsumerSuite"/> tests against librdkafka's mock cluster.</summary>
public sealed class ConsumerMockClusterTests(ITestOutputHelper output) : ConsumerSuite(output)
{
    protected override async Task<ITestCluster> StartClusterAsync() => await Task.FromResult<ITestCluster>(new MockTestCluster(1));
}
