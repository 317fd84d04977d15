using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Client.Consumer;
using Samsa.Client.Errors;
using Samsa.Client.Metadata;
using Samsa.Client.Network;
using Samsa.Client.Tests.Network;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Tests.Consumer;

/// <summary>
/// The consumer's request layer (seed 003's ConsumerNetworkClient) over a real <see cref="NetworkClient"/>
/// driven by a scripted selector and a fake clock: the unsent queue, expiry of requests that never
/// went out, disconnect checks after each poll, futures completed outside the lock, and wakeups.
/// </summary>
public sealed class ConsumerNetworkClientTests : IDisposable
{
    static readonly Node Node1 = new(1, "127.0.0.1", 9092);

    readonly FakeTime _time = new();
    readonly MockSelector _selector = new();
    readonly ClientMetadata _metadata = new(100, 1000, 300_000);
    readonly NetworkClient _network;
    readonly ConsumerNetworkClient _client;

    public ConsumerNetworkClientTests()
    {
        var config = new ConsumerConfig { BootstrapServers = "127.0.0.1:9092", ClientId = "cnc-test" };
        _network = new NetworkClient(_selector, null, config.ToClientOptions(), _time, metadataUpdater: new ManualMetadataUpdater([Node1]));
        _client = new ConsumerNetworkClient(_network, _metadata, _time, NullLogger.Instance, 100, 30_000);
    }

    public void Dispose()
    {
        _client.Dispose();
        _network.Dispose();
    }

    RequestFuture SendMetadata(int? requestTimeoutMs = null) =>
        _client.Send<MetadataRequest, MetadataResponse>(Node1, new MetadataRequest { Topics = null }, requestTimeoutMs);

    void PollOnce() => _client.Poll(new ConsumerTimer(_time, 0), null);

    static MetadataResponse SomeMetadata() => new()
    {
        Brokers = [new MetadataResponse.MetadataResponseBroker { NodeId = 1, Host = "127.0.0.1", Port = 9092 }],
    };

    [Fact]
    public void A_request_waits_unsent_until_its_node_is_ready_then_goes_out_and_completes_its_future()
    {
        var future = SendMetadata();
        Assert.Empty(_selector.Sent);
        Assert.True(_client.HasPendingRequests(Node1.Id));
        // Connect, then ApiVersions, then the request itself: bounded polls, no waiting on a clock.
        for (var i = 0; i < 5 && !_selector.Sent.Exists(s => s.ApiKey == ApiKey.Metadata); i++) PollOnce();
        var sent = _selector.LastSent(ApiKey.Metadata, Node1.Id);
        Assert.False(future.IsDone);

        _selector.Respond(sent, SomeMetadata());
        Assert.True(_client.Poll(future, new ConsumerTimer(_time, 0)));
        Assert.True(future.Succeeded);
        Assert.Equal(9092, future.Value.GetBody<MetadataResponse>().Brokers[0].Port);
        Assert.False(_client.HasPendingRequests());
    }

    [Fact]
    public void A_request_that_cannot_be_sent_within_its_timeout_fails_as_timed_out()
    {
        _selector.HangConnect.Add(Node1.Id); // the connect neither succeeds nor fails
        var future = SendMetadata(requestTimeoutMs: 500);
        PollOnce();
        _time.Advance(499);
        PollOnce();
        Assert.False(future.IsDone);

        _time.Advance(1);
        PollOnce();
        var e = Assert.IsType<KafkaConnectionException>(future.Exception);
        Assert.Equal(ErrorCode.RequestTimedOut, e.Code);
        Assert.Contains("could not be sent within 500 ms", e.Message, StringComparison.Ordinal);
        Assert.True(future.IsRetriable);
        Assert.DoesNotContain(_selector.Sent, s => s.ApiKey == ApiKey.Metadata);
    }

    [Fact]
    public void Unsent_requests_to_a_node_whose_connect_failed_fail_right_after_the_poll()
    {
        _selector.AlwaysFailConnect.Add(Node1.Id);
        var first = SendMetadata();
        var second = SendMetadata();
        PollOnce();
        PollOnce();
        Assert.True(first.Failed);
        Assert.True(second.Failed);
        var e = Assert.IsType<KafkaConnectionException>(first.Exception);
        Assert.Equal(Node1.Id, e.NodeId);
        Assert.True(first.IsRetriable);
        Assert.True(_client.IsUnavailable(Node1));
    }

    [Fact]
    public void A_disconnect_while_the_request_is_in_flight_fails_its_future_as_retriable()
    {
        var future = SendMetadata();
        for (var i = 0; i < 5 && !_selector.Sent.Exists(s => s.ApiKey == ApiKey.Metadata); i++) PollOnce();
        _selector.ServerDisconnect(Node1.Id);
        PollOnce();
        Assert.True(future.Failed);
        Assert.IsType<KafkaConnectionException>(future.Exception);
        Assert.True(future.IsRetriable);
    }

    [Fact]
    public void DisconnectAsync_from_another_thread_fails_queued_requests_on_the_polling_thread()
    {
        _selector.HangConnect.Add(Node1.Id);
        var future = SendMetadata();
        PollOnce();
        var wakeupsBefore = _selector.Wakeups;
        Task.Run(() => _client.DisconnectAsync(Node1)).Wait(TimeSpan.FromSeconds(10));
        Assert.False(future.IsDone); // nothing happens off the polling thread
        Assert.True(_selector.Wakeups > wakeupsBefore);
        PollOnce();
        Assert.True(future.Failed);
        Assert.Contains("Disconnected from node 1", future.Exception!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Listeners_run_outside_the_lock_so_they_may_send_and_another_thread_is_not_blocked()
    {
        var future = SendMetadata();
        for (var i = 0; i < 5 && !_selector.Sent.Exists(s => s.ApiKey == ApiKey.Metadata); i++) PollOnce();
        var otherThreadGotIn = false;
        RequestFuture? followUp = null;
        future.AddListener(
            _ =>
            {
                // Another thread (the heartbeat thread, say) takes the client's lock: with the lock held
                // here it would block until this listener returned, and the bounded wait would fail.
                otherThreadGotIn = Task.Run(() => _client.HasPendingRequests()).Wait(TimeSpan.FromSeconds(10));
                followUp = SendMetadata();
            },
            _ => { });
        _selector.Respond(_selector.LastSent(ApiKey.Metadata, Node1.Id), SomeMetadata());
        PollOnce();
        Assert.True(future.Succeeded);
        Assert.True(otherThreadGotIn, "the listener ran while the client's lock was held");
        Assert.NotNull(followUp);
        PollOnce();
        Assert.Equal(2, _selector.Sent.Count(s => s.ApiKey == ApiKey.Metadata));
    }

    [Fact]
    public void A_send_from_another_thread_wakes_a_blocked_network_poll()
    {
        var before = _selector.Wakeups;
        Task.Run(() => SendMetadata()).Wait(TimeSpan.FromSeconds(10));
        Assert.True(_selector.Wakeups > before);
    }

    [Fact]
    public void Wakeup_makes_one_poll_throw_and_is_held_while_wakeups_are_disabled()
    {
        _client.Wakeup();
        Assert.Throws<ConsumerWakeupException>(PollOnce);
        PollOnce(); // the flag was taken once

        _client.Wakeup();
        _client.DisableWakeups();
        PollOnce(); // e.g. during Close or on the heartbeat thread
        _client.Poll(new ConsumerTimer(_time, 0), null, disableWakeup: true);
        _client.EnableWakeups();
        Assert.Throws<ConsumerWakeupException>(PollOnce);
    }

    [Fact]
    public void A_cancelled_call_token_throws_but_leaves_no_flag_for_the_next_call()
    {
        using var cts = new CancellationTokenSource();
        _client.Cancellation = cts.Token;
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(PollOnce);
        _client.Cancellation = CancellationToken.None;
        PollOnce();
    }

    [Fact]
    public void Dispose_fails_requests_that_never_went_out()
    {
        _selector.HangConnect.Add(Node1.Id);
        var future = SendMetadata();
        PollOnce();
        _client.Dispose();
        Assert.IsType<ObjectDisposedException>(future.Exception);
    }
}
