using System.Buffers.Binary;
using System.Text;
using Samsa.Client.Producer;
using Samsa.Protocol.Primitives;

namespace Samsa.Client.Tests.Producer;

/// <summary>Parses an uncompressed v2 batch the producer closed, to check its bytes independently.</summary>
internal static class TestBatchReader
{
    public sealed record Rec(long Timestamp, int OffsetDelta, byte[]? Key, byte[]? Value, List<(string, byte[]?)> Headers);

    public sealed record Batch(int PartitionLeaderEpoch, byte Magic, uint Crc, short Attributes, int LastOffsetDelta, long BaseTimestamp, long MaxTimestamp,
        long ProducerId, short ProducerEpoch, int BaseSequence, List<Rec> Records, uint ComputedCrc);

    public static Batch Read(ReadOnlySpan<byte> b)
    {
        int length = BinaryPrimitives.ReadInt32BigEndian(b[8..]);
        Assert.Equal(b.Length - 12, length);
        int count = BinaryPrimitives.ReadInt32BigEndian(b[57..]);
        long baseTs = BinaryPrimitives.ReadInt64BigEndian(b[27..]);
        var records = new List<Rec>();
        int pos = 61;
        short attributes = BinaryPrimitives.ReadInt16BigEndian(b[21..]);
        for (int i = 0; i < count && (attributes & 7) == 0; i++)
        {
            int len = VarInt.Read(b[pos..], out int n);
            pos += n;
            var r = b.Slice(pos, len);
            int p = 1;
            long tsd = VarInt.Read64(r[p..], out n); p += n;
            int od = VarInt.Read(r[p..], out n); p += n;
            byte[]? key = ReadBytes(r, ref p);
            byte[]? value = ReadBytes(r, ref p);
            int hc = VarInt.Read(r[p..], out n); p += n;
            var headers = new List<(string, byte[]?)>();
            for (int h = 0; h < hc; h++)
            {
                var hk = ReadBytes(r, ref p)!;
                headers.Add((Encoding.UTF8.GetString(hk), ReadBytes(r, ref p)));
            }
            Assert.Equal(len, p);
            records.Add(new Rec(baseTs + tsd, od, key, value, headers));
            pos += len;
        }
        return new Batch(BinaryPrimitives.ReadInt32BigEndian(b[12..]), b[16], BinaryPrimitives.ReadUInt32BigEndian(b[17..]), attributes,
            BinaryPrimitives.ReadInt32BigEndian(b[23..]), baseTs, BinaryPrimitives.ReadInt64BigEndian(b[35..]), BinaryPrimitives.ReadInt64BigEndian(b[43..]),
            BinaryPrimitives.ReadInt16BigEndian(b[51..]), BinaryPrimitives.ReadInt32BigEndian(b[53..]), records, Samsa.Protocol.Records.Crc32C.Compute(b[21..]));
    }

    private static byte[]? ReadBytes(ReadOnlySpan<byte> r, ref int p)
    {
        int len = VarInt.Read(r[p..], out int n);
        p += n;
        if (len < 0) return null;
        var result = r.Slice(p, len).ToArray();
        p += len;
        return result;
    }
}
