using Samsa.IntegrationTests.Clusters;
using Xunit.Abstractions;

namespace Samsa.IntegrationTests.Consumer;

/// <summary>The <see cref="ConsumerBehaviourSuite"/> tests against librdkafka's mock cluster.</summary>
public sealed class ConsumerBehaviourMockClusterTests(ITestOutputHelper output) : ConsumerBehaviourSuite(output)
{
    protected override async Task<ITestCluster> StartClusterAsync() => await Task.FromResult<ITestCluster>(new MockTestCluster(1));
}
