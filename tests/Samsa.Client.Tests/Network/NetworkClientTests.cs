using Samsa.Client.Configuration;
using Samsa.Client.Errors;
using Samsa.Client.Metadata;
using Samsa.Client.Network;
using Samsa.Protocol;
using Samsa.Protocol.Errors;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Tests.Network;

public sealed class NetworkClientTests : IDisposable
{
    private readonly FakeTime _time = new();
    private readonly MockSelector _selector = new();
    private readonly Node _node = new(1, "127.0.0.1", 9092);
    private readonly Node _node2 = new(2, "127.0.0.1", 9093);
    private readonly NetworkClient _client;
    private readonly List<ClientResponse> _completed = [];

    public NetworkClientTests()
    {
        _client = NewClient(new ClientOptions { BootstrapServers = "127.0.0.1:9092", ClientId = "test", RequestTimeout = TimeSpan.FromMilliseconds(1000) });
    }

    public void Dispose() => _client.Dispose();

    private NetworkClient NewClient(ClientOptions options, int? maxInFlight = null)
        => new(_selector, null, options, _time, metadataUpdater: new ManualMetadataUpdater([_node, _node2]),
            maxInFlightRequestsPerConnection: maxInFlight, random: new Random(7));

    private long Now => _time.NowMs;

    private void AwaitReady(NetworkClient client, Node node)
    {
        for (var i = 0; i < 5 && !client.Ready(node, Now); i++)
            client.Poll(0, Now);
        Assert.True(client.IsReady(node, Now), $"node {node.Id} did not become ready");
    }

    private ClientRequest MetadataRequestTo(Node node, bool expectResponse = true, short? oldest = null, short? latest = null)
        => _client.NewClientRequest<MetadataRequest, MetadataResponse>(node.Id, new MetadataRequest { Topics = null },
            new RequestCompletionHandler(_completed.Add), expectResponse, oldestAllowedVersion: oldest, latestAllowedVersion: latest);

    private static MetadataResponse SomeMetadata() => new()
    {
        Brokers = [new MetadataResponse.MetadataResponseBroker { NodeId = 1, Host = "127.0.0.1", Port = 9092 }],
    };

    [Fact]
    public void Ready_connects_then_negotiates_api_versions_before_reporting_ready()
    {
        Assert.False(_client.Ready(_node, Now));
        Assert.Equal(ConnectionState.Connecting, _client.ConnectionStateOf(1));
        Assert.Single(_selector.Connects);

        _client.Poll(0, Now); // connected; ApiVersions sent
        Assert.Equal(ConnectionState.CheckingApiVersions, _client.ConnectionStateOf(1));
        var apiVersions = _selector.LastSent(ApiKey.ApiVersions);
        Assert.Equal(ApiVersionsRequest.HighestVersion, apiVersions.Version);
        var body = apiVersions.Body<ApiVersionsRequest>();
        Assert.Equal(NetworkClient.ClientSoftwareName, body.ClientSoftwareName);
        Assert.False(string.IsNullOrEmpty(body.ClientSoftwareVersion));
        Assert.False(_client.IsReady(_node, Now));

        _client.Poll(0, Now); // ApiVersions response
        Assert.True(_client.IsReady(_node, Now));
        Assert.NotNull(_client.ApiVersions.Get(1));
    }

    [Fact]
    public void Send_to_a_node_that_is_not_ready_throws()
    {
        var request = MetadataRequestTo(_node);
        var e = Assert.Throws<InvalidOperationException>(() => _client.Send(request, Now));
        Assert.Contains("not ready", e.Message);
    }

    [Fact]
    public void Request_goes_out_at_the_highest_version_both_sides_support_and_its_response_reaches_the_callback()
    {
        _selector.BrokerVersions[1] = (ApiKey.Metadata, 0, 5);
        AwaitReady(_client, _node);

        _client.Send(MetadataRequestTo(_node), Now);
        _client.Poll(0, Now);
        var sent = _selector.LastSent(ApiKey.Metadata);
        Assert.Equal(5, sent.Version);
        Assert.Equal("test", sent.ClientId);
        Assert.Empty(_completed);

        _selector.Respond(sent, SomeMetadata());
        var responses = _client.Poll(0, Now);
        var response = Assert.Single(_completed);
        Assert.Same(response, Assert.Single(responses));
        Assert.Equal(5, response.Version);
        Assert.False(response.WasDisconnected);
        Assert.Equal(9092, response.GetBody<MetadataResponse>().Brokers[0].Port);
    }

    [Fact]
    public void Old_broker_versions_are_honoured_down_to_v0()
    {
        _selector.BrokerVersions[1] = (ApiKey.Metadata, 0, 0);
        AwaitReady(_client, _node);
        var request = _client.NewClientRequest<MetadataRequest, MetadataResponse>(_node.Id,
            v => NetworkClient.BuildMetadataRequest(new MetadataRequestTarget(null, 0, true), v), new RequestCompletionHandler(_completed.Add));
        _client.Send(request, Now);
        _client.Poll(0, Now);
        var sent = _selector.LastSent(ApiKey.Metadata);
        Assert.Equal(0, sent.Version);
        // v0 has no null array: "all topics" is the empty list.
        Assert.Empty(sent.Body<MetadataRequest>().Topics!);
    }

    [Fact]
    public void Request_without_a_common_version_fails_with_unsupported_version_without_being_sent()
    {
        _selector.BrokerVersions[1] = (ApiKey.Metadata, 0, 2);
        AwaitReady(_client, _node);
        var before = _selector.Sent.Count;

        _client.Send(MetadataRequestTo(_node, oldest: 5), Now);
        _client.Poll(0, Now);

        var response = Assert.Single(_completed);
        Assert.True(response.IsVersionMismatch);
        Assert.Equal(ErrorCode.UnsupportedVersion, response.Error!.Code);
        Assert.Contains("v0-v2", response.Error.Message);
        Assert.Equal(before, _selector.Sent.Count);
    }

    [Fact]
    public void Api_versions_unsupported_version_is_retried_at_the_version_the_broker_lists()
    {
        _selector.AutoRespondApiVersions = false;
        _client.Ready(_node, Now);
        _client.Poll(0, Now);
        var first = _selector.LastSent(ApiKey.ApiVersions);
        Assert.Equal(4, first.Version);
        // A broker that does not know v4 answers in the v0 format, listing its ApiVersions range.
        var error = new ApiVersionsResponse
        {
            ErrorCode = (short)ErrorCode.UnsupportedVersion,
            ApiKeys = [new ApiVersionsResponse.ApiVersion { ApiKey = (short)ApiKey.ApiVersions, MinVersion = 0, MaxVersion = 2 }],
        };
        _selector.RespondRaw(1, MockSelector.EncodeResponse(ApiKey.ApiVersions, 0, first.CorrelationId, error, 3));
        _client.Poll(0, Now);
        _client.Poll(0, Now);

        var retry = _selector.LastSent(ApiKey.ApiVersions);
        Assert.Equal(2, retry.Version);
        var ok = new ApiVersionsResponse { ApiKeys = [new ApiVersionsResponse.ApiVersion { ApiKey = (short)ApiKey.Metadata, MinVersion = 0, MaxVersion = 1 }] };
        _selector.Respond(retry, ok);
        _client.Poll(0, Now);
        Assert.True(_client.IsReady(_node, Now));
        Assert.Equal(1, _client.ApiVersions.Get(1)!.LatestUsableVersion(ApiKey.Metadata, 0, 12));
    }

    [Fact]
    public void Mock_cluster_style_unsupported_version_body_is_understood()
    {
        // librdkafka 2.0's mock: error 35, count as one varint (no +1), one entry, throttle time.
        byte[] body = [0, 35, 1, 0, 18, 0, 0, 0, 2, 0, 0, 0, 0];
        var reader = new Samsa.Protocol.Primitives.KafkaReader(body.AsMemory());
        var parsed = NetworkClient.ReadApiVersionsResponse(ref reader, 3);
        Assert.Equal((short)ErrorCode.UnsupportedVersion, parsed.ErrorCode);
        var entry = Assert.Single(parsed.ApiKeys);
        Assert.Equal((18, 0, 2), (entry.ApiKey, entry.MinVersion, entry.MaxVersion));
    }

    [Fact]
    public void Correlation_id_mismatch_closes_the_connection_and_fails_in_flight_requests()
    {
        AwaitReady(_client, _node);
        _client.Send(MetadataRequestTo(_node), Now);
        _client.Poll(0, Now);
        var sent = _selector.LastSent(ApiKey.Metadata);

        _selector.Respond(sent, SomeMetadata(), correlationId: sent.CorrelationId + 100);
        _client.Poll(0, Now);

        var response = Assert.Single(_completed);
        Assert.True(response.WasDisconnected);
        Assert.False(response.HasResponse);
        Assert.IsType<KafkaConnectionException>(response.Error);
        Assert.False(_selector.IsOpen(1));
        Assert.Equal(ConnectionState.Disconnected, _client.ConnectionStateOf(1));
        Assert.Null(_client.ApiVersions.Get(1));
    }

    [Fact]
    public void Server_disconnect_completes_in_flight_requests_as_disconnected_and_backs_off()
    {
        AwaitReady(_client, _node);
        _client.Send(MetadataRequestTo(_node), Now);
        _client.Poll(0, Now);

        _selector.ServerDisconnect(1);
        _client.Poll(0, Now);

        var response = Assert.Single(_completed);
        Assert.True(response.WasDisconnected);
        Assert.False(response.WasTimedOut);
        Assert.True(response.Error!.IsRetriable);
        Assert.Equal(0, _client.InFlightRequestCount());
        Assert.True(_client.IsBlackedOut(_node, Now));
        Assert.False(_client.Ready(_node, Now));
        Assert.Single(_selector.Connects); // no reconnect inside the backoff
        _time.Advance(1000);
        Assert.False(_client.Ready(_node, Now));
        Assert.Equal(2, _selector.Connects.Count);
    }

    [Fact]
    public void Request_timeout_closes_the_connection_and_marks_the_response_timed_out()
    {
        AwaitReady(_client, _node);
        _client.Send(MetadataRequestTo(_node), Now);
        _client.Poll(0, Now);
        _time.Advance(999);
        _client.Poll(0, Now);
        Assert.Empty(_completed);

        _time.Advance(2);
        _client.Poll(0, Now);

        var response = Assert.Single(_completed);
        Assert.True(response.WasDisconnected);
        Assert.True(response.WasTimedOut);
        Assert.Equal(ErrorCode.RequestTimedOut, response.Error!.Code);
        Assert.False(_selector.IsOpen(1));
        Assert.Equal(ConnectionState.Disconnected, _client.ConnectionStateOf(1));
    }

    [Fact]
    public void Poll_waits_no_longer_than_the_next_request_timeout()
    {
        AwaitReady(_client, _node);
        _client.Send(MetadataRequestTo(_node), Now);
        _time.Advance(400);
        _client.Poll(10_000, Now);
        Assert.Equal(600, _selector.LastPollTimeoutMs);
    }

    [Fact]
    public void A_throwing_callback_does_not_stop_the_other_callbacks()
    {
        AwaitReady(_client, _node);
        var calls = 0;
        var throwing = _client.NewClientRequest<MetadataRequest, MetadataResponse>(1, new MetadataRequest(),
            new RequestCompletionHandler(_ => { calls++; throw new InvalidOperationException("boom"); }));
        _client.Send(throwing, Now);
        _client.Poll(0, Now);
        _client.Send(MetadataRequestTo(_node), Now);
        _client.Poll(0, Now);
        var sent = _selector.Sent.Where(s => s.ApiKey == ApiKey.Metadata).ToList();
        Assert.Equal(2, sent.Count);
        _selector.Respond(sent[0], SomeMetadata());
        _selector.Respond(sent[1], SomeMetadata());

        var responses = _client.Poll(0, Now);

        Assert.Equal(2, responses.Count);
        Assert.Equal(1, calls);
        Assert.Single(_completed);
        Assert.True(_client.IsReady(_node, Now));
    }

    [Fact]
    public void Request_expecting_no_response_completes_once_written()
    {
        AwaitReady(_client, _node);
        _selector.HoldSends = true;
        _client.Send(MetadataRequestTo(_node, expectResponse: false), Now);
        _client.Poll(0, Now);
        Assert.Empty(_completed);
        Assert.Equal(1, _client.InFlightRequestCount());

        _selector.ReleaseSends();
        _client.Poll(0, Now);
        var response = Assert.Single(_completed);
        Assert.False(response.HasResponse);
        Assert.False(response.WasDisconnected);
        Assert.Equal(0, _client.InFlightRequestCount());
    }

    [Fact]
    public void Max_in_flight_limits_requests_per_connection_and_waits_for_the_previous_write()
    {
        using var client = NewClient(new ClientOptions { BootstrapServers = "x:1", ClientId = "test" }, maxInFlight: 2);
        AwaitReady(client, _node);
        _selector.HoldSends = true;
        client.Send(client.NewClientRequest<MetadataRequest, MetadataResponse>(1, new MetadataRequest()), Now);
        Assert.False(client.IsReady(_node, Now)); // the first request is not written yet

        _selector.ReleaseSends();
        client.Poll(0, Now);
        Assert.True(client.IsReady(_node, Now));
        client.Send(client.NewClientRequest<MetadataRequest, MetadataResponse>(1, new MetadataRequest()), Now);
        client.Poll(0, Now);
        Assert.Equal(2, client.InFlightRequestCount(1));
        Assert.False(client.IsReady(_node, Now)); // two in flight = the limit
        Assert.Throws<InvalidOperationException>(() => client.Send(client.NewClientRequest<MetadataRequest, MetadataResponse>(1, new MetadataRequest()), Now));

        _selector.Respond(_selector.Sent.First(s => s.ApiKey == ApiKey.Metadata), SomeMetadata());
        client.Poll(0, Now);
        Assert.True(client.IsReady(_node, Now));
    }

    [Fact]
    public void Connection_setup_timeout_disconnects_a_hanging_connect()
    {
        _selector.HangConnect.Add(1);
        _client.Ready(_node, Now);
        _client.Poll(0, Now);
        Assert.Equal(ConnectionState.Connecting, _client.ConnectionStateOf(1));

        _time.Advance(12_001); // 10 s +20% jitter at most
        _client.Poll(0, Now);

        Assert.Equal(ConnectionState.Disconnected, _client.ConnectionStateOf(1));
        Assert.True(_client.ConnectionFailed(_node));
    }

    [Fact]
    public void Failed_connect_is_reported_and_retried_after_the_backoff()
    {
        _selector.FailConnect.Add(1);
        _client.Ready(_node, Now);
        _client.Poll(0, Now);
        Assert.True(_client.ConnectionFailed(_node));
        var delay = _client.ConnectionDelay(_node, Now);
        Assert.InRange(delay, 40, 60);

        _time.Advance(delay);
        Assert.False(_client.Ready(_node, Now));
        Assert.Equal(2, _selector.Connects.Count);
        _client.Poll(0, Now);
        _client.Poll(0, Now);
        Assert.True(_client.IsReady(_node, Now));
    }

    [Fact]
    public void Client_disconnect_fails_in_flight_requests_on_the_next_poll()
    {
        AwaitReady(_client, _node);
        _client.Send(MetadataRequestTo(_node), Now);
        _client.Disconnect(1);
        Assert.Empty(_completed);
        _client.Poll(0, Now);
        Assert.True(Assert.Single(_completed).WasDisconnected);
        Assert.False(_selector.IsOpen(1));
    }

    [Fact]
    public void Unparseable_response_fails_only_that_request()
    {
        AwaitReady(_client, _node);
        _client.Send(MetadataRequestTo(_node), Now);
        _client.Poll(0, Now);
        var sent = _selector.LastSent(ApiKey.Metadata);
        byte[] garbage = [0, 0, 0, (byte)sent.CorrelationId, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff];
        garbage[3] = (byte)sent.CorrelationId;
        _selector.RespondRaw(1, garbage);
        _client.Poll(0, Now);
        var response = Assert.Single(_completed);
        Assert.IsAssignableFrom<KafkaProtocolException>(response.Error);
        Assert.False(response.WasDisconnected);
        Assert.True(_selector.IsOpen(1));
    }

    [Fact]
    public void Least_loaded_node_prefers_ready_nodes_with_fewest_in_flight_and_skips_blacked_out_ones()
    {
        AwaitReady(_client, _node);
        AwaitReady(_client, _node2);
        _client.Send(MetadataRequestTo(_node), Now);
        _client.Poll(0, Now);
        Assert.Equal(2, _client.LeastLoadedNode(Now).Node!.Id);

        _selector.ServerDisconnect(2);
        _client.Poll(0, Now);
        Assert.True(_client.IsBlackedOut(_node2, Now));
        var choice = _client.LeastLoadedNode(Now);
        Assert.Equal(1, choice.Node!.Id);
        Assert.True(choice.AtLeastOneConnectionReady);
    }

    [Fact]
    public void Least_loaded_node_is_null_when_every_node_is_blacked_out()
    {
        _selector.FailConnect.UnionWith([1, 2]);
        _client.Ready(_node, Now);
        _client.Ready(_node2, Now);
        _client.Poll(0, Now);
        var choice = _client.LeastLoadedNode(Now);
        Assert.Null(choice.Node);
        Assert.False(choice.HasNodeAvailableOrConnectionReady);
    }

    [Fact]
    public void Wakeup_reaches_the_selector()
    {
        _client.Wakeup();
        Assert.Equal(1, _selector.Wakeups);
    }
}
