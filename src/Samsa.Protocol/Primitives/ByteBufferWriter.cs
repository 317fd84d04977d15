using System.Buffers;
using System.Buffers.Binary;

namespace Samsa.Protocol.Primitives;

/// <summary>
/// A growable byte buffer rented from <see cref="ArrayPool{T}"/>. Requests and batches are written
/// into one of these and handed to the socket as a single contiguous memory, so a frame is
/// written with one send and the buffer goes back to the pool afterwards.
/// </summary>
public sealed class ByteBufferWriter : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _written;

    /// <summary>Creates a writer with at least <paramref name="initialCapacity"/> bytes.</summary>
    public ByteBufferWriter(int initialCapacity = 256)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 16));
    }

    /// <summary>Bytes written so far.</summary>
    public int WrittenCount => _written;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    /// <summary>The bytes written so far.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    /// <summary>
    /// Makes a disposed writer usable again with a freshly rented buffer of at least
    /// <paramref name="initialCapacity"/> bytes, so the writer object itself can be pooled
    /// (a writer that still holds a buffer keeps it and just forgets what was written).
    /// </summary>
    public void Reinitialize(int initialCapacity)
    {
        _written = 0;
        if (_buffer.Length >= initialCapacity && _buffer.Length > 0)
            return;
        var old = _buffer;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 16));
        if (old.Length > 0)
            ArrayPool<byte>.Shared.Return(old);
    }

    /// <summary>Forgets what was written, keeping the buffer for reuse.</summary>
    public void Reset() => _written = 0;

    /// <inheritdoc />
    public void Advance(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _written))
            throw new ArgumentOutOfRangeException(nameof(count));
        _written += count;
    }

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Overwrites a big-endian int32 at an earlier position (length prefixes, CRCs).</summary>
    public void WriteInt32At(int position, int value)
    {
        if ((uint)position > (uint)(_written - 4))
            throw new ArgumentOutOfRangeException(nameof(position));
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(position), value);
    }

    /// <summary>The written bytes from <paramref name="start"/> on, for checksums over a region.</summary>
    public Span<byte> WrittenSlice(int start, int length) => _buffer.AsSpan(start, length);

    /// <summary>Copies the written bytes into a new array.</summary>
    public byte[] ToArray() => WrittenSpan.ToArray();

    private void Ensure(int sizeHint)
    {
        if (sizeHint < 1)
            sizeHint = 1;
        if (_buffer.Length - _written >= sizeHint)
            return;
        var needed = checked(_written + sizeHint);
        var size = Math.Max(needed, _buffer.Length * 2);
        var next = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _written).CopyTo(next);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0)
            ArrayPool<byte>.Shared.Return(buffer);
    }
}
