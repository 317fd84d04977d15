using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Samsa.Protocol.Errors;

namespace Samsa.Protocol.Compression;

/// <summary>
/// The LZ4 block format (lz4/doc/lz4_Block_format.md): a greedy single-probe hash-table
/// compressor, the same design as LZ4's fast mode, and a bounds-checked decompressor.
/// </summary>
internal static class Lz4Block
{
    private const int MinMatch = 4;
    private const int LastLiterals = 5;   // the last 5 bytes of a block are always literals
    private const int MatchFindLimit = 12; // a match may not start within the last 12 bytes
    private const int MaxOffset = 65535;
    private const int HashLog = 13;

    [ThreadStatic]
    private static int[]? t_table;

    /// <summary>Worst-case compressed size of <paramref name="length"/> bytes.</summary>
    public static int MaxCompressedLength(int length) => length + length / 255 + 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(uint sequence) => (int)((sequence * 2654435761U) >> (32 - HashLog));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Read32(ref byte start, int position) => Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, position));

    /// <summary>Compresses one block; <paramref name="destination"/> must hold <see cref="MaxCompressedLength"/> bytes.</summary>
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < MaxCompressedLength(source.Length))
            throw new ArgumentException("Destination is smaller than the LZ4 worst case.", nameof(destination));
        var length = source.Length;
        var op = 0;
        var anchor = 0;
        if (length >= MatchFindLimit + 1)
        {
            var table = t_table ??= new int[1 << HashLog];
            Array.Clear(table);
            ref var src = ref MemoryMarshal.GetReference(source);
            var limit = length - MatchFindLimit;
            var matchLimit = length - LastLiterals;
            var ip = 0;
            var misses = 0;
            // Entries hold position + 1 so that 0 means empty.
            while (ip < limit)
            {
                var sequence = Read32(ref src, ip);
                var h = Hash(sequence);
                var candidate = table[h] - 1;
                table[h] = ip + 1;
                if (candidate < 0 || ip - candidate > MaxOffset || Read32(ref src, candidate) != sequence)
                {
                    ip += 1 + (misses++ >> 6);
                    continue;
                }
                misses = 0;
                while (ip > anchor && candidate > 0 && source[ip - 1] == source[candidate - 1])
                {
                    ip--;
                    candidate--;
                }
                var matchLength = MinMatch + CommonLength(source, ip + MinMatch, candidate + MinMatch, matchLimit);
                op = WriteSequence(source, destination, op, anchor, ip - anchor, ip - candidate, matchLength);
                ip += matchLength;
                anchor = ip;
                if (ip < limit)
                    table[Hash(Read32(ref src, ip - 2))] = ip - 2 + 1;
            }
        }
        return WriteLastLiterals(source, destination, op, anchor);
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

    private static int WriteSequence(ReadOnlySpan<byte> source, Span<byte> dst, int op, int literalStart, int literalLength, int offset, int matchLength)
    {
        var tokenPosition = op++;
        var ml = matchLength - MinMatch;
        var token = (byte)((Math.Min(literalLength, 15) << 4) | Math.Min(ml, 15));
        dst[tokenPosition] = token;
        if (literalLength >= 15)
            op = WriteLengthExtension(dst, op, literalLength - 15);
        source.Slice(literalStart, literalLength).CopyTo(dst[op..]);
        op += literalLength;
        BinaryPrimitives.WriteUInt16LittleEndian(dst[op..], (ushort)offset);
        op += 2;
        if (ml >= 15)
            op = WriteLengthExtension(dst, op, ml - 15);
        return op;
    }

    private static int WriteLastLiterals(ReadOnlySpan<byte> source, Span<byte> dst, int op, int anchor)
    {
        var literalLength = source.Length - anchor;
        dst[op++] = (byte)(Math.Min(literalLength, 15) << 4);
        if (literalLength >= 15)
            op = WriteLengthExtension(dst, op, literalLength - 15);
        source[anchor..].CopyTo(dst[op..]);
        return op + literalLength;
    }

    private static int WriteLengthExtension(Span<byte> dst, int op, int remaining)
    {
        while (remaining >= 255)
        {
            dst[op++] = 255;
            remaining -= 255;
        }
        dst[op++] = (byte)remaining;
        return op;
    }

    /// <summary>
    /// Decompresses one block into <paramref name="destination"/> starting at <paramref name="start"/>;
    /// bytes before <paramref name="start"/> are the dictionary (earlier output of a linked-block frame).
    /// Returns the end position. Any malformed input, or output beyond the span, is a <see cref="CorruptRecordException"/>.
    /// </summary>
    public static int Decompress(ReadOnlySpan<byte> source, Span<byte> destination, int start)
    {
        var ip = 0;
        var op = start;
        while (true)
        {
            if (ip >= source.Length)
                throw Corrupt("block ends before its last literals");
            int token = source[ip++];
            var literalLength = token >> 4;
            if (literalLength == 15)
                literalLength += ReadLengthExtension(source, ref ip);
            if (literalLength > source.Length - ip)
                throw Corrupt("literal run is longer than the remaining input");
            if (literalLength > destination.Length - op)
                throw Corrupt("output is larger than the block's maximum size");
            source.Slice(ip, literalLength).CopyTo(destination[op..]);
            ip += literalLength;
            op += literalLength;
            if (ip == source.Length)
                return op;
            if (source.Length - ip < 2)
                throw Corrupt("truncated match offset");
            var offset = source[ip] | (source[ip + 1] << 8);
            ip += 2;
            if (offset == 0 || offset > op)
                throw Corrupt($"match offset {offset} points before the start of the output");
            var matchLength = token & 15;
            if (matchLength == 15)
                matchLength += ReadLengthExtension(source, ref ip);
            matchLength += MinMatch;
            if (matchLength > destination.Length - op)
                throw Corrupt("output is larger than the block's maximum size");
            CopyMatch(destination, op, offset, matchLength);
            op += matchLength;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyMatch(Span<byte> d, int op, int offset, int length)
    {
        var from = op - offset;
        if (offset >= length)
        {
            d.Slice(from, length).CopyTo(d[op..]);
            return;
        }
        // Overlapping copy repeats a pattern; copying in chunks of `offset` bytes keeps each chunk disjoint.
        if (offset >= 8)
        {
            var end = op + length;
            while (op + 8 <= end)
            {
                MemoryMarshal.Write(d[op..], MemoryMarshal.Read<ulong>(d[from..]));
                op += 8;
                from += 8;
            }
            while (op < end)
                d[op++] = d[from++];
            return;
        }
        for (var i = 0; i < length; i++)
            d[op + i] = d[from + i];
    }

    private static int ReadLengthExtension(ReadOnlySpan<byte> source, ref int ip)
    {
        var total = 0;
        while (true)
        {
            if (ip >= source.Length)
                throw Corrupt("truncated length");
            int b = source[ip++];
            total += b;
            if (total > source.Length * 255 || total > (1 << 30))
                throw Corrupt("length is larger than the input can hold");
            if (b != 255)
                return total;
        }
    }

    private static CorruptRecordException Corrupt(string what) => new($"Invalid LZ4 block: {what}.");
}
