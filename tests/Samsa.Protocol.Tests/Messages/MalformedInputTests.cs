using Samsa.Protocol.Errors;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Primitives;
using static Samsa.Protocol.Tests.Messages.GoldenBytesTests;

namespace Samsa.Protocol.Tests.Messages;

/// <summary>Bad lengths, counts, varints and nulls fail with a specific KafkaProtocolException.</summary>
public class MalformedInputTests
{
    private static KafkaProtocolException ReadFails<T>(string hex, short version) where T : IKafkaReadable<T>
    {
        var bytes = Hex(hex);
        return Assert.Throws<KafkaProtocolException>(() =>
        {
            var reader = new KafkaReader(bytes.AsMemory());
            T.Read(ref reader, version);
        });
    }

    [Fact]
    public void Null_in_a_non_nullable_string_is_refused()
    {
        var e = ReadFails<FindCoordinatorRequest>("ffff", 0);
        Assert.Contains("Key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_string_length_other_than_minus_one_is_refused()
        => ReadFails<FindCoordinatorRequest>("fffe", 0);

    [Fact]
    public void String_length_beyond_the_input_is_refused()
        => ReadFails<FindCoordinatorRequest>("7fff 6162", 0);

    [Fact]
    public void Huge_array_count_is_refused_before_allocating()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = ReadFails<MetadataRequest>("7fffffff 0003 666f6f", 1);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 100_000);
        Assert.Contains("cannot fit", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Huge_compact_array_count_is_refused_before_allocating()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        ReadFails<MetadataRequest>("ffffffff07 00", 9);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 100_000);
    }

    [Fact]
    public void Negative_array_count_other_than_minus_one_is_refused()
        => ReadFails<MetadataRequest>("fffffffe", 1);

    [Fact]
    public void Null_array_where_the_version_forbids_it_is_refused()
    {
        var e = ReadFails<MetadataRequest>("ffffffff", 0);
        Assert.Contains("Topics", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlong_varint_is_refused()
        => ReadFails<ApiVersionsRequest>("ffffffffff01", 3);

    [Fact]
    public void Truncated_varint_is_refused()
        => ReadFails<ApiVersionsRequest>("80", 3);

    [Fact]
    public void Tagged_field_longer_than_the_input_is_refused()
        => ReadFails<ApiVersionsRequest>("01 01 01 05 10 00", 3);

    [Fact]
    public void Known_tagged_field_with_wrong_size_is_refused()
    {
        // FinalizedFeaturesEpoch (tag 1) is an int64 but claims 9 bytes.
        var e = ReadFails<ApiVersionsResponse>("0000 01 00000000 01 01 09 000000000000000500", 3);
        Assert.Contains("FinalizedFeaturesEpoch", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Records_length_beyond_the_input_is_refused()
        => ReadFails<ProduceRequest>("ffff ffff 00007530 00000001 0001 74 00000001 00000000 00001000 010203", 3);

    [Fact]
    public void Null_in_a_non_nullable_records_field_is_refused()
    {
        // FetchSnapshotResponse v0: ThrottleTimeMs, ErrorCode, Topics[1]{Name "t", Partitions[1]{Index, ErrorCode,
        // SnapshotId{EndOffset, Epoch, tags}, Size, Position, UnalignedRecords = null}}.
        var e = ReadFails<FetchSnapshotResponse>(
            "00000000 0000 02 0274 02 00000000 0000 0000000000000001 00000001 00 0000000000000000 0000000000000000 00 00 00 00", 0);
        Assert.Contains("UnalignedRecords", e.Message, StringComparison.Ordinal);
    }
}
