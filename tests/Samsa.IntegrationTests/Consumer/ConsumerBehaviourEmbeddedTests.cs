using Samsa.IntegrationTests.Clusters;
using Xunit.Abstractions;

namespace Samsa.IntegrationTests.Consumer;

/// <summary>The <see cref="ConsumerBehaviourSuite"/> tests against our embedded broker.</summary>
public sealed class ConsumerBehaviourEmbeddedTests(ITestOutputHelper output) : ConsumerBehaviourSuite(output)
{
    protected override async Task<ITestCluster> StartClusterAsync() => await EmbeddedTestCluster.StartAsync(1);
}
