using Samsa.Protocol.Primitives;

namespace Samsa.Client.Network;

/// <summary>
/// One size-prefixed frame queued for a connection (Java's NetworkSend). The buffer is rented;
/// whoever writes it to the socket returns it with <see cref="Release"/>. A
/// <see cref="NetworkClient"/> reuses its sends (and their writer objects) once they are reported
/// complete, so a request costs no send or writer allocation in steady state.
/// </summary>
public sealed class NetworkSend
{
    // The writer while it holds the frame's rented array; null once released. The writer object
    // itself stays in _writer so a pooled send can rent a new array into it.
    private ByteBufferWriter? _buffer;
    private readonly ByteBufferWriter _writer;

    /// <summary>Creates a send of the bytes written into <paramref name="buffer"/> (size prefix included).</summary>
    public NetworkSend(int destination, ByteBufferWriter buffer, ClientRequest? request = null)
    {
        _writer = buffer;
        Reset(destination, request);
    }

    /// <summary>The connection (node id) it goes to.</summary>
    public int Destination { get; private set; }

    /// <summary>Total bytes including the 4-byte size prefix.</summary>
    public int Size { get; private set; }

    /// <summary>The request it carries, when sent by a <see cref="NetworkClient"/>.</summary>
    public ClientRequest? Request { get; private set; }

    /// <summary>The frame bytes; empty once released.</summary>
    public ReadOnlyMemory<byte> Payload => _buffer?.WrittenMemory ?? ReadOnlyMemory<byte>.Empty;

    /// <summary>The writer this send carries; a pooled send's next frame is written into it.</summary>
    internal ByteBufferWriter Writer => _writer;

    /// <summary>Returns the buffer to the pool; safe to call more than once from one thread.</summary>
    public void Release()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        buffer?.Dispose();
    }

    /// <summary>
    /// Re-arms a completed send whose <see cref="Writer"/> now holds a new frame. Only the owner of a
    /// completed send may call this: nothing else may still reference it.
    /// </summary>
    internal void Reset(int destination, ClientRequest? request)
    {
        Destination = destination;
        Request = request;
        Size = _writer.WrittenCount;
        Volatile.Write(ref _buffer, _writer);
    }

    /// <summary>Drops the request reference so a pooled send keeps nothing alive.</summary>
    internal void Clear() => Request = null;
}
