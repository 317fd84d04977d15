using System.Collections.Concurrent;
using Samsa.Broker;
using Samsa.Broker.Faults;
using Samsa.Protocol;

namespace Samsa.IntegrationTests.Clusters;

/// <summary><see cref="ITestCluster"/> over our embedded broker (Samsa.Broker).</summary>
public sealed class EmbeddedTestCluster : ITestCluster
{
    private readonly ConcurrentDictionary<ApiKey, ConcurrentQueue<ErrorCode>> _pushed = new();

    private EmbeddedTestCluster(EmbeddedCluster cluster) => Cluster = cluster;

    /// <summary>The underlying cluster, for embedded-only hooks.</summary>
    public EmbeddedCluster Cluster { get; }

    /// <summary>Starts a cluster of <paramref name="brokers"/> brokers.</summary>
    public static async Task<EmbeddedTestCluster> StartAsync(int brokers = 1, string? dataDirectory = null) =>
        new(await EmbeddedCluster.StartAsync(new EmbeddedClusterOptions { Brokers = brokers, DataDirectory = dataDirectory }));

    /// <inheritdoc />
    public string Name => "embedded";

    /// <inheritdoc />
    public string BootstrapServers => Cluster.BootstrapServers;

    /// <inheritdoc />
    public void CreateTopic(string name, int partitions = 1) => Cluster.CreateTopic(name, partitions);

    /// <inheritdoc />
    public Task SetBrokerDownAsync(int brokerId) => Cluster.StopBrokerAsync(brokerId);

    /// <inheritdoc />
    public Task SetBrokerUpAsync(int brokerId) => Cluster.StartBrokerAsync(brokerId);

    /// <inheritdoc />
    public void PushRequestErrors(ApiKey apiKey, params ErrorCode[] errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var queue = _pushed.GetOrAdd(apiKey, key =>
        {
            var q = new ConcurrentQueue<ErrorCode>();
            // One interceptor per API drains the queue, so a sequence of different errors keeps its order.
            Cluster.Faults.Intercept(key, (_, _) => q.TryDequeue(out var error) ? InterceptDecision.Fail(error) : null);
            return q;
        });
        foreach (var error in errors) queue.Enqueue(error);
    }

    /// <inheritdoc />
    public void MoveLeader(string topic, int partition, int brokerId) => Cluster.MoveLeader(topic, partition, brokerId);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Cluster.DisposeAsync();

    /// <inheritdoc />
    public override string ToString() => $"EmbeddedCluster({BootstrapServers})";
}
