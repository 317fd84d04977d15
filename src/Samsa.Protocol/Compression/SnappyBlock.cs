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
    /// Pointer code with every bound checked before use; short copies are 16-byte over-copies kept
    /// inside the destination (see <see cref="Lz4Block.Decompress"/>).
    /// </summary>
    public static unsafe void Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        fixed (byte* srcStart = source)
        fixed (byte* dstStart = destination)
        {
            var ip = srcStart;
            var iend = srcStart + source.Length;
            var op = dstStart;
            var oend = dstStart + destination.Length;
            while (ip < iend)
            {
                uint tag = *ip++;
                nint length;
                nint offset;
                switch (tag & 3)
                {
                    case 0:
                        length = (nint)(tag >> 2);
                        if (length >= 60)
                        {
                            var bytes = (int)length - 59;
                            if (iend - ip < bytes)
                                throw Corrupt("truncated literal length");
                            uint value = 0;
                            for (var i = 0; i < bytes; i++)
                                value |= (uint)ip[i] << (8 * i);
                            ip += bytes;
                            if (value >= int.MaxValue)
                                throw Corrupt("literal length is out of range");
                            length = (nint)value;
                        }
                        length += 1;
                        if (length > iend - ip)
                            throw Corrupt("literal runs past the end of the input");
                        if (length > oend - op)
                            throw Corrupt("output is longer than the declared length");
                        if (length <= 16 && iend - ip >= 16 && oend - op >= 16)
                            Unsafe.WriteUnaligned(op, Unsafe.ReadUnaligned<System.Runtime.Intrinsics.Vector128<byte>>(ip));
                        else
                            Buffer.MemoryCopy(ip, op, oend - op, length);
                        ip += length;
                        op += length;
                        continue;
                    case 1:
                        if (ip >= iend)
                            throw Corrupt("truncated copy");
                        length = (nint)(4 + ((tag >> 2) & 7));
                        offset = (nint)(((tag >> 5) << 8) | *ip++);
                        break;
                    case 2:
                        if (iend - ip < 2)
                            throw Corrupt("truncated copy");
                        length = (nint)((tag >> 2) + 1);
                        offset = ip[0] | (ip[1] << 8);
                        ip += 2;
                        break;
                    default:
                        if (iend - ip < 4)
                            throw Corrupt("truncated copy");
                        length = (nint)((tag >> 2) + 1);
                        var offset32 = BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(ip, 4));
                        ip += 4;
                        if (offset32 > int.MaxValue)
                            throw Corrupt("copy offset is out of range");
                        offset = (nint)offset32;
                        break;
                }
                if (offset == 0 || offset > op - dstStart)
                    throw Corrupt($"copy offset {offset} points before the start of the output");
                if (length > oend - op)
                    throw Corrupt("output is longer than the declared length");
                var match = op - offset;
                var end = op + length;
                if (offset >= 16 && oend - end >= 16)
                {
                    do
                    {
                        Unsafe.WriteUnaligned(op, Unsafe.ReadUnaligned<System.Runtime.Intrinsics.Vector128<byte>>(match));
                        op += 16;
                        match += 16;
                    }
                    while (op < end);
                }
                else if (offset >= 8 && oend - end >= 8)
                {
                    do
                    {
                        *(ulong*)op = *(ulong*)match;
                        op += 8;
                        match += 8;
                    }
                    while (op < end);
                }
                else
                {
                    while (op < end)
                        *op++ = *match++;
                }
                op = end;
            }
            if (op != oend)
                throw Corrupt($"block holds {op - dstStart} bytes but declares {destination.Length}");
        }
    }

    private static CorruptRecordException Corrupt(string what) => new($"Invalid snappy data: {what}.");
}
