using Samsa.Protocol;

namespace Samsa.IntegrationTests.Clusters;

/// <summary>
/// What a backend-neutral integration test needs from a cluster: an address, topics and the faults
/// every backend can inject. Suites written against it run on librdkafka's mock cluster and on our
/// embedded broker (as franz-go runs one suite against kfake and real Kafka), so a behaviour that
/// only one backend happens to allow cannot hide.
/// </summary>
public interface ITestCluster : IAsyncDisposable
{
    /// <summary>Backend name for messages ("mock", "embedded").</summary>
    string Name { get; }

    /// <summary>"host:port[,host:port...]".</summary>
    string BootstrapServers { get; }

    /// <summary>Creates <paramref name="name"/> with <paramref name="partitions"/> partitions.</summary>
    void CreateTopic(string name, int partitions = 1);

    /// <summary>Stops broker <paramref name="brokerId"/>: its listener and connections go away.</summary>
    Task SetBrokerDownAsync(int brokerId);

    /// <summary>Brings broker <paramref name="brokerId"/> back on the same port.</summary>
    Task SetBrokerUpAsync(int brokerId);

    /// <summary>The next requests of <paramref name="apiKey"/> (on any broker) fail with <paramref name="errors"/>, one each, in order.</summary>
    void PushRequestErrors(ApiKey apiKey, params ErrorCode[] errors);

    /// <summary>Makes <paramref name="brokerId"/> the leader of the partition.</summary>
    void MoveLeader(string topic, int partition, int brokerId);
}
