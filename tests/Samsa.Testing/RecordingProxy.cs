using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Samsa.Protocol;

namespace Samsa.Testing;

/// <summary>
/// A loopback TCP proxy in front of one or more Kafka brokers that records every frame in both
/// directions, to capture what a third-party client and broker really send (golden bytes).
/// </summary>
/// <remarks>
/// <para>One listener per upstream broker. A client learns broker addresses from Metadata (and
/// FindCoordinator) responses and then connects to them directly; with
/// <c>rewriteBrokerAddresses</c> the proxy patches, in responses it forwards, every
/// "host string + int32 port" of an upstream into the port of its own listener for that upstream,
/// so all traffic keeps flowing through the proxy. The patch keeps the frame length (the port is a
/// fixed int32 in every version) and only the forwarded copy is patched: the recorded frame is what
/// the broker sent.</para>
/// <para>Frames are recorded before they are forwarded, so once a client has seen a response the
/// recording holds it.</para>
/// </remarks>
public sealed class RecordingProxy : IAsyncDisposable, IDisposable
{
    /// <summary>Largest frame the proxy accepts (the mock cluster and kcat stay far below).</summary>
    public const int MaxFrameSize = 100 * 1024 * 1024;

    private readonly (string Host, int Port)[] _upstreams;
    private readonly TcpListener[] _listeners;
    private readonly bool _rewriteBrokerAddresses;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private readonly List<TcpClient> _sockets = [];
    private readonly List<RecordedFrame> _frames = [];
    private readonly Lock _lock = new();
    private (byte[] Pattern, int ListenPort)[] _rewrites = [];
    private long _sequence;
    private int _connections;
    private bool _disposed;

    /// <summary>Starts listening on 127.0.0.1 ephemeral ports, one per upstream "host:port".</summary>
    /// <param name="upstreams">Broker addresses ("host:port"); the first is the bootstrap.</param>
    /// <param name="rewriteBrokerAddresses">Patch upstream addresses in responses so clients reconnect through the proxy.</param>
    public RecordingProxy(IReadOnlyList<string> upstreams, bool rewriteBrokerAddresses = true)
    {
        ArgumentOutOfRangeException.ThrowIfZero(upstreams.Count);
        _rewriteBrokerAddresses = rewriteBrokerAddresses;
        _upstreams = new (string, int)[upstreams.Count];
        _listeners = new TcpListener[upstreams.Count];
        for (var i = 0; i < upstreams.Count; i++)
        {
            var colon = upstreams[i].LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(upstreams[i].AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out var port))
            {
                throw new ArgumentException($"upstream '{upstreams[i]}' is not host:port", nameof(upstreams));
            }
            _upstreams[i] = (upstreams[i][..colon], port);
        }

        try
        {
            var rewrites = new List<(byte[], int)>();
            for (var i = 0; i < _listeners.Length; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                _listeners[i] = listener;
                var listenPort = ((IPEndPoint)listener.LocalEndpoint).Port;
                rewrites.Add((AddressPattern(_upstreams[i].Host, _upstreams[i].Port), listenPort));
            }
            _rewrites = [.. rewrites];
        }
        catch
        {
            foreach (var l in _listeners)
            {
                l?.Stop();
            }
            throw;
        }

        lock (_lock)
        {
            for (var i = 0; i < _listeners.Length; i++)
            {
                var index = i;
                _tasks.Add(Task.Run(() => AcceptLoopAsync(index)));
            }
        }
    }

    /// <summary>A proxy in front of every broker of <paramref name="cluster"/>, rewriting broker addresses.</summary>
    public static RecordingProxy ForCluster(MockCluster cluster)
    {
        var addresses = new List<string>();
        foreach (var broker in cluster.Brokers)
        {
            addresses.Add(broker.Address);
        }
        return new RecordingProxy(addresses);
    }

    /// <summary>"127.0.0.1:port" of the proxy for the first upstream.</summary>
    public string BootstrapServers => Address(0);

    /// <summary>"127.0.0.1:port" of the proxy listener for upstream <paramref name="index"/>.</summary>
    public string Address(int index) => $"127.0.0.1:{((IPEndPoint)_listeners[index].LocalEndpoint).Port}";

    /// <summary>A snapshot of the recorded frames in the order the proxy saw them.</summary>
    public IReadOnlyList<RecordedFrame> Frames
    {
        get
        {
            lock (_lock)
            {
                return [.. _frames];
            }
        }
    }

    /// <summary>Requests in recorded order, each with its response when one was seen.</summary>
    public IReadOnlyList<RecordedExchange> Exchanges()
    {
        var frames = Frames;
        var responses = new Dictionary<(int, int), RecordedFrame>();
        foreach (var f in frames)
        {
            if (f.Direction == FrameDirection.Response)
            {
                responses[(f.ConnectionId, f.CorrelationId)] = f;
            }
        }
        var exchanges = new List<RecordedExchange>();
        foreach (var f in frames)
        {
            if (f.Direction == FrameDirection.Request)
            {
                exchanges.Add(new RecordedExchange(f, responses.GetValueOrDefault((f.ConnectionId, f.CorrelationId))));
            }
        }
        return exchanges;
    }

    /// <summary>Forgets the frames recorded so far.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _frames.Clear();
        }
    }

    /// <summary>Stops the listeners and closes every proxied connection.</summary>
    public async ValueTask DisposeAsync()
    {
        Task[] tasks;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            tasks = [.. _tasks];
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
        }
        await _stop.CancelAsync();
        foreach (var listener in _listeners)
        {
            listener.Stop();
        }
        try
        {
            await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // Pumps end with whatever their socket threw when it was closed under them.
        }
        _stop.Dispose();
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task AcceptLoopAsync(int index)
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listeners[index].AcceptTcpClientAsync(token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var connectionId = Interlocked.Increment(ref _connections) - 1;
            lock (_lock)
            {
                if (_disposed)
                {
                    client.Dispose();
                    return;
                }
                _sockets.Add(client);
                _tasks.Add(Task.Run(() => ProxyConnectionAsync(client, index, connectionId)));
            }
        }
    }

    private async Task ProxyConnectionAsync(TcpClient client, int brokerIndex, int connectionId)
    {
        using var upstream = new TcpClient();
        var token = _stop.Token;
        try
        {
            lock (_lock)
            {
                if (_disposed)
                {
                    return;
                }
                _sockets.Add(upstream);
            }
            client.NoDelay = true;
            upstream.NoDelay = true;
            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(token))
            {
                connectTimeout.CancelAfter(TimeSpan.FromSeconds(10));
                await upstream.ConnectAsync(_upstreams[brokerIndex].Host, _upstreams[brokerIndex].Port, connectTimeout.Token);
            }

            var inFlight = new Dictionary<int, (ApiKey, short)>();
            var clientStream = client.GetStream();
            var upstreamStream = upstream.GetStream();
            var requests = PumpAsync(clientStream, upstreamStream, FrameDirection.Request, brokerIndex, connectionId, inFlight, token);
            var responses = PumpAsync(upstreamStream, clientStream, FrameDirection.Response, brokerIndex, connectionId, inFlight, token);
            await Task.WhenAny(requests, responses);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The client or the broker closed the connection, or the proxy is stopping.
        }
        finally
        {
            // Closing both sides ends the other pump and tells the peer, as a real broker would.
            client.Dispose();
        }
    }

    private async Task PumpAsync(
        NetworkStream from, NetworkStream to, FrameDirection direction, int brokerIndex, int connectionId,
        Dictionary<int, (ApiKey, short)> inFlight, CancellationToken token)
    {
        var sizeBuffer = new byte[4];
        try
        {
            while (!token.IsCancellationRequested)
            {
                await from.ReadExactlyAsync(sizeBuffer, token);
                var size = BinaryPrimitives.ReadInt32BigEndian(sizeBuffer);
                if (size is < 4 or > MaxFrameSize)
                {
                    throw new IOException($"proxy: {direction} frame size {size} out of range");
                }
                var frame = new byte[size];
                await from.ReadExactlyAsync(frame, token);

                ApiKey apiKey;
                short apiVersion;
                int correlationId;
                byte[] forward = frame;
                if (direction == FrameDirection.Request)
                {
                    if (size < 8)
                    {
                        throw new IOException($"proxy: request frame of {size} bytes has no header");
                    }
                    apiKey = (ApiKey)BinaryPrimitives.ReadInt16BigEndian(frame);
                    apiVersion = BinaryPrimitives.ReadInt16BigEndian(frame.AsSpan(2));
                    correlationId = BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(4));
                    lock (inFlight)
                    {
                        inFlight[correlationId] = (apiKey, apiVersion);
                    }
                }
                else
                {
                    correlationId = BinaryPrimitives.ReadInt32BigEndian(frame);
                    lock (inFlight)
                    {
                        if (!inFlight.Remove(correlationId, out var request))
                        {
                            request = ((ApiKey)(-1), -1);
                        }
                        (apiKey, apiVersion) = request;
                    }
                    if (_rewriteBrokerAddresses)
                    {
                        forward = RewriteAddresses(frame);
                    }
                }

                lock (_lock)
                {
                    _frames.Add(new RecordedFrame(_sequence++, connectionId, brokerIndex, direction, apiKey, apiVersion, correlationId, frame));
                }

                await to.WriteAsync(sizeBuffer, token);
                await to.WriteAsync(forward, token);
            }
        }
        catch (Exception e) when (e is EndOfStreamException or OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // Connection closed by either side or proxy stopping.
        }
    }

    private byte[] RewriteAddresses(byte[] frame)
    {
        byte[]? copy = null;
        foreach (var (pattern, listenPort) in _rewrites)
        {
            var span = (ReadOnlySpan<byte>)(copy ?? frame);
            var start = 0;
            while (true)
            {
                var at = span[start..].IndexOf(pattern);
                if (at < 0)
                {
                    break;
                }
                copy ??= (byte[])frame.Clone();
                var portAt = start + at + pattern.Length - 4;
                BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(portAt), listenPort);
                span = copy;
                start = portAt + 4;
            }
        }
        return copy ?? frame;
    }

    private static byte[] AddressPattern(string host, int port)
    {
        // Host strings appear as int16-length or compact (uvarint length+1) strings followed by the
        // int32 port; matching "host bytes + port" covers both encodings.
        var hostBytes = Encoding.UTF8.GetBytes(host);
        var pattern = new byte[hostBytes.Length + 4];
        hostBytes.CopyTo(pattern, 0);
        BinaryPrimitives.WriteInt32BigEndian(pattern.AsSpan(hostBytes.Length), port);
        return pattern;
    }
}
