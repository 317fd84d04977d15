using Samsa.IntegrationTests.Clusters;
using Xunit.Abstractions;

namespace Samsa.IntegrationTests.Consumer;

/// <summary>The <see cref="ConsumerSuite"/> tests against our embedded broker.</summary>
public sealed class ConsumerEmbeddedTests(ITestOutputHelper output) : ConsumerSuite(output)
{
    protected override async Task<ITestCluster> StartClusterAsync() => await EmbeddedTestCluster.StartAsync(1);
}
