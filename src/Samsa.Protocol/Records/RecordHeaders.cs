using System.Text;
using Samsa.Protocol.Primitives;

namespace Samsa.Protocol.Records;

/// <summary>
/// The headers of a read record, decoded on demand from the record's bytes (validated when the
/// record was read, so enumerating cannot fail). <c>foreach</c> over it allocates nothing.
/// </summary>
public readonly struct RecordHeaders
{
    private readonly ReadOnlyMemory<byte> _encoded;

    internal RecordHeaders(ReadOnlyMemory<byte> encoded, int count)
    {
        _encoded = encoded;
        Count = count;
    }

    /// <summary>Number of headers.</summary>
    public int Count { get; }

    /// <summary>Enumerates the headers in order.</summary>
    public Enumerator GetEnumerator() => new(_encoded, Count);

    /// <summary>Allocation-free enumerator over the encoded headers.</summary>
    public struct Enumerator
    {
        private readonly ReadOnlyMemory<byte> _encoded;
        private int _remaining;
        private int _position;

        internal Enumerator(ReadOnlyMemory<byte> encoded, int count)
        {
            _encoded = encoded;
            _remaining = count;
            _position = 0;
            Current = default;
        }

        /// <summary>The current header.</summary>
        public RecordHeaderView Current { get; private set; }

        /// <summary>Moves to the next header.</summary>
        public bool MoveNext()
        {
            if (_remaining == 0)
                return false;
            _remaining--;
            var span = _encoded.Span;
            var keyLength = VarInt.Read(span[_position..], out var n);
            _position += n;
            var key = _encoded.Slice(_position, keyLength);
            _position += keyLength;
            var valueLength = VarInt.Read(span[_position..], out n);
            _position += n;
            var value = valueLength < 0 ? ReadOnlyMemory<byte>.Empty : _encoded.Slice(_position, valueLength);
            _position += Math.Max(valueLength, 0);
            Current = new RecordHeaderView(key, value, valueLength < 0);
            return true;
        }
    }
}

/// <summary>One header of a read record; the bytes are slices of the record.</summary>
public readonly struct RecordHeaderView
{
    internal RecordHeaderView(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, bool isValueNull)
    {
        KeyBytes = key;
        Value = value;
        IsValueNull = isValueNull;
    }

    /// <summary>The key's UTF-8 bytes.</summary>
    public ReadOnlyMemory<byte> KeyBytes { get; }

    /// <summary>The key as a string (allocates).</summary>
    public string Key => Encoding.UTF8.GetString(KeyBytes.Span);

    /// <summary>The value bytes (empty when <see cref="IsValueNull"/>).</summary>
    public ReadOnlyMemory<byte> Value { get; }

    /// <summary>True for a null value.</summary>
    public bool IsValueNull { get; }
}
