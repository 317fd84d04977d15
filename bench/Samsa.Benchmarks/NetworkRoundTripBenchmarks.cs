using BenchmarkDotNet.Attributes;
using Samsa.Client.Configuration;
using Samsa.Client.Network;
using Samsa.Protocol.Messages;
using Samsa.Testing;

namespace Samsa.Benchmarks;

/// <summary>
/// Round trips of small requests on one connection with 1 or 5 in flight, against librdkafka's mock
/// cluster over loopback: the cost of NetworkClient's send/poll path (serialise, write from Poll,
/// read loop, event hop, correlate, parse, callback). One operation = one request/response.
/// Run: dotnet run -c Release --project bench/Samsa.Benchmarks -- --filter '*NetworkRoundTrip*'
/// </summary>
[MemoryDiagnoser]
[WarmupCount(2)]
[IterationCount(8)]
public class NetworkRoundTripBenchmarks
{
    private const int RequestsPerOperation = 2000;
    /// <summary>max.in.flight.requests.per.connection.</summary>
    [Params(1, 5)]
    public int InFlight { get; set; }

    private MockCluster _cluster = null!;
    private NetworkClient _client = null!;
    private Node _node = null!;
    private readonly CountingHandler _handler = new();
    private readonly ApiVersionsRequest _apiVersions = new();
    private readonly MetadataRequest _metadata = new() { Topics = [] };

    [GlobalSetup]
    public void Setup()
    {
        _cluster = new MockCluster(1);
        _client = NetworkClient.Create(new ClientOptions { BootstrapServers = _cluster.BootstrapServers, ClientId = "bench" }, maxInFlightRequestsPerConnection: InFlight);
        var broker = _cluster.Brokers[0];
        _node = new Node(broker.Id, broker.Host, broker.Port);
        var deadline = Environment.TickCount64 + 10_000;
        while (!_client.Ready(_node, _client.NowMs()))
        {
            if (Environment.TickCount64 > deadline)
                throw new InvalidOperationException("mock broker did not become ready");
            _client.Poll(10, _client.NowMs());
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _cluster.Dispose();
    }

    [Benchmark(OperationsPerInvoke = RequestsPerOperation)]
    public void ApiVersions() => Run(static (c, n, h, s) => c.NewClientRequest<ApiVersionsRequest, ApiVersionsResponse>(n, s._apiVersions, h));

    [Benchmark(OperationsPerInvoke = RequestsPerOperation)]
    public void MetadataNoTopics() => Run(static (c, n, h, s) => c.NewClientRequest<MetadataRequest, MetadataResponse>(n, s._metadata, h));

    private void Run(Func<NetworkClient, int, IRequestCompletionHandler, NetworkRoundTripBenchmarks, ClientRequest> create)
    {
        _handler.Completed = 0;
        var sent = 0;
        while (_handler.Completed < RequestsPerOperation)
        {
            var now = _client.NowMs();
            while (sent < RequestsPerOperation && _client.IsReady(_node, now))
            {
                _client.Send(create(_client, _node.Id, _handler, this), now);
                sent++;
            }
            _client.Poll(100, now);
        }
        if (_handler.Failed > 0)
            throw new InvalidOperationException($"{_handler.Failed} requests failed");
    }

    private sealed class CountingHandler : IRequestCompletionHandler
    {
        public int Completed;
        public int Failed;

        public void OnComplete(ClientResponse response)
        {
            Completed++;
            if (!response.HasResponse)
                Failed++;
        }
    }
}
