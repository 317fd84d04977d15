namespace Samsa.Protocol.Records;

/// <summary>
/// A header to append with a record. The key is a string (Kafka requires a non-null UTF-8 key); the
/// value may be null. Building a span of these on the stack or in a reused array keeps appends allocation-free.
/// </summary>
public readonly struct RecordHeader
{
    /// <summary>Creates a header with a value.</summary>
    public RecordHeader(string key, ReadOnlyMemory<byte> value)
    {
        ArgumentNullException.ThrowIfNull(key);
        Key = key;
        Value = value;
        IsValueNull = false;
    }

    /// <summary>Creates a header whose value is null when <paramref name="value"/> is.</summary>
    public RecordHeader(string key, byte[]? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        Key = key;
        Value = value;
        IsValueNull = value is null;
    }

    /// <summary>The header key.</summary>
    public string Key { get; }

    /// <summary>The header value (empty when <see cref="IsValueNull"/>).</summary>
    public ReadOnlyMemory<byte> Value { get; }

    /// <summary>True when the value is null rather than empty.</summary>
    public bool IsValueNull { get; }
}
