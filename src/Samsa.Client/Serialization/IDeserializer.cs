namespace Samsa.Client.Serialization;

/// <summary>Turns the bytes of a record's key or value back into a value.</summary>
/// <typeparam name="T">The type produced.</typeparam>
public interface IDeserializer<out T>
{
    /// <summary>
    /// Reads a value from <paramref name="data"/>. <paramref name="isNull"/> is true when Kafka's null
    /// was stored (then <paramref name="data"/> is empty); the span is only valid during the call.
    /// </summary>
    T Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context);
}
