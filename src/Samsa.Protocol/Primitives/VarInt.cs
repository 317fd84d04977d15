using Samsa.Protocol.Errors;

namespace Samsa.Protocol.Primitives;

/// <summary>
/// Variable-length integers as Kafka encodes them: unsigned LEB128 (7 bits a byte, low bits first)
/// and zig-zag for signed values, so small negative numbers stay short.
/// </summary>
public static class VarInt
{
    /// <summary>Largest encoding of a 32-bit varint.</summary>
    public const int MaxLength32 = 5;

    /// <summary>Largest encoding of a 64-bit varint.</summary>
    public const int MaxLength64 = 10;

    /// <summary>Zig-zag encodes a signed int32.</summary>
    public static uint ZigZag(int value) => (uint)((value << 1) ^ (value >> 31));

    /// <summary>Zig-zag decodes to a signed int32.</summary>
    public static int UnZigZag(uint value) => (int)(value >> 1) ^ -(int)(value & 1);

    /// <summary>Zig-zag encodes a signed int64.</summary>
    public static ulong ZigZag64(long value) => (ulong)((value << 1) ^ (value >> 63));

    /// <summary>Zig-zag decodes to a signed int64.</summary>
    public static long UnZigZag64(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    /// <summary>Bytes needed for an unsigned 32-bit varint.</summary>
    public static int SizeOfUnsigned(uint value)
    {
        // ceil(bits/7), at least 1: branch-free via the leading zero count.
        var bits = 32 - System.Numerics.BitOperations.LeadingZeroCount(value | 1);
        return (bits + 6) / 7;
    }

    /// <summary>Bytes needed for an unsigned 64-bit varint.</summary>
    public static int SizeOfUnsigned64(ulong value)
    {
        var bits = 64 - System.Numerics.BitOperations.LeadingZeroCount(value | 1);
        return (bits + 6) / 7;
    }

    /// <summary>Bytes needed for a zig-zag varint.</summary>
    public static int SizeOf(int value) => SizeOfUnsigned(ZigZag(value));

    /// <summary>Bytes needed for a zig-zag varlong.</summary>
    public static int SizeOf64(long value) => SizeOfUnsigned64(ZigZag64(value));

    /// <summary>Writes an unsigned varint; returns the bytes written.</summary>
    public static int WriteUnsigned(Span<byte> destination, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Writes an unsigned 64-bit varint; returns the bytes written.</summary>
    public static int WriteUnsigned64(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Writes a zig-zag varint; returns the bytes written.</summary>
    public static int Write(Span<byte> destination, int value) => WriteUnsigned(destination, ZigZag(value));

    /// <summary>Writes a zig-zag varlong; returns the bytes written.</summary>
    public static int Write64(Span<byte> destination, long value) => WriteUnsigned64(destination, ZigZag64(value));

    /// <summary>Reads an unsigned varint; throws on truncation or more than 5 bytes.</summary>
    public static uint ReadUnsigned(ReadOnlySpan<byte> source, out int bytesRead)
    {
        uint result = 0;
        for (var i = 0; i < MaxLength32; i++)
        {
            if (i >= source.Length)
                throw new KafkaProtocolException("Truncated varint.");
            var b = source[i];
            if (i == MaxLength32 - 1 && b > 0x0F)
                throw new KafkaProtocolException("Varint is too long for 32 bits.");
            result |= (uint)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                bytesRead = i + 1;
                return result;
            }
        }
        throw new KafkaProtocolException("Varint is too long for 32 bits.");
    }

    /// <summary>Reads an unsigned 64-bit varint; throws on truncation or more than 10 bytes.</summary>
    public static ulong ReadUnsigned64(ReadOnlySpan<byte> source, out int bytesRead)
    {
        ulong result = 0;
        for (var i = 0; i < MaxLength64; i++)
        {
            if (i >= source.Length)
                throw new KafkaProtocolException("Truncated varlong.");
            var b = source[i];
            if (i == MaxLength64 - 1 && b > 0x01)
                throw new KafkaProtocolException("Varlong is too long for 64 bits.");
            result |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                bytesRead = i + 1;
                return result;
            }
        }
        throw new KafkaProtocolException("Varlong is too long for 64 bits.");
    }

    /// <summary>Reads a zig-zag varint.</summary>
    public static int Read(ReadOnlySpan<byte> source, out int bytesRead) => UnZigZag(ReadUnsigned(source, out bytesRead));

    /// <summary>Reads a zig-zag varlong.</summary>
    public static long Read64(ReadOnlySpan<byte> source, out int bytesRead) => UnZigZag64(ReadUnsigned64(source, out bytesRead));
}
