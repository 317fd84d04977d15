using Samsa.Protocol;
using Samsa.Testing;

namespace Samsa.IntegrationTests.Clusters;

/// <summary><see cref="ITestCluster"/> over librdkafka's mock cluster.</summary>
public sealed class MockTestCluster(int brokers = 1) : ITestCluster
{
    /// <summary>The underlying mock, for mock-only hooks.</summary>
    public MockCluster Mock { get; } = new(brokers);

    /// <inheritdoc />
    public string Name => "mock";

    /// <inheritdoc />
    public string BootstrapServers => Mock.BootstrapServers;

    /// <inheritdoc />
    public void CreateTopic(string name, int partitions = 1) => Mock.CreateTopic(name, partitions);

    /// <inheritdoc />
    public Task SetBrokerDownAsync(int brokerId)
    {
        Mock.SetBrokerDown(brokerId);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task SetBrokerUpAsync(int brokerId)
    {
        Mock.SetBrokerUp(brokerId);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void PushRequestErrors(ApiKey apiKey, params ErrorCode[] errors) => Mock.PushRequestErrors(apiKey, errors);

    /// <inheritdoc />
    public void MoveLeader(string topic, int partition, int brokerId) => Mock.SetPartitionLeader(topic, partition, brokerId);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Mock.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override string ToString() => Mock.ToString();
}
