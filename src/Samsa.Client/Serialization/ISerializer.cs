using System.Buffers;

namespace Samsa.Client.Serialization;

/// <summary>
/// Turns a key or value into bytes. The serializer writes into <paramref name="output"/> (a buffer the
/// producer reuses) instead of returning a new array, so serializing allocates nothing per record.
/// A null key or value is never passed: the producer writes Kafka's null for it without calling the
/// serializer.
/// </summary>
/// <typeparam name="T">The type serialized.</typeparam>
public interface ISerializer<in T>
{
    /// <summary>Writes <paramref name="data"/> into <paramref name="output"/>.</summary>
    void Serialize(T data, IBufferWriter<byte> output, SerializationContext context);
}
