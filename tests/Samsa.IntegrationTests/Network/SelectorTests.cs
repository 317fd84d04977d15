using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Samsa.Client.Network;
using Samsa.Protocol.Errors;
using Samsa.Protocol.Primitives;

namespace Samsa.IntegrationTests.Network;

/// <summary>The socket selector over loopback against a hand-driven TCP peer.</summary>
public sealed class SelectorTests : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Selector _selector = new(connectionsMaxIdleMs: -1);

    public SelectorTests() => _listener.Start();

    public void Dispose()
    {
        _selector.Dispose();
        _listener.Dispose();
    }

    private IPEndPoint Endpoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Polls until <paramref name="done"/> holds (bounded), collecting every event list.</summary>
    private (List<int> Connected, List<NetworkReceive> Receives, List<NetworkSend> Sends, List<ChannelDisconnect> Disconnects) PollUntil(Func<bool> done, int maxPolls = 100)
    {
        var result = (new List<int>(), new List<NetworkReceive>(), new List<NetworkSend>(), new List<ChannelDisconnect>());
        for (var i = 0; i < maxPolls; i++)
        {
            _selector.Poll(100);
            result.Item1.AddRange(_selector.Connected);
            result.Item2.AddRange(_selector.CompletedReceives);
            result.Item3.AddRange(_selector.CompletedSends);
            result.Item4.AddRange(_selector.Disconnected);
            if (done())
                return result;
        }
        throw new TimeoutException("condition not reached");
    }

    private async Task<Socket> ConnectAsync(int id = 1)
    {
        _selector.Connect(id, Endpoint, 131072, -1);
        var peer = await _listener.AcceptSocketAsync().WaitAsync(TimeSpan.FromSeconds(5));
        PollUntil(() => _selector.IsChannelReady(id));
        return peer;
    }

    private static byte[] Frame(int size, byte fill)
    {
        var frame = new byte[size + 4];
        BinaryPrimitives.WriteInt32BigEndian(frame, size);
        frame.AsSpan(4).Fill(fill);
        return frame;
    }

    [Fact]
    public async Task Frames_split_into_single_bytes_are_reassembled()
    {
        using var peer = await ConnectAsync();
        var frames = Frame(3, 7).Concat(Frame(0, 0)).Concat(Frame(5, 9)).ToArray();
        foreach (var b in frames)
            await peer.SendAsync(new[] { b });
        var receives = new List<NetworkReceive>();
        PollUntil(() =>
        {
            receives.AddRange(_selector.CompletedReceives);
            return receives.Count == 3;
        });
        Assert.Equal([3, 0, 5], receives.Select(r => r.Length));
        Assert.All(receives[2].Payload.ToArray(), b => Assert.Equal(9, b));
    }

    [Fact]
    public async Task A_frame_larger_than_the_read_buffer_and_many_small_frames_in_one_write_arrive_whole()
    {
        using var peer = await ConnectAsync();
        var big = Frame(300_000, 42);
        var smalls = Enumerable.Range(0, 50).SelectMany(i => Frame(10, (byte)i)).ToArray();
        await peer.SendAsync(smalls.Concat(big).ToArray());
        var receives = new List<NetworkReceive>();
        PollUntil(() =>
        {
            receives.AddRange(_selector.CompletedReceives);
            return receives.Count == 51;
        });
        Assert.Equal(300_000, receives[^1].Length);
        Assert.All(receives[^1].Payload.ToArray(), b => Assert.Equal(42, b));
        Assert.Equal(49, receives[49].Payload.Span[0]);
    }

    [Fact]
    public async Task A_pooled_frame_split_across_reads_ends_where_its_size_says()
    {
        using var peer = await ConnectAsync();
        // Send part of a 100-byte frame, let the read loop wait for the rest, then send the rest
        // together with the next frame: reading into the rented array's tail would take the next
        // frame's first bytes.
        var first = Frame(100, 1);
        await peer.SendAsync(first.AsMemory(0, 34));
        for (var i = 0; i < 3; i++)
            _selector.Poll(20);
        await peer.SendAsync(first.AsSpan(34).ToArray().Concat(Frame(50, 2)).ToArray());
        var receives = new List<NetworkReceive>();
        PollUntil(() =>
        {
            receives.AddRange(_selector.CompletedReceives);
            return receives.Count == 2;
        });
        Assert.Equal([100, 50], receives.Select(r => r.Length));
        Assert.All(receives, r => Assert.True(r.IsPooled));
        Assert.All(receives[0].Payload.ToArray(), b => Assert.Equal(1, b));
        Assert.All(receives[1].Payload.ToArray(), b => Assert.Equal(2, b));
    }

    [Fact]
    public async Task Frames_above_the_pooling_limit_are_exact_arrays()
    {
        using var peer = await ConnectAsync();
        const int size = KafkaChannel.PooledFrameLimit + 1;
        await peer.SendAsync(Frame(size, 3));
        var receives = new List<NetworkReceive>();
        PollUntil(() =>
        {
            receives.AddRange(_selector.CompletedReceives);
            return receives.Count == 1;
        });
        Assert.False(receives[0].IsPooled);
        Assert.Equal(size, receives[0].Buffer.Length);
    }

    [Fact]
    public async Task A_garbage_size_closes_the_connection_with_a_protocol_error()
    {
        using var peer = await ConnectAsync();
        await peer.SendAsync("HTTP/1.1 400 Bad Request\r\n"u8.ToArray());
        var disconnects = new List<ChannelDisconnect>();
        PollUntil(() =>
        {
            disconnects.AddRange(_selector.Disconnected);
            return disconnects.Count > 0;
        });
        var d = Assert.Single(disconnects);
        var error = Assert.IsType<KafkaProtocolException>(d.Cause);
        Assert.Contains("Invalid frame size", error.Message);
        Assert.False(_selector.IsChannelReady(1));
    }

    [Fact]
    public async Task Sends_are_written_in_order_and_reported_complete()
    {
        using var peer = await ConnectAsync();
        var sends = new List<NetworkSend>();
        for (var i = 0; i < 20; i++)
        {
            var buffer = new ByteBufferWriter();
            buffer.GetSpan(4 + i)[..(4 + i)].Clear();
            BinaryPrimitives.WriteInt32BigEndian(buffer.GetSpan(4), i);
            buffer.Advance(4 + i);
            var send = new NetworkSend(1, buffer);
            sends.Add(send);
            _selector.Send(send);
        }
        var completed = new List<NetworkSend>();
        PollUntil(() =>
        {
            completed.AddRange(_selector.CompletedSends);
            return completed.Count == 20;
        });
        Assert.Equal(sends, completed);
        var expected = Enumerable.Range(0, 20).Sum(i => 4 + i);
        var received = new byte[expected];
        var got = 0;
        while (got < expected)
            got += await peer.ReceiveAsync(received.AsMemory(got));
        Assert.Equal(19, BinaryPrimitives.ReadInt32BigEndian(received.AsSpan(expected - 23)));
    }

    [Fact]
    public async Task A_frame_bigger_than_the_socket_buffers_is_finished_asynchronously_and_later_frames_follow_in_order()
    {
        using var peer = await ConnectAsync();
        // A fixed receive buffer turns off the kernel's autotuning: 4 MiB cannot fit in the two
        // socket buffers (128 KiB send, 64 KiB receive) while the peer is not reading, so the
        // non-blocking write takes part of it and an async send has to finish the rest.
        peer.ReceiveBufferSize = 64 * 1024;
        const int bigSize = 4 * 1024 * 1024;
        var sends = new List<NetworkSend> { FrameSend(bigSize, 5) };
        for (var i = 0; i < 3; i++)
            sends.Add(FrameSend(10, (byte)(10 + i)));
        foreach (var send in sends)
            _selector.Send(send);
        var completed = new List<NetworkSend>();
        for (var i = 0; i < 3; i++)
        {
            _selector.Poll(10);
            completed.AddRange(_selector.CompletedSends);
        }
        // The big frame cannot have gone out yet, nor the small ones queued behind it.
        Assert.Empty(completed);

        var expected = bigSize + 4 + 3 * 14;
        var reading = Task.Run(async () =>
        {
            var received = new byte[expected];
            var got = 0;
            while (got < expected)
            {
                var n = await peer.ReceiveAsync(received.AsMemory(got));
                if (n == 0)
                    break;
                got += n;
            }
            return received[..got];
        });
        PollUntil(() =>
        {
            completed.AddRange(_selector.CompletedSends);
            return completed.Count == 4;
        }, maxPolls: 600);
        Assert.Equal(sends, completed);
        var bytes = await reading.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(expected, bytes.Length);
        Assert.Equal(bigSize, BinaryPrimitives.ReadInt32BigEndian(bytes));
        Assert.Equal(5, bytes[4 + bigSize - 1]);
        for (var i = 0; i < 3; i++)
        {
            var at = 4 + bigSize + i * 14;
            Assert.Equal(10, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at)));
            Assert.Equal(10 + i, bytes[at + 4]);
        }
    }

    private static NetworkSend FrameSend(int size, byte fill)
    {
        var buffer = new ByteBufferWriter(size + 4);
        var span = buffer.GetSpan(size + 4);
        BinaryPrimitives.WriteInt32BigEndian(span, size);
        span.Slice(4, size).Fill(fill);
        buffer.Advance(size + 4);
        return new NetworkSend(1, buffer);
    }

    [Fact]
    public async Task Peer_close_is_reported_as_a_disconnect()
    {
        var peer = await ConnectAsync();
        peer.Dispose();
        var disconnects = new List<ChannelDisconnect>();
        PollUntil(() =>
        {
            disconnects.AddRange(_selector.Disconnected);
            return disconnects.Count > 0;
        });
        Assert.Equal(1, Assert.Single(disconnects).Id);
    }

    [Fact]
    public void A_refused_connect_is_reported_as_a_disconnect()
    {
        var port = Endpoint.Port;
        _listener.Stop();
        _selector.Connect(5, new IPEndPoint(IPAddress.Loopback, port), -1, -1);
        var disconnects = new List<ChannelDisconnect>();
        PollUntil(() =>
        {
            disconnects.AddRange(_selector.Disconnected);
            return disconnects.Count > 0;
        });
        var d = Assert.Single(disconnects);
        Assert.Equal(5, d.Id);
        Assert.IsType<SocketException>(d.Cause);
    }

    [Fact]
    public async Task Wakeup_from_another_thread_ends_a_blocked_poll()
    {
        var started = new TaskCompletionSource();
        var poll = Task.Run(() =>
        {
            started.SetResult();
            _selector.Poll(30_000);
        });
        await started.Task;
        await Task.Delay(50);
        _selector.Wakeup();
        await poll.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Idle_connections_are_closed_after_connections_max_idle()
    {
        using var selector = new Selector(connectionsMaxIdleMs: 200);
        selector.Connect(1, Endpoint, -1, -1);
        using var peer = await _listener.AcceptSocketAsync().WaitAsync(TimeSpan.FromSeconds(5));
        var disconnected = false;
        for (var i = 0; i < 100 && !disconnected; i++)
        {
            selector.Poll(50);
            disconnected = selector.Disconnected.Any(d => d.Id == 1);
        }
        Assert.True(disconnected);
        Assert.False(selector.IsChannelReady(1));
    }

    [Fact]
    public void A_send_to_an_unknown_connection_is_reported_as_a_disconnect()
    {
        var buffer = new ByteBufferWriter();
        buffer.Advance(0);
        _selector.Send(new NetworkSend(9, buffer));
        _selector.Poll(0);
        Assert.Equal(9, Assert.Single(_selector.Disconnected).Id);
    }
}
