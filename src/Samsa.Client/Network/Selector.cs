using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Samsa.Client.Network;

/// <summary>
/// The socket implementation of <see cref="ISelectable"/> (the role of Java's Selector). Each
/// connection is a <see cref="KafkaChannel"/> over a <see cref="Socket"/>. <see cref="Poll"/> first
/// writes the queued frames with non-blocking sends on the owner thread (as Java's selector does),
/// then waits on a single signal (an event, a <see cref="Wakeup"/> or the timeout) and turns the
/// events the channels' async read loops (and any unfinished async writes) queued into the four
/// per-poll lists. All decisions stay in the caller.
/// </summary>
public sealed class Selector : ISelectable
{
    /// <summary>Largest frame accepted by default (512 MiB); larger sizes mean a non-Kafka peer or a corrupt stream.</summary>
    public const int DefaultMaxReceiveSize = 512 * 1024 * 1024;

    private readonly Dictionary<int, KafkaChannel> _channels = [];
    private readonly ConcurrentQueue<SelectorEvent> _events = new();
    private readonly ManualResetEventSlim _signal = new(false, 0);
    private readonly List<NetworkSend> _completedSends = [];
    private readonly List<NetworkReceive> _completedReceives = [];
    private readonly List<int> _connected = [];
    private readonly List<ChannelDisconnect> _disconnected = [];
    private readonly List<ChannelDisconnect> _failedSends = [];
    private readonly List<int> _idle = [];
    private readonly List<KafkaChannel> _toFlush = [];
    private readonly long _connectionsMaxIdleMs;
    private readonly int _maxReceiveSize;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private int _wakeup;
    private long _nextIdleCheckMs;
    private volatile bool _disposed;

    /// <summary>Creates a selector.</summary>
    /// <param name="connectionsMaxIdleMs">Close connections idle this long (<c>connections.max.idle.ms</c>); negative disables.</param>
    /// <param name="time">Clock for idle tracking.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="maxReceiveSize">Largest frame accepted.</param>
    public Selector(long connectionsMaxIdleMs, TimeProvider? time = null, ILogger? logger = null, int maxReceiveSize = DefaultMaxReceiveSize)
    {
        _connectionsMaxIdleMs = connectionsMaxIdleMs;
        _maxReceiveSize = maxReceiveSize;
        _time = time ?? TimeProvider.System;
        _log = logger ?? NullLogger.Instance;
    }

    internal int MaxReceiveSize => _maxReceiveSize;

    internal ILogger Log => _log;

    /// <inheritdoc />
    public IReadOnlyList<NetworkSend> CompletedSends => _completedSends;

    /// <inheritdoc />
    public IReadOnlyList<NetworkReceive> CompletedReceives => _completedReceives;

    /// <inheritdoc />
    public IReadOnlyList<int> Connected => _connected;

    /// <inheritdoc />
    public IReadOnlyList<ChannelDisconnect> Disconnected => _disconnected;

    /// <summary>Number of open connections.</summary>
    public int ChannelCount => _channels.Count;

    /// <inheritdoc />
    public void Connect(int id, IPEndPoint address, int sendBufferSize, int receiveBufferSize)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_channels.ContainsKey(id))
            throw new InvalidOperationException($"There is already a connection for id {id}");
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.NoDelay = true;
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            if (sendBufferSize >= 0)
                socket.SendBufferSize = sendBufferSize;
            if (receiveBufferSize >= 0)
                socket.ReceiveBufferSize = receiveBufferSize;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var channel = new KafkaChannel(id, socket, this) { LastActivityMs = NowMs() };
        _channels[id] = channel;
        channel.Start(address);
    }

    /// <inheritdoc />
    public void Send(NetworkSend send)
    {
        if (!_channels.TryGetValue(send.Destination, out var channel) || !channel.Send(send))
        {
            // Java reports sends to closed connections as failed sends, surfaced as disconnects.
            send.Release();
            _failedSends.Add(new ChannelDisconnect(send.Destination, new IOException($"Connection {send.Destination} is not open")));
            return;
        }
        channel.LastActivityMs = NowMs();
        if (!channel.FlushScheduled)
        {
            channel.FlushScheduled = true;
            _toFlush.Add(channel);
        }
    }

    /// <inheritdoc />
    public void Poll(long timeoutMs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _completedSends.Clear();
        _completedReceives.Clear();
        _connected.Clear();
        _disconnected.Clear();
        if (_failedSends.Count > 0)
        {
            _disconnected.AddRange(_failedSends);
            _failedSends.Clear();
        }

        if (_toFlush.Count > 0)
            FlushChannels();

        if (timeoutMs > 0 && _events.IsEmpty && Volatile.Read(ref _wakeup) == 0 && _disconnected.Count == 0 && _completedSends.Count == 0)
            _signal.Wait((int)Math.Min(timeoutMs, int.MaxValue));
        // Reset before draining: an event queued after the drain sets the signal again, so the next
        // poll returns at once instead of losing it.
        _signal.Reset();
        Volatile.Write(ref _wakeup, 0);

        var now = NowMs();
        while (_events.TryDequeue(out var e))
        {
            var channel = e.Channel;
            if (!_channels.TryGetValue(channel.Id, out var current) || !ReferenceEquals(current, channel))
            {
                // From a connection closed earlier (or replaced by a reconnect): drop it.
                e.Send?.Release();
                continue;
            }
            channel.LastActivityMs = now;
            switch (e.Kind)
            {
                case SelectorEventKind.Connected:
                    channel.Ready = true;
                    _connected.Add(channel.Id);
                    break;
                case SelectorEventKind.SendCompleted:
                    channel.AsyncSendReported();
                    _completedSends.Add(e.Send!);
                    break;
                case SelectorEventKind.Received:
                    _completedReceives.Add(new NetworkReceive(channel.Id, e.Buffer!, e.Length, e.Pooled));
                    break;
                case SelectorEventKind.Disconnected:
                    _channels.Remove(channel.Id);
                    channel.Close();
                    channel.ReleasePending();
                    _disconnected.Add(new ChannelDisconnect(channel.Id, e.Error));
                    break;
            }
        }
        MaybeCloseIdleConnections(now);
    }

    /// <inheritdoc />
    public void Wakeup()
    {
        Volatile.Write(ref _wakeup, 1);
        _signal.Set();
    }

    /// <inheritdoc />
    public void Close(int id)
    {
        if (_channels.Remove(id, out var channel))
        {
            channel.Close();
            channel.ReleasePending();
        }
    }

    /// <inheritdoc />
    public bool IsChannelReady(int id) => _channels.TryGetValue(id, out var c) && c.Ready;

    /// <summary>Closes every connection.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        foreach (var channel in _channels.Values)
        {
            channel.Close();
            channel.ReleasePending();
        }
        _channels.Clear();
        while (_events.TryDequeue(out var e))
            e.Send?.Release();
        _signal.Dispose();
    }

    internal void Post(in SelectorEvent e)
    {
        _events.Enqueue(e);
        if (_disposed)
        {
            // A loop finishing after Dispose: nobody polls any more.
            e.Send?.Release();
            return;
        }
        try
        {
            _signal.Set();
        }
        catch (ObjectDisposedException)
        {
            // Raced with Dispose; same as above.
        }
    }

    /// <summary>
    /// Writes what the channels queued since the last poll; frames written completely are reported
    /// in this poll's <see cref="CompletedSends"/>. A channel that could not write everything (not
    /// connected yet, or an async send is finishing a full socket buffer) stays on the list.
    /// </summary>
    private void FlushChannels()
    {
        var now = NowMs();
        var kept = 0;
        for (var i = 0; i < _toFlush.Count; i++)
        {
            var channel = _toFlush[i];
            if (!channel.IsClosed)
            {
                var before = _completedSends.Count;
                try
                {
                    channel.Flush(_completedSends);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    // Closed under us, or the peer is gone: report it now, as the read loop would.
                    if (_channels.TryGetValue(channel.Id, out var current) && ReferenceEquals(current, channel))
                    {
                        _channels.Remove(channel.Id);
                        _disconnected.Add(new ChannelDisconnect(channel.Id, e));
                    }
                    channel.Close();
                    channel.ReleasePending();
                }
                if (_completedSends.Count > before)
                    channel.LastActivityMs = now;
            }
            if (!channel.IsClosed && channel.HasPendingSends)
            {
                _toFlush[kept++] = channel;
            }
            else
            {
                channel.FlushScheduled = false;
                channel.ReleasePending();
            }
        }
        _toFlush.RemoveRange(kept, _toFlush.Count - kept);
    }

    private void MaybeCloseIdleConnections(long now)
    {
        if (_connectionsMaxIdleMs < 0 || now < _nextIdleCheckMs)
            return;
        // Checking at most every tenth of the idle limit keeps this off the hot path.
        _nextIdleCheckMs = now + Math.Max(_connectionsMaxIdleMs / 10, 1);
        foreach (var (id, channel) in _channels)
        {
            if (now - channel.LastActivityMs >= _connectionsMaxIdleMs)
                _idle.Add(id);
        }
        foreach (var id in _idle)
        {
            _log.LogDebug("Closing connection {ConnectionId} idle for more than {IdleMs} ms (connections.max.idle.ms)", id, _connectionsMaxIdleMs);
            Close(id);
            _disconnected.Add(new ChannelDisconnect(id, null));
        }
        _idle.Clear();
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}

internal enum SelectorEventKind : byte
{
    Connected,
    SendCompleted,
    Received,
    Disconnected,
}

internal readonly record struct SelectorEvent(SelectorEventKind Kind, KafkaChannel Channel, NetworkSend? Send = null, byte[]? Buffer = null,
    Exception? Error = null, int Length = 0, bool Pooled = false);
