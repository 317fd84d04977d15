using System.Net;
using Samsa.Client.Network;

namespace Samsa.Client.Tests.Network;

public sealed class ClusterConnectionStatesTests
{
    private const int Node = 1;
    private readonly FakeResolver _resolver = new();

    private ClusterConnectionStates NewStates(long backoff = 50, long backoffMax = 1000, long setup = 10_000, long setupMax = 30_000, int seed = 3)
        => new(backoff, backoffMax, setup, setupMax, _resolver, random: new Random(seed));

    [Fact]
    public void Unknown_node_can_connect_at_once()
    {
        var states = NewStates();
        Assert.True(states.CanConnect(Node, 0));
        Assert.False(states.IsBlackedOut(Node, 0));
        Assert.Equal(0, states.ConnectionDelay(Node, 0));
    }

    [Fact]
    public void Disconnected_node_is_blacked_out_for_the_reconnect_backoff()
    {
        var states = NewStates();
        states.Connecting(Node, 1000, "localhost");
        Assert.False(states.CanConnect(Node, 1000));
        Assert.Equal(long.MaxValue, states.ConnectionDelay(Node, 1000));
        states.Disconnected(Node, 1000);
        var backoff = states.ReconnectBackoffMs(Node);
        Assert.InRange(backoff, 40, 60);
        Assert.True(states.IsBlackedOut(Node, 1000 + backoff - 1));
        Assert.Equal(1, states.ConnectionDelay(Node, 1000 + backoff - 1));
        Assert.False(states.CanConnect(Node, 1000 + backoff - 1));
        Assert.True(states.CanConnect(Node, 1000 + backoff));
        Assert.False(states.IsBlackedOut(Node, 1000 + backoff));
    }

    [Fact]
    public void Reconnect_backoff_doubles_per_failure_within_20_percent_jitter_up_to_the_max()
    {
        for (var seed = 0; seed < 50; seed++)
        {
            var states = NewStates(seed: seed);
            long now = 0;
            for (var attempt = 0; attempt < 8; attempt++)
            {
                states.Connecting(Node, now, "localhost");
                states.Disconnected(Node, now);
                var expected = Math.Min(50 * Math.Pow(2, attempt), 1000);
                Assert.InRange(states.ReconnectBackoffMs(Node), (long)(expected * 0.8), (long)(expected * 1.2));
                now += 10_000;
            }
        }
    }

    [Fact]
    public void Ready_resets_the_backoff()
    {
        var states = NewStates();
        for (var i = 0; i < 5; i++)
        {
            states.Connecting(Node, i * 10_000, "localhost");
            states.Disconnected(Node, i * 10_000);
        }
        Assert.True(states.ReconnectBackoffMs(Node) >= 800);
        states.Connecting(Node, 100_000, "localhost");
        states.CheckingApiVersions(Node);
        Assert.True(states.IsPreparingConnection(Node));
        states.Ready(Node);
        Assert.True(states.IsReady(Node));
        Assert.InRange(states.ReconnectBackoffMs(Node), 40, 60);
    }

    [Fact]
    public void Connection_setup_timeout_grows_on_failed_connects_up_to_the_max()
    {
        var states = NewStates();
        var timeouts = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            states.Connecting(Node, i * 100_000, "localhost");
            timeouts.Add(states.ConnectionSetupTimeoutMs(Node));
            states.Disconnected(Node, i * 100_000);
        }
        Assert.InRange(timeouts[0], 8_000, 12_000);
        Assert.InRange(timeouts[1], 16_000, 24_000);
        Assert.All(timeouts.Skip(2), t => Assert.InRange(t, 24_000, 36_000));
    }

    [Fact]
    public void Setup_timeout_is_detected_only_after_it_elapses()
    {
        var states = NewStates();
        states.Connecting(Node, 0, "localhost");
        var timeout = states.ConnectionSetupTimeoutMs(Node);
        var timedOut = new List<int>();
        states.NodesWithConnectionSetupTimeout(timeout, timedOut);
        Assert.Empty(timedOut);
        states.NodesWithConnectionSetupTimeout(timeout + 1, timedOut);
        Assert.Equal([Node], timedOut);
        states.CheckingApiVersions(Node);
        timedOut.Clear();
        states.NodesWithConnectionSetupTimeout(timeout * 10, timedOut);
        Assert.Empty(timedOut);
    }

    [Fact]
    public void Each_reconnect_tries_the_next_resolved_address_then_resolves_again()
    {
        _resolver.Addresses["multi"] = [IPAddress.Parse("127.0.0.1"), IPAddress.Parse("127.0.0.2")];
        var states = NewStates();
        var seen = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            states.Connecting(Node, i * 10_000, "multi");
            seen.Add(states.CurrentAddress(Node).ToString());
            states.Disconnected(Node, i * 10_000);
        }
        Assert.Equal(["127.0.0.1", "127.0.0.2", "127.0.0.1"], seen);
        Assert.Equal(2, _resolver.Calls);
    }

    [Fact]
    public void A_new_host_for_a_node_id_starts_a_fresh_state()
    {
        var states = NewStates();
        for (var i = 0; i < 4; i++)
        {
            states.Connecting(Node, i * 10_000, "old");
            states.Disconnected(Node, i * 10_000);
        }
        states.Connecting(Node, 100_000, "new");
        states.Disconnected(Node, 100_000);
        Assert.InRange(states.ReconnectBackoffMs(Node), 40, 60);
    }

    private sealed class FakeResolver : IHostResolver
    {
        public Dictionary<string, IPAddress[]> Addresses { get; } = new() { ["localhost"] = [IPAddress.Loopback] };

        public int Calls { get; private set; }

        public IPAddress[] Resolve(string host)
        {
            Calls++;
            return Addresses[host];
        }
    }
}
