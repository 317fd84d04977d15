using Samsa.IntegrationTests.Clusters;
using Xunit.Abstractions;

namespace Samsa.IntegrationTests.Consumer;

/// <summary>The consumer group suite against librdkafka's mock cluster (its group coordinator).</summary>
public sealed class ConsumerGroupMockClusterTests(ITestOutputHelper output) : ConsumerGroupSuite(output)
{
    protected override Task<ITestCluster> StartClusterAsync() => Task.FromResult<ITestCluster>(new MockTestCluster(1));
}
