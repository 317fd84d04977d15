namespace Samsa.Client.Network;

/// <summary>One complete frame read from a connection, size prefix removed (Java's NetworkReceive).</summary>
/// <param name="Source">The connection (node id) it came from.</param>
/// <param name="Buffer">The frame; owned by the receiver from now on (parsed responses may slice it).</param>
/// <param name="Length">Bytes of <paramref name="Buffer"/> that belong to the frame (a pooled buffer is longer).</param>
/// <param name="IsPooled">
/// True when <paramref name="Buffer"/> was rented from <see cref="System.Buffers.ArrayPool{T}.Shared"/>: the
/// receiver returns it once nothing refers to it; when a parsed response slices it (Fetch records),
/// it is handed on with the response (see <see cref="ClientResponse"/>) for its user to return.
/// </param>
public readonly record struct NetworkReceive(int Source, byte[] Buffer, int Length, bool IsPooled = false)
{
    /// <summary>The frame bytes.</summary>
    public ReadOnlyMemory<byte> Payload => Buffer.AsMemory(0, Length);
}
