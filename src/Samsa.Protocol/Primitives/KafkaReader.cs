using System.Buffers.Binary;
using System.Text;
using Samsa.Protocol.Errors;

namespace Samsa.Protocol.Primitives;

/// <summary>
/// Reads Kafka protocol primitives from one contiguous frame. Every length is checked against the
/// bytes that remain before anything is allocated, so a garbage length from the network fails with
/// <see cref="KafkaProtocolException"/> instead of a huge allocation or an index error.
/// </summary>
public ref struct KafkaReader
{
    private readonly ReadOnlySpan<byte> _span;
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly bool _hasMemory;
    private int _position;
    private bool _sharesMemory;

    /// <summary>Reads from a memory; <c>records</c> fields are then sliced without copying.</summary>
    public KafkaReader(ReadOnlyMemory<byte> memory)
    {
        _memory = memory;
        _span = memory.Span;
        _hasMemory = true;
        _position = 0;
    }

    /// <summary>Reads from a span; <c>records</c> fields are copied out.</summary>
    public KafkaReader(ReadOnlySpan<byte> span)
    {
        _span = span;
        _memory = default;
        _hasMemory = false;
        _position = 0;
    }

    /// <summary>
    /// True once something read may refer to the reader's memory: a <c>records</c> field returned as
    /// a slice, or a sub-reader handed out by <see cref="Slice"/> (conservatively). The memory must
    /// then outlive what was read, so a pooled frame must not be returned.
    /// </summary>
    public readonly bool SharesMemory => _sharesMemory;

    /// <summary>Bytes consumed so far.</summary>
    public readonly int Position => _position;

    /// <summary>Bytes not yet consumed.</summary>
    public readonly int Remaining => _span.Length - _position;

    /// <summary>The bytes not yet consumed.</summary>
    public readonly ReadOnlySpan<byte> RemainingSpan => _span.Slice(_position);

    private ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)(_span.Length - _position))
            throw new KafkaProtocolException($"Need {count} more bytes at offset {_position} but only {_span.Length - _position} remain.");
        var slice = _span.Slice(_position, count);
        _position += count;
        return slice;
    }

    /// <summary>Skips bytes.</summary>
    public void Skip(int count) => Take(count);

    /// <summary>Reads an int8.</summary>
    public sbyte ReadInt8() => (sbyte)Take(1)[0];

    /// <summary>Reads a boolean (any non-zero byte is true).</summary>
    public bool ReadBool() => Take(1)[0] != 0;

    /// <summary>Reads a big-endian int16.</summary>
    public short ReadInt16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

    /// <summary>Reads a big-endian uint16.</summary>
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    /// <summary>Reads a big-endian int32.</summary>
    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    /// <summary>Reads a big-endian uint32.</summary>
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    /// <summary>Reads a big-endian int64.</summary>
    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    /// <summary>Reads a big-endian float64.</summary>
    public double ReadFloat64() => BinaryPrimitives.ReadDoubleBigEndian(Take(8));

    /// <summary>Reads a 16-byte UUID.</summary>
    public Guid ReadUuid() => new(Take(16), bigEndian: true);

    /// <summary>Reads an unsigned varint.</summary>
    public uint ReadUnsignedVarInt()
    {
        var value = VarInt.ReadUnsigned(_span.Slice(_position), out var n);
        _position += n;
        return value;
    }

    /// <summary>Reads a zig-zag varint.</summary>
    public int ReadVarInt() => VarInt.UnZigZag(ReadUnsignedVarInt());

    /// <summary>Reads a zig-zag varlong.</summary>
    public long ReadVarLong()
    {
        var value = VarInt.ReadUnsigned64(_span.Slice(_position), out var n);
        _position += n;
        return VarInt.UnZigZag64(value);
    }

    /// <summary>Reads raw bytes with no length prefix.</summary>
    public ReadOnlySpan<byte> ReadRaw(int count) => Take(count);

    private int ReadLength(bool compact, bool wide, string what)
    {
        int length;
        if (compact)
        {
            var raw = ReadUnsignedVarInt();
            if (raw > int.MaxValue)
                throw new KafkaProtocolException($"Compact {what} length {raw} is out of range.");
            length = (int)raw - 1;
        }
        else
        {
            length = wide ? ReadInt32() : ReadInt16();
        }
        if (length < -1)
            throw new KafkaProtocolException($"Invalid {what} length {length} at offset {_position}.");
        if (length > Remaining)
            throw new KafkaProtocolException($"{what} length {length} exceeds the {Remaining} bytes that remain.");
        return length;
    }

    /// <summary>Reads a nullable string; null for length -1 (classic) or 0 (compact).</summary>
    public string? ReadNullableString(bool compact)
    {
        var length = ReadLength(compact, wide: false, "string");
        return length < 0 ? null : Encoding.UTF8.GetString(Take(length));
    }

    /// <summary>Reads a non-null string; a null on the wire is an error.</summary>
    public string ReadString(bool compact, string field = "string")
        => ReadNullableString(compact) ?? throw new KafkaProtocolException($"Non-nullable field {field} was null.");

    /// <summary>Reads nullable bytes; null for length -1 (classic) or 0 (compact).</summary>
    public byte[]? ReadNullableBytes(bool compact)
    {
        var length = ReadLength(compact, wide: true, "bytes");
        return length < 0 ? null : Take(length).ToArray();
    }

    /// <summary>Reads non-null bytes.</summary>
    public byte[] ReadBytes(bool compact, string field = "bytes")
        => ReadNullableBytes(compact) ?? throw new KafkaProtocolException($"Non-nullable field {field} was null.");

    /// <summary>Reads a (nullable) records field without copying when the reader was made over memory.</summary>
    public ReadOnlyMemory<byte>? ReadNullableRecords(bool compact)
    {
        var length = ReadLength(compact, wide: true, "records");
        if (length < 0)
            return null;
        var start = _position;
        var slice = Take(length);
        if (!_hasMemory)
            return slice.ToArray();
        _sharesMemory = true;
        return _memory.Slice(start, length);
    }

    /// <summary>
    /// Reads an array length; -1 for null. The count is checked against the remaining bytes
    /// (each element takes at least <paramref name="minElementSize"/> bytes), so a garbage count
    /// cannot make the caller allocate a huge list.
    /// </summary>
    public int ReadArrayLength(bool compact, int minElementSize = 1)
    {
        int count;
        if (compact)
        {
            var raw = ReadUnsignedVarInt();
            if (raw > int.MaxValue)
                throw new KafkaProtocolException($"Compact array length {raw} is out of range.");
            count = (int)raw - 1;
        }
        else
        {
            count = ReadInt32();
        }
        if (count < -1)
            throw new KafkaProtocolException($"Invalid array length {count} at offset {_position}.");
        if (count > 0 && (long)count * Math.Max(minElementSize, 0) > Remaining)
            throw new KafkaProtocolException($"Array of {count} elements cannot fit in the {Remaining} bytes that remain.");
        return count;
    }

    /// <summary>Reads a tagged field header: tag and the size of its data.</summary>
    public (int Tag, int Size) ReadTagHeader()
    {
        var tag = ReadUnsignedVarInt();
        var size = ReadUnsignedVarInt();
        if (tag > int.MaxValue)
            throw new KafkaProtocolException($"Tag {tag} is out of range.");
        if (size > (uint)Remaining)
            throw new KafkaProtocolException($"Tagged field {tag} of {size} bytes exceeds the {Remaining} bytes that remain.");
        return ((int)tag, (int)size);
    }

    /// <summary>Reads a sub-reader over the next <paramref name="size"/> bytes (for a tagged field's value).</summary>
    public KafkaReader Slice(int size)
    {
        var start = _position;
        Take(size);
        if (!_hasMemory)
            return new KafkaReader(_span.Slice(start, size));
        // What the sub-reader hands out is not tracked here, so assume it may be kept.
        _sharesMemory = true;
        return new KafkaReader(_memory.Slice(start, size));
    }

    /// <summary>Throws if bytes remain where a structure should have ended.</summary>
    public readonly void EnsureConsumed(string what)
    {
        if (Remaining != 0)
            throw new KafkaProtocolException($"{Remaining} unexpected bytes after {what}.");
    }
}
