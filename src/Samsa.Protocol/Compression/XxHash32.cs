using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Samsa.Protocol.Compression;

/// <summary>
/// xxHash32 (the checksum of the LZ4 frame format), one-shot and streaming. System.IO.Hashing is
/// not available to us, and the algorithm is a page long.
/// </summary>
public struct XxHash32
{
    private const uint Prime1 = 2654435761U;
    private const uint Prime2 = 2246822519U;
    private const uint Prime3 = 3266489917U;
    private const uint Prime4 = 668265263U;
    private const uint Prime5 = 374761393U;

    private uint _v1, _v2, _v3, _v4;
    private readonly uint _seed;
    private long _totalLength;
    private Pending _pending;
    private int _pendingLength;

    [InlineArray(16)]
    private struct Pending
    {
        private byte _element0;
    }

    /// <summary>Starts a streaming hash.</summary>
    public XxHash32(uint seed)
    {
        _seed = seed;
        _v1 = seed + Prime1 + Prime2;
        _v2 = seed + Prime2;
        _v3 = seed;
        _v4 = seed - Prime1;
        _totalLength = 0;
        _pendingLength = 0;
    }

    /// <summary>Hashes <paramref name="data"/> in one call.</summary>
    public static uint Hash(ReadOnlySpan<byte> data, uint seed = 0)
    {
        var h = new XxHash32(seed);
        h.Append(data);
        return h.GetCurrentHash();
    }

    /// <summary>Adds bytes to the hash.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        _totalLength += data.Length;
        if (_pendingLength > 0)
        {
            var take = Math.Min(16 - _pendingLength, data.Length);
            data[..take].CopyTo(((Span<byte>)_pending)[_pendingLength..]);
            _pendingLength += take;
            data = data[take..];
            if (_pendingLength < 16)
                return;
            ReadOnlySpan<byte> full = _pending;
            Stripe(full);
            _pendingLength = 0;
        }
        while (data.Length >= 16)
        {
            Stripe(data);
            data = data[16..];
        }
        if (data.Length > 0)
        {
            data.CopyTo(_pending);
            _pendingLength = data.Length;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Stripe(ReadOnlySpan<byte> s)
    {
        _v1 = Round(_v1, BinaryPrimitives.ReadUInt32LittleEndian(s));
        _v2 = Round(_v2, BinaryPrimitives.ReadUInt32LittleEndian(s[4..]));
        _v3 = Round(_v3, BinaryPrimitives.ReadUInt32LittleEndian(s[8..]));
        _v4 = Round(_v4, BinaryPrimitives.ReadUInt32LittleEndian(s[12..]));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Round(uint acc, uint lane) => BitOperations.RotateLeft(acc + lane * Prime2, 13) * Prime1;

    /// <summary>The hash of everything appended so far.</summary>
    public readonly uint GetCurrentHash()
    {
        uint h = _totalLength >= 16
            ? BitOperations.RotateLeft(_v1, 1) + BitOperations.RotateLeft(_v2, 7) + BitOperations.RotateLeft(_v3, 12) + BitOperations.RotateLeft(_v4, 18)
            : _seed + Prime5;
        h += (uint)_totalLength;
        var pending = ((ReadOnlySpan<byte>)_pending)[.._pendingLength];
        while (pending.Length >= 4)
        {
            h = BitOperations.RotateLeft(h + BinaryPrimitives.ReadUInt32LittleEndian(pending) * Prime3, 17) * Prime4;
            pending = pending[4..];
        }
        foreach (var b in pending)
            h = BitOperations.RotateLeft(h + b * Prime5, 11) * Prime1;
        h ^= h >> 15;
        h *= Prime2;
        h ^= h >> 13;
        h *= Prime3;
        h ^= h >> 16;
        return h;
    }
}
