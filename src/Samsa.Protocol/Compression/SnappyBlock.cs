using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Samsa.Protocol.Errors;

namespace Samsa.Protocol.Compression;

/// <summary>
/// The raw Snappy block format (google/snappy format_description.txt): a varint uncompressed
/// length, then literal and copy elements. Own implementation rather than IronSnappy because the
/// package's API allocates a result array per call and we compress straight into pooled buffers.
/// </summary>
internal static class SnappyBlock
{
    private const int FragmentSize = 64 * 1024; // matches never cross a 64 KB fragment, as in snappy itself
    private const int HashLog = 14;
    private const int InputMargin = 15;

    [ThreadStatic]
    private static int[]? t_table;

    /// <summary>Worst-case encoded size (snappy's MaxCompressedLength).</summary>
    public static int MaxCompressedLength(int length) => 32 + length + length / 6;

    /// <summary>Reads the uncompressed length preamble.</summary>
    public static int GetUncompressedLength(ReadOnlySpan<byte> source, out int headerLength)
    {
        uint result = 0;
        for (var i = 0; i < 5; i++)
        {
            if (i >= source.Length)
                throw Corrupt("truncated length preamble");
            var b = source[i];
            result |= (uint)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                if (result > int.MaxValue)
                    break;
                headerLength = i + 1;
                return (int)result;
            }
        }
        throw Corrupt("length preamble is out of range");
    }

    /// <summary>Compresses <paramref name="source"/>; <paramref name="destination"/> must hold <see cref="MaxCompressedLength"/> bytes.</summary>
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var op = 0;
        var length = (uint)source.Length;
        while (length >= 0x80)
        {
            destination[op++] = (byte)(length | 0x80);
            length >>= 7;
        }
        destination[op++] = (byte)length;
        var table = t_table ??= new int[1 << HashLog];
        for (var start = 0; start < source.Length; start += FragmentSize)
        {
            var fragment = source.Slice(start, Math.Min(FragmentSize, source.Length - start));
            op = CompressFragment(fragment, destination, op, table);
        }
        return op;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(uint sequence) => (int)((sequence * 0x1E35A7BDU) >> (32 - HashLog));

    private static int CompressFragment(ReadOnlySpan<byte> s, Span<byte> dst, int op, int[] table)
    {
        var anchor = 0;
        if (s.Length >= InputMargin + 1)
        {
            Array.Clear(table);
            ref var src = ref MemoryMarshal.GetReference(s);
            var limit = s.Length - InputMargin;
            var ip = 0;
            var misses = 0;
            while (ip < limit)
            {
                var sequence = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref src, ip));
                var h = Hash(sequence);
                var candidate = table[h] - 1;
                table[h] = ip + 1;
                if (candidate < 0 || Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref src, candidate)) != sequence)
                {
                    ip += 1 + (misses++ >> 5);
                    continue;
                }
                misses = 0;
                if (ip > anchor)
                    op = EmitLiteral(s.Slice(anchor, ip - anchor), dst, op);
                var matched = 4 + CommonLength(s, ip + 4, candidate + 4, s.Length);
                op = EmitCopy(dst, op, ip - candidate, matched);
                ip += matched;
                anchor = ip;
                if (ip < limit)
                    table[Hash(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref src, ip - 1)))] = ip - 1 + 1;
            }
        }
        if (anchor < s.Length)
            op = EmitLiteral(s[anchor..], dst, op);
        return op;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int CommonLength(ReadOnlySpan<byte> s, int a, int b, int limit)
    {
        var start = a;
        while (a + 8 <= limit)
        {
            var diff = MemoryMarshal.Read<ulong>(s[a..]) ^ MemoryMarshal.Read<ulong>(s[b..]);
            if (diff != 0)
                return a - start + (BitOperations.TrailingZeroCount(diff) >> 3);
            a += 8;
            b += 8;
        }
        while (a < limit && s[a] == s[b])
        {
            a++;
            b++;
        }
        return a - start;
    }

    private static int EmitLiteral(ReadOnlySpan<byte> literal, Span<byte> dst, int op)
    {
        var n = literal.Length - 1;
        if (n < 60)
        {
            dst[op++] = (byte)(n << 2);
        }
        else
        {
            var bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
            dst[op++] = (byte)((59 + bytes) << 2);
            for (var i = 0; i < bytes; i++)
            {
                dst[op++] = (byte)n;
                n >>= 8;
            }
        }
        literal.CopyTo(dst[op..]);
        return op + literal.Length;
    }

    private static int EmitCopy(Span<byte> dst, int op, int offset, int length)
    {
        while (length >= 68)
        {
            op = EmitCopyUpTo64(dst, op, offset, 64);
            length -= 64;
        }
        if (length > 64)
        {
            op = EmitCopyUpTo64(dst, op, offset, 60);
            length -= 60;
        }
        return EmitCopyUpTo64(dst, op, offset, length);
    }

    private static int EmitCopyUpTo64(Span<byte> dst, int op, int offset, int length)
    {
        if (length < 12 && offset < 2048)
        {
            dst[op++] = (byte)(1 | ((length - 4) << 2) | ((offset >> 8) << 5));
            dst[op++] = (byte)offset;
        }
        else
        {
            dst[op++] = (byte)(2 | ((length - 1) << 2));
            BinaryPrimitives.WriteUInt16LittleEndian(dst[op..], (ushort)offset);
            op += 2;
        }
        return op;
    }

    /// <summary>
    /// Decompresses a block (after its preamble) into exactly <paramref name="destination"/>.Length bytes.
    /// </summary>
    public static void Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var ip = 0;
        var op = 0;
        while (ip < source.Length)
        {
            int tag = source[ip++];
            int length;
            switch (tag & 3)
            {
                case 0:
                    length = tag >> 2;
                    if (length >= 60)
                    {
                        var bytes = length - 59;
                        if (source.Length - ip < bytes)
                            throw Corrupt("truncated literal length");
                        uint value = 0;
                        for (var i = 0; i < bytes; i++)
                            value |= (uint)source[ip + i] << (8 * i);
                        ip += bytes;
                        if (value >= int.MaxValue)
                            throw Corrupt("literal length is out of range");
                        length = (int)value;
                    }
                    length += 1;
                    if (length > source.Length - ip)
                        throw Corrupt("literal runs past the end of the input");
                    if (length > destination.Length - op)
                        throw Corrupt("output is longer than the declared length");
                    source.Slice(ip, length).CopyTo(destination[op..]);
                    ip += length;
                    op += length;
                    continue;
                case 1:
                    if (ip >= source.Length)
                        throw Corrupt("truncated copy");
                    length = 4 + ((tag >> 2) & 7);
                    Copy(destination, ref op, ((tag >> 5) << 8) | source[ip++], length);
                    continue;
                case 2:
                    if (source.Length - ip < 2)
                        throw Corrupt("truncated copy");
                    length = (tag >> 2) + 1;
                    Copy(destination, ref op, BinaryPrimitives.ReadUInt16LittleEndian(source[ip..]), length);
                    ip += 2;
                    continue;
                default:
                    if (source.Length - ip < 4)
                        throw Corrupt("truncated copy");
                    length = (tag >> 2) + 1;
                    var offset = BinaryPrimitives.ReadUInt32LittleEndian(source[ip..]);
                    ip += 4;
                    if (offset > int.MaxValue)
                        throw Corrupt("copy offset is out of range");
                    Copy(destination, ref op, (int)offset, length);
                    continue;
            }
        }
        if (op != destination.Length)
            throw Corrupt($"block holds {op} bytes but declares {destination.Length}");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(Span<byte> d, ref int op, int offset, int length)
    {
        if (offset == 0 || offset > op)
            throw Corrupt($"copy offset {offset} points before the start of the output");
        if (length > d.Length - op)
            throw Corrupt("output is longer than the declared length");
        var from = op - offset;
        if (offset >= length)
            d.Slice(from, length).CopyTo(d[op..]);
        else
            for (var i = 0; i < length; i++)
                d[op + i] = d[from + i];
        op += length;
    }

    private static CorruptRecordException Corrupt(string what) => new($"Invalid snappy data: {what}.");
}
