using Samsa.IntegrationTests.Clusters;
using Xunit.Abstractions;

namespace Samsa.IntegrationTests.Consumer;

/// <summary>The consumer group suite against librdkafka's mock cluster (its group coordinator).</summary>
// One collection: the two backends' group suites run one after the other, not competing for CPU
// with each other's timed rebalances (and sharing the process-wide LeaderSyncDelayMs).
[Collection(nameof(ConsumerGroupSuite))]
public sealed class ConsumerGroupMockClusterTests(ITestOutputHelper output) : ConsumerGroupSuite(output)
{
    protected override Task<ITestCluster> StartClusterAsync() => Task.FromResult<ITestCluster>(new MockTestCluster(1));
}
