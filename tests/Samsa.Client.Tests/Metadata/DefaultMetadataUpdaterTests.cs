using System.Net;
using System.Net.Sockets;
using Samsa.Client.Configuration;
using Samsa.Client.Metadata;
using Samsa.Client.Network;
using Samsa.Client.Tests.Network;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Tests.Metadata;

/// <summary>Metadata refresh through a NetworkClient over the fake selector.</summary>
public sealed class DefaultMetadataUpdaterTests : IDisposable
{
    private readonly FakeTime _time = new();
    private readonly MockSelector _selector = new();
    private readonly ClientMetadata _metadata;
    private readonly NetworkClient _client;

    public DefaultMetadataUpdaterTests() : this(4)
    {
    }

    private DefaultMetadataUpdaterTests(int seed)
    {
        var options = new ClientOptions { BootstrapServers = "127.0.0.1:9092", ClientId = "meta", RequestTimeout = TimeSpan.FromSeconds(5) };
        _metadata = new ClientMetadata(100, 1000, 300_000, random: new Random(2));
        _metadata.Bootstrap([("127.0.0.1", 9092), ("127.0.0.2", 9092)]);
        _client = new NetworkClient(_selector, _metadata, options, _time, random: new Random(seed));
    }

    /// <summary>Bootstrapped from host names through <paramref name="dns"/>, as NetworkClient.Create does.</summary>
    private DefaultMetadataUpdaterTests(string bootstrapServers, IHostResolver dns)
    {
        var options = new ClientOptions { BootstrapServers = bootstrapServers, ClientId = "meta", RequestTimeout = TimeSpan.FromSeconds(5) };
        _metadata = new ClientMetadata(100, 1000, 300_000, random: new Random(2));
        var servers = BootstrapServers.Parse(bootstrapServers);
        _metadata.Bootstrap(BootstrapServers.Resolve(servers, options.ClientDnsLookup, dns), servers);
        _client = new NetworkClient(_selector, _metadata, options, _time, hostResolver: dns, random: new Random(4));
    }

    /// <summary>A DNS whose answers can change between lookups (the cluster moved); null: the name does not resolve.</summary>
    private sealed class ChangingDns : IHostResolver
    {
        public Dictionary<string, string?> Answers { get; } = [];

        public IPAddress[] Resolve(string host)
        {
            if (IPAddress.TryParse(host, out var ip))
                return [ip];
            return Answers.GetValueOrDefault(host) is { } address
                ? [IPAddress.Parse(address)]
                : throw new SocketException((int)SocketError.HostNotFound);
        }
    }

    public void Dispose() => _client.Dispose();

    private long Now => _time.NowMs;

    private static MetadataResponse Response(int leader = 1, int epoch = 1, params int[] brokers)
    {
        var response = new MetadataResponse { ClusterId = "cid", ControllerId = 1 };
        foreach (var id in brokers.Length == 0 ? [1, 2] : brokers)
            response.Brokers.Add(new MetadataResponse.MetadataResponseBroker { NodeId = id, Host = "127.0.0." + id, Port = 9092 });
        response.Topics.Add(new MetadataResponse.MetadataResponseTopic
        {
            Name = "orders",
            Partitions = [new MetadataResponse.MetadataResponsePartition { PartitionIndex = 0, LeaderId = leader, LeaderEpoch = epoch, ReplicaNodes = [1, 2], IsrNodes = [1, 2] }],
        });
        return response;
    }

    /// <summary>Polls (50 ms apart) until a new metadata request has been sent; returns it.</summary>
    private SentRequest PollUntilMetadataSent()
    {
        var before = _selector.Sent.Count(s => s.ApiKey == ApiKey.Metadata);
        for (var i = 0; i < 40; i++)
        {
            _client.Poll(0, Now);
            if (_selector.Sent.Count(s => s.ApiKey == ApiKey.Metadata) > before)
                return _selector.Sent.Last(s => s.ApiKey == ApiKey.Metadata);
            _time.Advance(50);
        }
        throw new InvalidOperationException("no metadata request was sent");
    }

    [Fact]
    public void Bootstrap_connects_to_a_bootstrap_node_and_applies_the_response()
    {
        var sent = PollUntilMetadataSent();
        Assert.True(sent.Destination < 0);
        Assert.Null(sent.Body<MetadataRequest>().Topics); // all topics at v1+
        _selector.Respond(sent, Response());
        _client.Poll(0, Now);

        var cluster = _metadata.Fetch();
        Assert.False(cluster.IsBootstrapConfigured);
        Assert.Equal([1, 2], cluster.Nodes.Select(n => n.Id));
        Assert.Equal(1, cluster.LeaderFor(new TopicPartition("orders", 0))!.Id);
        Assert.Equal("cid", cluster.ClusterId);
    }

    [Fact]
    public void Only_one_metadata_request_is_in_flight_at_a_time()
    {
        PollUntilMetadataSent();
        _metadata.RequestUpdate();
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(500);
            _client.Poll(0, Now);
        }
        Assert.Single(_selector.Sent, s => s.ApiKey == ApiKey.Metadata);
    }

    [Fact]
    public void Empty_metadata_response_is_ignored_and_retried_after_the_backoff()
    {
        var sent = PollUntilMetadataSent();
        _selector.Respond(sent, new MetadataResponse());
        _client.Poll(0, Now);
        Assert.True(_metadata.Fetch().IsBootstrapConfigured);
        Assert.True(_metadata.UpdateRequested());
        Assert.InRange(_metadata.TimeToNextUpdate(Now), 80, 120);

        _client.Poll(0, Now);
        Assert.Single(_selector.Sent, s => s.ApiKey == ApiKey.Metadata);
        _time.Advance(120);
        _client.Poll(0, Now);
        Assert.Equal(2, _selector.Sent.Count(s => s.ApiKey == ApiKey.Metadata));
    }

    [Fact]
    public void Sends_wait_while_a_metadata_update_is_due()
    {
        var sent = PollUntilMetadataSent();
        _selector.Respond(sent, Response());
        _client.Poll(0, Now);
        var node = _metadata.Fetch().NodeById(1)!;
        for (var i = 0; i < 5 && !_client.Ready(node, Now); i++)
            _client.Poll(0, Now);
        Assert.True(_client.IsReady(node, Now));

        _time.Advance(300_001); // metadata.max.age.ms passed
        Assert.False(_client.IsReady(node, Now));
    }

    [Fact]
    public void A_disconnect_requests_a_metadata_refresh_and_a_moved_leader_is_seen()
    {
        var sent = PollUntilMetadataSent();
        _selector.Respond(sent, Response(leader: 1, epoch: 1));
        _client.Poll(0, Now);
        Assert.False(_metadata.UpdateRequested());

        _selector.ServerDisconnect(sent.Destination);
        _client.Poll(0, Now);
        Assert.True(_metadata.UpdateRequested());

        var refresh = PollUntilMetadataSent();
        Assert.NotEqual(sent.CorrelationId, refresh.CorrelationId);
        _selector.Respond(refresh, Response(leader: 2, epoch: 2));
        _client.Poll(0, Now);
        Assert.Equal(2, _metadata.Fetch().LeaderFor(new TopicPartition("orders", 0))!.Id);
    }

    [Fact]
    public void A_failed_bootstrap_connect_backs_off_instead_of_spinning()
    {
        _selector.AlwaysFailConnect.UnionWith([-1, -2]);
        _client.Poll(0, Now); // connect attempt
        _client.Poll(0, Now); // its failure
        var connects = _selector.Connects.Count;
        Assert.Equal(1, connects);

        _client.Poll(10_000, Now);
        _client.Poll(10_000, Now);
        Assert.Equal(connects, _selector.Connects.Count);
        Assert.InRange(_selector.LastPollTimeoutMs, 1, 1200);
    }

    [Fact]
    public void Every_bootstrap_address_is_tried_when_one_is_dead()
    {
        var deadFirst = 0;
        for (var seed = 0; seed < 10; seed++)
        {
            using var test = new DefaultMetadataUpdaterTests(seed);
            test._selector.AlwaysFailConnect.Add(-1);
            var sent = test.PollUntilMetadataSent();
            Assert.Equal(-2, sent.Destination);
            if (test._selector.Connects[0].Id == -1)
                deadFirst++;
        }
        Assert.True(deadFirst > 0, "no seed tried the dead address first");
    }

    /// <summary>Learns brokers 1 and 2 from a bootstrap node, then loses them all until the client rebootstraps.</summary>
    private void LoseEveryKnownBroker()
    {
        var sent = PollUntilMetadataSent();
        _selector.Respond(sent, Response(brokers: [1, 2]));
        _client.Poll(0, Now);
        Assert.False(_metadata.Fetch().IsBootstrapConfigured);
        // The bootstrap connection goes away and both real brokers refuse connections.
        _selector.ServerDisconnect(sent.Destination);
        _selector.AlwaysFailConnect.UnionWith([1, 2]);
        for (var i = 0; i < 40 && !_metadata.Fetch().IsBootstrapConfigured; i++)
        {
            _client.Poll(0, Now);
            _time.Advance(100);
        }
        Assert.Contains(_selector.Connects, c => c.Id == 1);
        Assert.Contains(_selector.Connects, c => c.Id == 2);
        Assert.True(_metadata.Fetch().IsBootstrapConfigured);
    }

    [Fact]
    public void All_known_brokers_unreachable_triggers_a_rebootstrap()
    {
        LoseEveryKnownBroker();

        // The bootstrap address still works, so metadata comes back from it.
        var again = PollUntilMetadataSent();
        Assert.True(again.Destination < 0);
    }

    [Fact]
    public void A_rebootstrap_resolves_the_bootstrap_server_names_again()
    {
        var dns = new ChangingDns { Answers = { ["kafka.example"] = "127.0.0.1" } };
        using var t = new DefaultMetadataUpdaterTests("kafka.example:9092", dns);
        Assert.Equal([("127.0.0.1", 9092)], t._metadata.BootstrapAddresses);
        // The cluster moves: the same name now points elsewhere.
        dns.Answers["kafka.example"] = "127.0.0.9";

        t.LoseEveryKnownBroker();

        Assert.Equal([("127.0.0.9", 9092)], t._metadata.BootstrapAddresses);
        Assert.Equal(["127.0.0.9"], t._metadata.Fetch().Nodes.Select(n => n.Host));
        var again = t.PollUntilMetadataSent();
        Assert.True(again.Destination < 0);
        Assert.Equal(IPAddress.Parse("127.0.0.9"), t._selector.Connects[^1].Address.Address);
    }

    [Fact]
    public void A_rebootstrap_keeps_the_previous_addresses_when_no_name_resolves()
    {
        var dns = new ChangingDns { Answers = { ["kafka.example"] = "127.0.0.1" } };
        using var t = new DefaultMetadataUpdaterTests("kafka.example:9092", dns);
        dns.Answers["kafka.example"] = null;

        t.LoseEveryKnownBroker();

        Assert.Equal([("127.0.0.1", 9092)], t._metadata.BootstrapAddresses);
        var again = t.PollUntilMetadataSent();
        Assert.True(again.Destination < 0);
        Assert.Equal(IPAddress.Parse("127.0.0.1"), t._selector.Connects[^1].Address.Address);
    }

    [Fact]
    public void A_rebootstrap_keeps_the_previous_addresses_after_the_new_ones_when_some_names_fail()
    {
        var dns = new ChangingDns { Answers = { ["a.example"] = "127.0.0.1", ["b.example"] = "127.0.0.2" } };
        using var t = new DefaultMetadataUpdaterTests("a.example:9092,b.example:9092", dns);
        dns.Answers["a.example"] = "127.0.0.9";
        dns.Answers["b.example"] = null;

        t.LoseEveryKnownBroker();

        Assert.Equal([("127.0.0.9", 9092), ("127.0.0.1", 9092), ("127.0.0.2", 9092)], t._metadata.BootstrapAddresses);
    }
}
