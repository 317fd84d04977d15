using System.Buffers.Binary;
using System.Text;
using Samsa.Protocol.Errors;

namespace Samsa.Protocol.Primitives;

/// <summary>
/// Writes Kafka protocol primitives (big-endian fixed ints, zig-zag varints, unsigned varints,
/// classic and compact strings/bytes/arrays, tagged fields) into a <see cref="ByteBufferWriter"/>.
/// Each Size* method gives the encoded size of the matching Write* without writing it.
/// </summary>
public ref struct KafkaWriter
{
    private readonly ByteBufferWriter _output;

    /// <summary>Creates a writer appending to <paramref name="output"/>.</summary>
    public KafkaWriter(ByteBufferWriter output) => _output = output;

    /// <summary>The buffer written into.</summary>
    public readonly ByteBufferWriter Output => _output;

    /// <summary>Bytes written into the underlying buffer so far (not only by this writer).</summary>
    public readonly int Position => _output.WrittenCount;

    /// <summary>Writes one byte as int8.</summary>
    public readonly void WriteInt8(sbyte value)
    {
        _output.GetSpan(1)[0] = (byte)value;
        _output.Advance(1);
    }

    /// <summary>Writes a boolean as one byte (0 or 1).</summary>
    public readonly void WriteBool(bool value)
    {
        _output.GetSpan(1)[0] = value ? (byte)1 : (byte)0;
        _output.Advance(1);
    }

    /// <summary>Writes a big-endian int16.</summary>
    public readonly void WriteInt16(short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(_output.GetSpan(2), value);
        _output.Advance(2);
    }

    /// <summary>Writes a big-endian uint16.</summary>
    public readonly void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_output.GetSpan(2), value);
        _output.Advance(2);
    }

    /// <summary>Writes a big-endian int32.</summary>
    public readonly void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_output.GetSpan(4), value);
        _output.Advance(4);
    }

    /// <summary>Writes a big-endian uint32.</summary>
    public readonly void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_output.GetSpan(4), value);
        _output.Advance(4);
    }

    /// <summary>Writes a big-endian int64.</summary>
    public readonly void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(_output.GetSpan(8), value);
        _output.Advance(8);
    }

    /// <summary>Writes an IEEE 754 float64, big-endian.</summary>
    public readonly void WriteFloat64(double value)
    {
        BinaryPrimitives.WriteDoubleBigEndian(_output.GetSpan(8), value);
        _output.Advance(8);
    }

    /// <summary>Writes a UUID as 16 bytes in Kafka's (Java's most/least significant) order.</summary>
    public readonly void WriteUuid(Guid value)
    {
        var span = _output.GetSpan(16);
        value.TryWriteBytes(span, bigEndian: true, out _);
        _output.Advance(16);
    }

    /// <summary>Writes an unsigned varint (LEB128, 7 bits per byte).</summary>
    public readonly void WriteUnsignedVarInt(uint value)
    {
        var span = _output.GetSpan(5);
        var n = VarInt.WriteUnsigned(span, value);
        _output.Advance(n);
    }

    /// <summary>Writes a zig-zag signed varint (int32).</summary>
    public readonly void WriteVarInt(int value) => WriteUnsignedVarInt(VarInt.ZigZag(value));

    /// <summary>Writes a zig-zag signed varlong (int64).</summary>
    public readonly void WriteVarLong(long value)
    {
        var span = _output.GetSpan(10);
        var n = VarInt.WriteUnsigned64(span, VarInt.ZigZag64(value));
        _output.Advance(n);
    }

    /// <summary>Writes raw bytes with no length prefix.</summary>
    public readonly void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_output.GetSpan(bytes.Length));
        _output.Advance(bytes.Length);
    }

    /// <summary>Writes a non-null string: int16 length (classic) or unsigned varint length+1 (compact).</summary>
    public readonly void WriteString(string value, bool compact)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        if (compact)
        {
            WriteUnsignedVarInt((uint)length + 1);
        }
        else
        {
            if (length > short.MaxValue)
                throw new KafkaProtocolException($"String of {length} UTF-8 bytes exceeds the int16 length of a classic string.");
            WriteInt16((short)length);
        }
        var written = Encoding.UTF8.GetBytes(value, _output.GetSpan(length));
        _output.Advance(written);
    }

    /// <summary>Writes a nullable string: null is length -1 (classic) or 0 (compact).</summary>
    public readonly void WriteNullableString(string? value, bool compact)
    {
        if (value is null)
        {
            if (compact)
                WriteUnsignedVarInt(0);
            else
                WriteInt16(-1);
            return;
        }
        WriteString(value, compact);
    }

    /// <summary>Writes bytes: int32 length (classic) or unsigned varint length+1 (compact).</summary>
    public readonly void WriteBytes(ReadOnlySpan<byte> value, bool compact)
    {
        if (compact)
            WriteUnsignedVarInt((uint)value.Length + 1);
        else
            WriteInt32(value.Length);
        WriteRaw(value);
    }

    /// <summary>Writes nullable bytes: null is length -1 (classic) or 0 (compact).</summary>
    public readonly void WriteNullableBytes(byte[]? value, bool compact)
    {
        if (value is null)
        {
            if (compact)
                WriteUnsignedVarInt(0);
            else
                WriteInt32(-1);
            return;
        }
        WriteBytes(value, compact);
    }

    /// <summary>Writes a (nullable) records field: bytes with an int32 (classic) or compact length, null as -1 / 0.</summary>
    public readonly void WriteNullableRecords(ReadOnlyMemory<byte>? value, bool compact)
    {
        if (value is not { } memory)
        {
            if (compact)
                WriteUnsignedVarInt(0);
            else
                WriteInt32(-1);
            return;
        }
        WriteBytes(memory.Span, compact);
    }

    /// <summary>Writes an array length: int32 (classic, -1 for null) or unsigned varint length+1 (compact, 0 for null).</summary>
    public readonly void WriteArrayLength(int count, bool compact)
    {
        if (compact)
            WriteUnsignedVarInt(count < 0 ? 0u : (uint)count + 1);
        else
            WriteInt32(count < 0 ? -1 : count);
    }

    /// <summary>Writes a tagged field's tag and size header; the caller writes <paramref name="size"/> bytes after it.</summary>
    public readonly void WriteTagHeader(int tag, int size)
    {
        WriteUnsignedVarInt((uint)tag);
        WriteUnsignedVarInt((uint)size);
    }

    /// <summary>Writes unknown tagged fields kept from a read (already sorted by tag with the known ones by the caller).</summary>
    public readonly void WriteRawTaggedField(TaggedField field)
    {
        WriteTagHeader(field.Tag, field.Data.Length);
        WriteRaw(field.Data);
    }

    /// <summary>Reserves 4 bytes for a big-endian length written later with <see cref="ByteBufferWriter.WriteInt32At"/>.</summary>
    public readonly int ReserveInt32()
    {
        var position = _output.WrittenCount;
        _output.GetSpan(4).Slice(0, 4).Clear();
        _output.Advance(4);
        return position;
    }

    /// <summary>Encoded size of an unsigned varint.</summary>
    public static int SizeOfUnsignedVarInt(uint value) => VarInt.SizeOfUnsigned(value);

    /// <summary>Encoded size of a zig-zag varint.</summary>
    public static int SizeOfVarInt(int value) => VarInt.SizeOfUnsigned(VarInt.ZigZag(value));

    /// <summary>Encoded size of a zig-zag varlong.</summary>
    public static int SizeOfVarLong(long value) => VarInt.SizeOfUnsigned64(VarInt.ZigZag64(value));

    /// <summary>Encoded size of a string or nullable string.</summary>
    public static int SizeOfString(string? value, bool compact)
    {
        if (value is null)
            return compact ? 1 : 2;
        var length = Encoding.UTF8.GetByteCount(value);
        return length + (compact ? VarInt.SizeOfUnsigned((uint)length + 1) : 2);
    }

    /// <summary>Encoded size of bytes or nullable bytes of the given length (-1 for null).</summary>
    public static int SizeOfBytes(int length, bool compact)
    {
        if (length < 0)
            return compact ? 1 : 4;
        return length + (compact ? VarInt.SizeOfUnsigned((uint)length + 1) : 4);
    }

    /// <summary>Encoded size of an array length prefix (-1 for null).</summary>
    public static int SizeOfArrayLength(int count, bool compact)
        => compact ? VarInt.SizeOfUnsigned(count < 0 ? 0u : (uint)count + 1) : 4;
}
