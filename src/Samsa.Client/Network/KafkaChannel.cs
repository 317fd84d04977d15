using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Samsa.Protocol.Errors;

namespace Samsa.Client.Network;

/// <summary>
/// One TCP connection to one broker (the role of Java's KafkaChannel plus its transport layer).
/// Reading is an async loop cutting the byte stream into size-prefixed frames and reporting them to
/// the owning <see cref="Selector"/> as events. Writing happens on the owner thread, as in Java's
/// selector: queued frames are written with non-blocking sends during <see cref="Selector.Poll"/>
/// (small ones coalesced into one syscall), so a request reaches the socket without a thread hop.
/// Only when the socket buffer is full does an async send finish the rest and report completion
/// through an event. Frames are written in queue order, which is correlation id order.
/// </summary>
internal sealed class KafkaChannel
{
    // Frames up to this size are copied into one buffer and written with a single send, so several
    // small queued requests cost one syscall; bigger frames go straight from their own buffer.
    private const int CoalesceLimit = 16 * 1024;
    private const int WriteBufferSize = 64 * 1024;
    private const int ReadBufferSize = 64 * 1024;
    // Response frames up to this size are rented from the array pool: NetworkClient returns them
    // after the callbacks, and the consumer's fetcher returns a Fetch response's frame once its
    // records are consumed (their bytes are slices of it). Responses then cost no allocation and
    // fetch frames (often over 85 KB) no large-object-heap churn. Bigger ones are plain arrays.
    internal const int PooledFrameLimit = 16 * 1024 * 1024;

    private readonly Socket _socket;
    private readonly Selector _selector;
    // Owner thread only: frames queued and not yet handed to the socket.
    private readonly List<NetworkSend> _pending = [];
    private byte[]? _coalesce;
    // Owner thread only: frames an async send is finishing and the selector has not reported yet.
    // No flush runs meanwhile, so frames complete in queue order.
    private int _asyncOutstanding;
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

    /// <summary>Owner thread only: true while the selector has this channel on its list to flush.</summary>
    public bool FlushScheduled { get; set; }

    /// <summary>Owner thread only: frames queued and not yet written or handed to an async send.</summary>
    public bool HasPendingSends => _pending.Count > 0;

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    public void Start(IPEndPoint address) => _ = RunAsync(address);

    /// <summary>Queues a frame (owner thread); false once the channel is closing.</summary>
    public bool Send(NetworkSend send)
    {
        if (Volatile.Read(ref _closed) != 0)
            return false;
        _pending.Add(send);
        return true;
    }

    /// <summary>
    /// Owner thread: writes queued frames with non-blocking sends. Fully written frames are released
    /// and added to <paramref name="completed"/>. When the socket takes only part, an async send
    /// finishes that part and later frames wait for the next flush.
    /// </summary>
    /// <exception cref="SocketException">The connection failed; the caller closes the channel.</exception>
    public void Flush(List<NetworkSend> completed)
    {
        if (!Ready || _pending.Count == 0 || _asyncOutstanding != 0 || Volatile.Read(ref _closed) != 0)
            return;
        var taken = 0;
        try
        {
            while (taken < _pending.Count)
            {
                ReadOnlyMemory<byte> data;
                int count;
                var first = _pending[taken];
                if (first.Size <= CoalesceLimit && taken + 1 < _pending.Count && _pending[taken + 1].Size <= CoalesceLimit)
                {
                    var buffer = _coalesce ??= new byte[WriteBufferSize];
                    var used = 0;
                    count = 0;
                    while (taken + count < _pending.Count)
                    {
                        var payload = _pending[taken + count].Payload;
                        if (payload.Length > CoalesceLimit || used + payload.Length > buffer.Length)
                            break;
                        payload.Span.CopyTo(buffer.AsSpan(used));
                        used += payload.Length;
                        count++;
                    }
                    data = buffer.AsMemory(0, used);
                }
                else
                {
                    data = first.Payload;
                    count = 1;
                }

                var written = SendNonBlocking(data.Span);
                if (written < data.Length)
                {
                    // The socket buffer is full: an async send finishes this piece and reports these frames.
                    var sends = _pending.GetRange(taken, count);
                    taken += count;
                    _asyncOutstanding = count;
                    _ = FinishWriteAsync(data.Slice(written), sends);
                    return;
                }
                for (var i = 0; i < count; i++)
                {
                    var send = _pending[taken + i];
                    send.Release();
                    completed.Add(send);
                }
                taken += count;
            }
        }
        finally
        {
            _pending.RemoveRange(0, taken);
        }
    }

    private int SendNonBlocking(ReadOnlySpan<byte> data)
    {
        var total = 0;
        while (total < data.Length)
        {
            var n = _socket.Send(data.Slice(total), SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
                break;
            if (error != SocketError.Success)
                throw new SocketException((int)error);
            total += n;
        }
        return total;
    }

    /// <summary>Owner thread: the selector reported one frame an async send finished.</summary>
    public void AsyncSendReported() => _asyncOutstanding--;

    private async Task FinishWriteAsync(ReadOnlyMemory<byte> rest, List<NetworkSend> sends)
    {
        try
        {
            while (rest.Length > 0)
            {
                var n = await _socket.SendAsync(rest, SocketFlags.None).ConfigureAwait(false);
                rest = rest.Slice(n);
            }
        }
        catch (Exception e)
        {
            foreach (var send in sends)
                send.Release();
            Fail(e);
            return;
        }
        foreach (var send in sends)
        {
            send.Release();
            _selector.Post(new SelectorEvent(SelectorEventKind.SendCompleted, this, Send: send));
        }
        // Frames queued meanwhile are written by the first flush after these events are reported.
    }

    /// <summary>Owner thread: releases frames that will never be written (the channel is closed).</summary>
    public void ReleasePending()
    {
        foreach (var send in _pending)
            send.Release();
        _pending.Clear();
    }

    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
            return;
        // Disposing the socket aborts the pending connect/receive/send; the loops then end and their
        // late events are dropped by the selector because this channel is no longer registered.
        _socket.Dispose();
    }

    private async Task RunAsync(IPEndPoint address)
    {
        try
        {
            await _socket.ConnectAsync(address).ConfigureAwait(false);
            // Writes from the owner thread must never block it; the read loop's async receives are unaffected.
            _socket.Blocking = false;
        }
        catch (Exception e)
        {
            Fail(e);
            return;
        }
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
}
