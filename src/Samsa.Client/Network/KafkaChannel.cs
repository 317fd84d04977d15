using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Samsa.Protocol.Errors;

namespace Samsa.Client.Network;

/// <summary>
/// One TCP connection to one broker (the role of Java's KafkaChannel plus its transport layer):
/// connects, then runs a write loop draining queued frames and a read loop cutting the byte stream
/// into size-prefixed frames. Both loops report to the owning <see cref="Selector"/> through events;
/// neither makes decisions. Frames are written in queue order, which is correlation id order.
/// </summary>
internal sealed class KafkaChannel
{
    // Frames up to this size are copied into one buffer and written with a single send, so several
    // small queued requests cost one syscall; bigger frames go straight from their own buffer.
    private const int CoalesceLimit = 16 * 1024;
    private const int WriteBufferSize = 64 * 1024;
    private const int ReadBufferSize = 64 * 1024;
    // Response frames up to this size are rented from the array pool (NetworkClient returns them
    // after the callbacks); small responses then cost no allocation. Bigger ones are plain arrays.
    internal const int PooledFrameLimit = 64 * 1024;

    private readonly Socket _socket;
    private readonly Selector _selector;
    private readonly Channel<NetworkSend> _sendQueue = Channel.CreateUnbounded<NetworkSend>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = false });
    private int _closed;

    public KafkaChannel(int id, Socket socket, Selector selector)
    {
        Id = id;
        _socket = socket;
        _selector = selector;
    }

    public int Id { get; }

    /// <summary>Set by the selector (owner thread) once the Connected event has been handled.</summary>
    public bool Ready { get; set; }

    /// <summary>Owner thread only.</summary>
    public long LastActivityMs { get; set; }

    public void Start(IPEndPoint address) => _ = RunAsync(address);

    /// <summary>Queues a frame; false once the channel is closing.</summary>
    public bool Send(NetworkSend send) => Volatile.Read(ref _closed) == 0 && _sendQueue.Writer.TryWrite(send);

    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
            return;
        _sendQueue.Writer.TryComplete();
        // Disposing the socket aborts the pending connect/receive/send; the loops then end and their
        // late events are dropped by the selector because this channel is no longer registered.
        _socket.Dispose();
    }

    private async Task RunAsync(IPEndPoint address)
    {
        try
        {
            await _socket.ConnectAsync(address).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Fail(e);
            return;
        }
        _ = WriteLoopAsync();
        _selector.Post(new SelectorEvent(SelectorEventKind.Connected, this));
        try
        {
            await ReadLoopAsync().ConfigureAwait(false);
            Fail(null);
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    private void Fail(Exception? error)
    {
        if (Volatile.Read(ref _closed) != 0)
            return;
        if (error is not null && error is not SocketException and not IOException and not KafkaProtocolException and not ObjectDisposedException)
            _selector.Log.LogWarning(error, "Unexpected error on connection {ConnectionId}; closing it", Id);
        _selector.Post(new SelectorEvent(SelectorEventKind.Disconnected, this, Error: error));
        Close();
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[ReadBufferSize];
        int start = 0, end = 0;
        var maxReceiveSize = _selector.MaxReceiveSize;
        while (true)
        {
            while (end - start < 4)
            {
                if (buffer.Length - start < 4)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    end -= start;
                    start = 0;
                }
                var n = await _socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None).ConfigureAwait(false);
                if (n == 0)
                {
                    if (end == start)
                        return; // the peer closed the connection between frames
                    throw new IOException($"Connection {Id} closed in the middle of a frame size");
                }
                end += n;
            }
            var size = BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(start, 4));
            if (size < 0 || size > maxReceiveSize)
            {
                throw new KafkaProtocolException(
                    $"Invalid frame size {size} on connection {Id} (allowed 0 to {maxReceiveSize}); the peer may not be a Kafka broker, or it expects TLS");
            }
            start += 4;
            var pooled = size > 0 && size <= PooledFrameLimit;
            var frame = pooled ? ArrayPool<byte>.Shared.Rent(size) : size == 0 ? [] : GC.AllocateUninitializedArray<byte>(size);
            var have = Math.Min(size, end - start);
            buffer.AsSpan(start, have).CopyTo(frame);
            start += have;
            if (start == end)
                start = end = 0;
            while (have < size)
            {
                // Bounded by the frame size: a rented array is longer than the frame, and reading
                // into its tail would swallow the start of the next frame.
                var n = await _socket.ReceiveAsync(frame.AsMemory(have, size - have), SocketFlags.None).ConfigureAwait(false);
                if (n == 0)
                    throw new IOException($"Connection {Id} closed after {have} of {size} bytes of a frame");
                have += n;
            }
            _selector.Post(new SelectorEvent(SelectorEventKind.Received, this, Buffer: frame, Length: size, Pooled: pooled));
        }
    }

    private async Task WriteLoopAsync()
    {
        var reader = _sendQueue.Reader;
        var coalesce = new byte[WriteBufferSize];
        var batch = new List<NetworkSend>();
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                var used = 0;
                while (reader.TryRead(out var send))
                {
                    var payload = send.Payload;
                    if (payload.Length <= CoalesceLimit)
                    {
                        if (used + payload.Length > coalesce.Length)
                        {
                            await WriteAllAsync(coalesce.AsMemory(0, used)).ConfigureAwait(false);
                            used = 0;
                            Completed(batch);
                        }
                        payload.Span.CopyTo(coalesce.AsSpan(used));
                        used += payload.Length;
                        batch.Add(send);
                    }
                    else
                    {
                        if (used > 0)
                        {
                            await WriteAllAsync(coalesce.AsMemory(0, used)).ConfigureAwait(false);
                            used = 0;
                            Completed(batch);
                        }
                        batch.Add(send);
                        await WriteAllAsync(payload).ConfigureAwait(false);
                        Completed(batch);
                    }
                }
                if (used > 0)
                {
                    await WriteAllAsync(coalesce.AsMemory(0, used)).ConfigureAwait(false);
                    Completed(batch);
                }
            }
        }
        catch (Exception e)
        {
            foreach (var send in batch)
                send.Release();
            while (reader.TryRead(out var send))
                send.Release();
            Fail(e);
        }
    }

    private void Completed(List<NetworkSend> batch)
    {
        foreach (var send in batch)
        {
            send.Release();
            _selector.Post(new SelectorEvent(SelectorEventKind.SendCompleted, this, Send: send));
        }
        batch.Clear();
    }

    private async ValueTask WriteAllAsync(ReadOnlyMemory<byte> data)
    {
        while (data.Length > 0)
        {
            var n = await _socket.SendAsync(data, SocketFlags.None).ConfigureAwait(false);
            data = data.Slice(n);
        }
    }
}
