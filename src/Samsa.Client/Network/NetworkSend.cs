using Samsa.Protocol.Primitives;

namespace Samsa.Client.Network;

/// <summary>
/// One size-prefixed frame queued for a connection (Java's NetworkSend). The buffer is rented;
/// whoever writes it to the socket returns it with <see cref="Release"/>.
/// </summary>
public sealed class NetworkSend
{
    private ByteBufferWriter? _buffer;

    /// <summary>Creates a send of the bytes written into <paramref name="buffer"/> (size prefix included).</summary>
    public NetworkSend(int destination, ByteBufferWriter buffer, ClientRequest? request = null)
    {
        Destination = destination;
        _buffer = buffer;
        Size = buffer.WrittenCount;
        Request = request;
    }

    /// <summary>The connection (node id) it goes to.</summary>
    public int Destination { get; }

    /// <summary>Total bytes including the 4-byte size prefix.</summary>
    public int Size { get; }

    /// <summary>The request it carries, when sent by a <see cref="NetworkClient"/>.</summary>
    public ClientRequest? Request { get; }

    /// <summary>The frame bytes; empty once released.</summary>
    public ReadOnlyMemory<byte> Payload => _buffer?.WrittenMemory ?? ReadOnlyMemory<byte>.Empty;

    /// <summary>Returns the buffer to the pool; safe to call more than once from one thread.</summary>
    public void Release()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        buffer?.Dispose();
    }
}
