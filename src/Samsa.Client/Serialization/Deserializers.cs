using System.Buffers.Binary;
using System.Text;
using Samsa.Protocol.Errors;

namespace Samsa.Client.Serialization;

/// <summary>
/// The built-in deserializers, reading what <see cref="Serializers"/> (and the Java client's
/// ByteArray/String/Integer/Long serializers) write. Kafka's null becomes null (or 0 for numbers).
/// </summary>
public static class Deserializers
{
    /// <summary>Copies the bytes into a new array (null stays null).</summary>
    public static IDeserializer<byte[]?> ByteArray { get; } = new ByteArrayDeserializer();

    /// <summary>Decodes UTF-8 (null stays null).</summary>
    public static IDeserializer<string?> Utf8 { get; } = new Utf8Deserializer();

    /// <summary>Reads 4 big-endian bytes; fails on any other length.</summary>
    public static IDeserializer<int> Int32 { get; } = new Int32Deserializer();

    /// <summary>Reads 8 big-endian bytes; fails on any other length.</summary>
    public static IDeserializer<long> Int64 { get; } = new Int64Deserializer();

    /// <summary>Ignores the bytes (for keys or values the application does not read).</summary>
    public static IDeserializer<object?> Ignore { get; } = new IgnoreDeserializer();

    private sealed class ByteArrayDeserializer : IDeserializer<byte[]?>
    {
        public byte[]? Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => isNull ? null : data.ToArray();
    }

    private sealed class Utf8Deserializer : IDeserializer<string?>
    {
        public string? Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => isNull ? null : Encoding.UTF8.GetString(data);
    }

    private sealed class Int32Deserializer : IDeserializer<int>
    {
        public int Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
        {
            if (isNull) return 0;
            if (data.Length != 4)
                throw new KafkaException($"Size of data received by Int32 deserializer is not 4 but {data.Length} ({context.Component} of topic {context.Topic}).");
            return BinaryPrimitives.ReadInt32BigEndian(data);
        }
    }

    private sealed class Int64Deserializer : IDeserializer<long>
    {
        public long Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
        {
            if (isNull) return 0;
            if (data.Length != 8)
                throw new KafkaException($"Size of data received by Int64 deserializer is not 8 but {data.Length} ({context.Component} of topic {context.Topic}).");
            return BinaryPrimitives.ReadInt64BigEndian(data);
        }
    }

    private sealed class IgnoreDeserializer : IDeserializer<object?>
    {
        public object? Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => null;
    }
}
