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
    // 4096 entries (16 KiB), LZ4's default (LZ4_MEMORY_USAGE 14): the table and a 16 KiB batch
    // stay in L1 together. 8192 entries compressed 16 KiB produce batches of random text half as
    // fast with the same output (twice the table to clear per block, and cache misses); on 100 KB
    // text-like batches speed is unchanged and the output 0.3% larger.
    private const int HashLog = 12;

    [ThreadStatic]
    private static int[]? t_table;

    /// <summary>Worst-case compressed size of <paramref name="length"/> bytes.</summary>
    public static int MaxCompressedLength(int length) => length + length / 255 + 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(uint sequence) => (int)((sequence * 2654435761U) >> (32 - HashLog));

    /// <summary>Compresses one block; <paramref name="destination"/> must hold <see cref="MaxCompressedLength"/> bytes.</summary>
    // Hot for every compressed batch: compiled optimized at once, not after a tier-0 warm-up.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < MaxCompressedLength(source.Length))
            throw new ArgumentException("Destination is smaller than the LZ4 worst case.", nameof(destination));
        var table = t_table ??= new int[1 << HashLog];
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        fixed (int* hashTable = table)
        {
            var length = source.Length;
            var op = dst;
            var anchor = src;
            if (length >= MatchFindLimit + 1)
            {
                new Span<int>(hashTable, 1 << HashLog).Clear();
                var limit = src + length - MatchFindLimit;
                var matchLimit = src + length - LastLiterals;
                var ip = src;
                var misses = 0;
                // Entries hold position + 1 so that 0 means empty.
                while (ip < limit)
                {
                    var sequence = Unsafe.ReadUnaligned<uint>(ip);
                    var h = Hash(sequence);
                    var candidateIndex = hashTable[h] - 1;
                    var position = (int)(ip - src);
                    hashTable[h] = position + 1;
                    if (candidateIndex < 0 || position - candidateIndex > MaxOffset || Unsafe.ReadUnaligned<uint>(src + candidateIndex) != sequence)
                    {
                        ip += 1 + (misses++ >> 6);
                        continue;
                    }
                    misses = 0;
                    var candidate = src + candidateIndex;
                    while (ip > anchor && candidate > src && ip[-1] == candidate[-1])
                    {
                        ip--;
                        candidate--;
                    }
                    var matchLength = MinMatch + CommonLength(ip + MinMatch, candidate + MinMatch, matchLimit);
                    op = WriteSequence(op, anchor, (int)(ip - anchor), (int)(ip - candidate), matchLength, src + length);
                    ip += matchLength;
                    anchor = ip;
                    if (ip < limit)
                        hashTable[Hash(Unsafe.ReadUnaligned<uint>(ip - 2))] = (int)(ip - 2 - src) + 1;
                }
            }
            var literalLength = (int)(src + length - anchor);
            *op++ = (byte)(Math.Min(literalLength, 15) << 4);
            if (literalLength >= 15)
                op = WriteLengthExtension(op, literalLength - 15);
            Buffer.MemoryCopy(anchor, op, literalLength, literalLength);
            return (int)(op + literalLength - dst);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe int CommonLength(byte* a, byte* b, byte* limit)
    {
        var start = a;
        while (a + 8 <= limit)
        {
            var diff = Unsafe.ReadUnaligned<ulong>(a) ^ Unsafe.ReadUnaligned<ulong>(b);
            if (diff != 0)
                return (int)(a - start) + (BitOperations.TrailingZeroCount(diff) >> 3);
            a += 8;
            b += 8;
        }
        while (a < limit && *a == *b)
        {
            a++;
            b++;
        }
        return (int)(a - start);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe byte* WriteSequence(byte* op, byte* literals, int literalLength, int offset, int matchLength, byte* sourceEnd)
    {
        var tokenPosition = op++;
        var ml = matchLength - MinMatch;
        *tokenPosition = (byte)((Math.Min(literalLength, 15) << 4) | Math.Min(ml, 15));
        if (literalLength >= 15)
            op = WriteLengthExtension(op, literalLength - 15);
        // The destination holds the worst case plus slack, so a 16-byte over-copy of short literals
        // stays inside it; the read must stay inside the source too.
        if (literalLength <= 16 && sourceEnd - literals >= 16)
            Copy16(op, literals);
        else
            Buffer.MemoryCopy(literals, op, literalLength, literalLength);
        op += literalLength;
        op[0] = (byte)offset;
        op[1] = (byte)(offset >> 8);
        op += 2;
        if (ml >= 15)
            op = WriteLengthExtension(op, ml - 15);
        return op;
    }

    private static unsafe byte* WriteLengthExtension(byte* op, int remaining)
    {
        while (remaining >= 255)
        {
            *op++ = 255;
            remaining -= 255;
        }
        *op++ = (byte)remaining;
        return op;
    }

    /// <summary>
    /// Decompresses one block into <paramref name="destination"/> starting at <paramref name="start"/>;
    /// bytes before <paramref name="start"/> are the dictionary (earlier output of a linked-block frame).
    /// Returns the end position. Any malformed input, or output beyond the span, is a <see cref="CorruptRecordException"/>.
    /// </summary>
    /// <remarks>
    /// Pointer code for speed: every read and write is checked against the input and output ends
    /// before it happens. Short copies use 16-byte "wild" copies (the LZ4 reference decoder's trick),
    /// which may write up to 15 bytes past the sequence but never past <paramref name="destination"/>;
    /// those bytes are overwritten by the next sequence or lie beyond the returned length.
    /// </remarks>
    public static unsafe int Decompress(ReadOnlySpan<byte> source, Span<byte> destination, int start)
    {
        if ((uint)start > (uint)destination.Length)
            throw new ArgumentOutOfRangeException(nameof(start));
        fixed (byte* srcStart = source)
        fixed (byte* dstStart = destination)
        {
            var ip = srcStart;
            var iend = srcStart + source.Length;
            var op = dstStart + start;
            var oend = dstStart + destination.Length;
            while (true)
            {
                if (ip >= iend)
                    throw Corrupt("block ends before its last literals");
                uint token = *ip++;
                nint literalLength = (nint)(token >> 4);
                if (literalLength == 15)
                    literalLength += ReadLengthExtension(ref ip, iend);
                if (literalLength > iend - ip)
                    throw Corrupt("literal run is longer than the remaining input");
                if (literalLength > oend - op)
                    throw Corrupt("output is larger than the block's maximum size");
                if (literalLength <= 16 && iend - ip >= 16 && oend - op >= 16)
                    Copy16(op, ip);
                else
                    Buffer.MemoryCopy(ip, op, oend - op, literalLength);
                ip += literalLength;
                op += literalLength;
                if (ip == iend)
                    return (int)(op - dstStart);
                if (iend - ip < 2)
                    throw Corrupt("truncated match offset");
                nint offset = ip[0] | (ip[1] << 8);
                ip += 2;
                if (offset == 0 || offset > op - dstStart)
                    throw Corrupt($"match offset {offset} points before the start of the output");
                nint matchLength = (nint)(token & 15);
                if (matchLength == 15)
                    matchLength += ReadLengthExtension(ref ip, iend);
                matchLength += MinMatch;
                if (matchLength > oend - op)
                    throw Corrupt("output is larger than the block's maximum size");
                var match = op - offset;
                var end = op + matchLength;
                if (offset >= 16 && oend - end >= 16)
                {
                    // Each 16-byte read lies at least 16 bytes behind its write, so chunks never overlap.
                    do
                    {
                        Copy16(op, match);
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
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Copy16(byte* destination, byte* source) =>
        Unsafe.WriteUnaligned(destination, Unsafe.ReadUnaligned<System.Runtime.Intrinsics.Vector128<byte>>(source));

    private static unsafe nint ReadLengthExtension(ref byte* ip, byte* iend)
    {
        nint total = 0;
        while (true)
        {
            if (ip >= iend)
                throw Corrupt("truncated length");
            uint b = *ip++;
            total += (nint)b;
            if (total > (1 << 30))
                throw Corrupt("length is larger than any block");
            if (b != 255)
                return total;
        }
    }

    private static CorruptRecordException Corrupt(string what) => new($"Invalid LZ4 block: {what}.");
}
