using System.Numerics;
using System.Runtime.InteropServices;

namespace Samsa.Protocol.Records;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of record batch v2. <see cref="BitOperations.Crc32C(uint, ulong)"/>
/// compiles to the SSE4.2 / ARMv8 CRC instruction where the CPU has one, 8 bytes per step.
/// </summary>
public static class Crc32C
{
    /// <summary>The checksum of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(0xFFFFFFFFU, data);

    /// <summary>
    /// Continues a checksum: pass the previous result of <see cref="Compute"/> (or of this method)
    /// to checksum data that arrives in pieces.
    /// </summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data) => ~Update(~crc, data);

    private static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        // Three independent chains would hide the instruction's latency, but combining them needs
        // shift tables; one chain already runs at several GB/s, far above what a batch needs.
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (var w in words)
            crc = BitOperations.Crc32C(crc, BitConverter.IsLittleEndian ? w : BinaryPrimitivesReverse(w));
        for (var i = words.Length * 8; i < data.Length; i++)
            crc = BitOperations.Crc32C(crc, data[i]);
        return crc;
    }

    private static ulong BinaryPrimitivesReverse(ulong value) => System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(value);
}
