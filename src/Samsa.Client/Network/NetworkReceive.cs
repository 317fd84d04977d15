namespace Samsa.Client.Network;

/// <summary>One complete frame read from a connection, size prefix removed (Java's NetworkReceive).</summary>
/// <param name="Source">The connection (node id) it came from.</param>
/// <param name="Buffer">The frame; owned by the receiver from now on (parsed responses may slice it).</param>
/// <param name="Length">Bytes of <paramref name="Buffer"/> that belong to the frame.</param>
public readonly record struct NetworkReceive(int Source, byte[] Buffer, int Length)
{
    /// <summary>The frame bytes.</summary>
    public ReadOnlyMemory<byte> Payload => Buffer.AsMemory(0, Length);
}
