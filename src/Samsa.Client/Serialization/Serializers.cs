using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Samsa.Client.Serialization;

/// <summary>
/// The built-in serializers, with the same bytes as the Java client's ByteArraySerializer,
/// StringSerializer (UTF-8), IntegerSerializer and LongSerializer (big-endian).
/// </summary>
public static class Serializers
{
    /// <summary>Writes a byte array as it is.</summary>
    public static ISerializer<byte[]> ByteArray { get; } = new ByteArraySerializer();

    /// <summary>Writes read-only memory as it is.</summary>
    public static ISerializer<ReadOnlyMemory<byte>> Memory { get; } = new MemorySerializer();

    /// <summary>Writes a string as UTF-8.</summary>
    public static ISerializer<string> Utf8 { get; } = new Utf8Serializer();

    /// <summary>Writes a 32-bit integer as 4 big-endian bytes.</summary>
    public static ISerializer<int> Int32 { get; } = new Int32Serializer();

    /// <summary>Writes a 64-bit integer as 8 big-endian bytes.</summary>
    public static ISerializer<long> Int64 { get; } = new Int64Serializer();

    /// <summary>The serializer used when none is given: built-in for byte[], string, int, long, ReadOnlyMemory&lt;byte&gt;.</summary>
    /// <exception cref="ArgumentException">No built-in serializer exists for <typeparamref name="T"/>.</exception>
    public static ISerializer<T> GetDefault<T>()
    {
        object? s = typeof(T) == typeof(byte[]) ? ByteArray
            : typeof(T) == typeof(string) ? Utf8
            : typeof(T) == typeof(int) ? Int32
            : typeof(T) == typeof(long) ? Int64
            : typeof(T) == typeof(ReadOnlyMemory<byte>) ? Memory
            : null;
        return s as ISerializer<T>
            ?? throw new ArgumentException($"No built-in serializer for {typeof(T)}; pass an ISerializer<{typeof(T).Name}>.");
    }

    private sealed class ByteArraySerializer : ISerializer<byte[]>
    {
        public void Serialize(byte[] data, IBufferWriter<byte> output, SerializationContext context) => output.Write(data);
    }

    private sealed class MemorySerializer : ISerializer<ReadOnlyMemory<byte>>
    {
        public void Serialize(ReadOnlyMemory<byte> data, IBufferWriter<byte> output, SerializationContext context) => output.Write(data.Span);
    }

    private sealed class Utf8Serializer : ISerializer<string>
    {
        public void Serialize(string data, IBufferWriter<byte> output, SerializationContext context)
        {
            int n = Encoding.UTF8.GetByteCount(data);
            int written = Encoding.UTF8.GetBytes(data, output.GetSpan(n));
            output.Advance(written);
        }
    }

    private sealed class Int32Serializer : ISerializer<int>
    {
        public void Serialize(int data, IBufferWriter<byte> output, SerializationContext context)
        {
            BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(4), data);
            output.Advance(4);
        }
    }

    private sealed class Int64Serializer : ISerializer<long>
    {
        public void Serialize(long data, IBufferWriter<byte> output, SerializationContext context)
        {
            BinaryPrimitives.WriteInt64BigEndian(output.GetSpan(8), data);
            output.Advance(8);
        }
    }
}
