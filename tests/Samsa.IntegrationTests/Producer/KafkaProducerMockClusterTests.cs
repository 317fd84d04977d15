using Samsa.IntegrationTests.Clusters;
using Samsa.Testing;
using Xunit.Abstractions;

namespace Samsa.IntegrationTests.Producer;

/// <summary>The producer suite against librdkafka's mock cluster.</summary>
public sealed class KafkaProducerMockClusterTests(ITestOutputHelper output) : KafkaProducerSuite(output)
{
    protected override int RetryTestMaxInFlight => 1;

    protected override Task<ITestCluster> StartClusterAsync(int brokers = 1) => Task.FromResult<ITestCluster>(new MockTestCluster(brokers));
}
