using System.Collections;
using System.Text;

namespace Samsa.Client.Producer;

/// <summary>One record header: a string key and a byte value (null allowed), as Kafka stores them.</summary>
/// <param name="Key">The header key.</param>
/// <param name="Value">The header value, or null.</param>
public readonly record struct Header(string Key, byte[]? Value)
{
    /// <summary>The value decoded as UTF-8 (null stays null).</summary>
    public string? GetValueAsString() => Value is null ? null : Encoding.UTF8.GetString(Value);
}

/// <summary>The ordered headers of a record. Keys may repeat, as in Kafka.</summary>
public sealed class Headers : IReadOnlyList<Header>
{
    private readonly List<Header> _headers = [];

    /// <summary>Number of headers.</summary>
    public int Count => _headers.Count;

    /// <summary>The header at <paramref name="index"/>.</summary>
    public Header this[int index] => _headers[index];

    /// <summary>Adds a header.</summary>
    public Headers Add(string key, byte[]? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        _headers.Add(new Header(key, value));
        return this;
    }

    /// <summary>Adds a header with a UTF-8 string value.</summary>
    public Headers Add(string key, string? value) => Add(key, value is null ? null : Encoding.UTF8.GetBytes(value));

    /// <summary>The value of the last header with <paramref name="key"/>, as Java's lastHeader.</summary>
    public bool TryGetLastValue(string key, out byte[]? value)
    {
        for (int i = _headers.Count - 1; i >= 0; i--)
        {
            if (_headers[i].Key == key)
            {
                value = _headers[i].Value;
                return true;
            }
        }
        value = null;
        return false;
    }

    /// <summary>Removes every header with <paramref name="key"/>.</summary>
    public void Remove(string key) => _headers.RemoveAll(h => h.Key == key);

    /// <summary>Enumerates without allocating.</summary>
    public List<Header>.Enumerator GetEnumerator() => _headers.GetEnumerator();

    IEnumerator<Header> IEnumerable<Header>.GetEnumerator() => _headers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _headers.GetEnumerator();
}
