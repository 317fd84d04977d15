using System.Net;

namespace Samsa.Client.Network;

/// <summary>
/// The I/O layer under <see cref="NetworkClient"/> (Java's Selectable): opens connections, queues
/// frames, and reports what happened since the last <see cref="Poll"/> in four lists. The lists are
/// cleared at the start of every poll. Everything except <see cref="Wakeup"/> is called from the
/// client's owner thread. <see cref="Selector"/> is the socket implementation; tests use a fake.
/// </summary>
public interface ISelectable : IDisposable
{
    /// <summary>Starts connecting <paramref name="id"/> to <paramref name="address"/>; completion shows up in <see cref="Connected"/> or <see cref="Disconnected"/>.</summary>
    /// <exception cref="System.Net.Sockets.SocketException">The socket could not even be created.</exception>
    void Connect(int id, IPEndPoint address, int sendBufferSize, int receiveBufferSize);

    /// <summary>Queues a frame. A send to a connection that is gone shows up as a disconnect in the next poll.</summary>
    void Send(NetworkSend send);

    /// <summary>Waits up to <paramref name="timeoutMs"/> for something to happen (0 = don't wait), then fills the lists.</summary>
    void Poll(long timeoutMs);

    /// <summary>Makes a blocked or the next <see cref="Poll"/> return at once. Thread-safe.</summary>
    void Wakeup();

    /// <summary>Closes a connection without reporting it in <see cref="Disconnected"/>.</summary>
    void Close(int id);

    /// <summary>True when the connection is established and accepts sends.</summary>
    bool IsChannelReady(int id);

    /// <summary>Frames fully written during the last poll.</summary>
    IReadOnlyList<NetworkSend> CompletedSends { get; }

    /// <summary>Frames fully read during the last poll, in arrival order per connection.</summary>
    IReadOnlyList<NetworkReceive> CompletedReceives { get; }

    /// <summary>Connections established during the last poll.</summary>
    IReadOnlyList<int> Connected { get; }

    /// <summary>Connections that failed or closed during the last poll (including sends to unknown connections).</summary>
    IReadOnlyList<ChannelDisconnect> Disconnected { get; }
}
