using Samsa.Protocol.Headers;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Primitives;

namespace Samsa.Protocol.Tests.Messages;

/// <summary>
/// Byte vectors written out by hand from the Kafka protocol spec, so an encoding mistake that is
/// symmetric between Write and Read (and so invisible to round trips) still fails.
/// </summary>
public class GoldenBytesTests
{
    internal static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    private static byte[] Serialize(IKafkaMessage message, short version)
    {
        using var buffer = new ByteBufferWriter();
        var writer = new KafkaWriter(buffer);
        message.Write(ref writer, version);
        Assert.Equal(buffer.WrittenCount, message.ComputeSize(version));
        return buffer.ToArray();
    }

    [Fact]
    public void ApiVersionsRequest_v3_uses_compact_strings_and_an_empty_tag_section()
    {
        var request = new ApiVersionsRequest { ClientSoftwareName = "samsa", ClientSoftwareVersion = "0.1.0" };
        Assert.Equal(Hex("06 73616d7361 06 302e312e30 00"), Serialize(request, 3));

        var reader = new KafkaReader(Hex("06 73616d7361 06 302e312e30 00").AsMemory());
        var read = ApiVersionsRequest.Read(ref reader, 3);
        Assert.Equal("samsa", read.ClientSoftwareName);
        Assert.Equal("0.1.0", read.ClientSoftwareVersion);
    }

    [Fact]
    public void ApiVersionsRequest_v3_frame_has_size_header_v2_with_classic_client_id_and_body()
    {
        var request = new ApiVersionsRequest { ClientSoftwareName = "samsa", ClientSoftwareVersion = "0.1.0" };
        using var buffer = new ByteBufferWriter();
        var written = RequestFrame.Write(buffer, request, 3, correlationId: 7, clientId: "cli");
        var expected = Hex("0000001b" + "0012 0003 00000007 0003636c69 00" + "06 73616d7361 06 302e312e30 00");
        Assert.Equal(expected, buffer.ToArray());
        Assert.Equal(expected.Length, written);
    }

    [Fact]
    public void MetadataRequest_v1_writes_classic_array_and_strings()
    {
        var request = new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "foo" }] };
        Assert.Equal(Hex("00000001 0003 666f6f"), Serialize(request, 1));
    }

    [Fact]
    public void MetadataRequest_v1_null_topics_is_minus_one_and_v0_refuses_null()
    {
        var request = new MetadataRequest { Topics = null };
        Assert.Equal(Hex("ffffffff"), Serialize(request, 1));
        var e = Assert.Throws<Errors.KafkaProtocolException>(() => Serialize(request, 0));
        Assert.Contains("Topics", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProduceRequest_v3_writes_null_transactional_id_and_records_with_int32_length()
    {
        var request = new ProduceRequest
        {
            TransactionalId = null,
            Acks = -1,
            TimeoutMs = 30000,
            TopicData =
            [
                new ProduceRequest.TopicProduceData
                {
                    Name = "t",
                    PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = new byte[] { 1, 2, 3 } }],
                },
            ],
        };
        var expected = Hex("ffff ffff 00007530 00000001 0001 74 00000001 00000000 00000003 010203");
        Assert.Equal(expected, Serialize(request, 3));

        var r = new KafkaReader(expected.AsMemory());
        var read = ProduceRequest.Read(ref r, 3);
        Assert.Null(read.TransactionalId);
        Assert.Equal(new byte[] { 1, 2, 3 }, read.TopicData[0].PartitionData[0].Records!.Value.ToArray());
    }

    [Fact]
    public void ApiVersionsResponse_v3_writes_tagged_fields_in_tag_order_with_unknown_ones_merged()
    {
        var response = new ApiVersionsResponse
        {
            ErrorCode = 0,
            ApiKeys = [new ApiVersionsResponse.ApiVersion { ApiKey = 0, MinVersion = 0, MaxVersion = 9 }],
            ThrottleTimeMs = 0,
            FinalizedFeaturesEpoch = 5,
            ZkMigrationReady = true,
            UnknownTaggedFields = [new TaggedField(2, [0xCD]), new TaggedField(7, [0xAB])],
        };
        var expected = Hex(
            "0000" + "02 0000 0000 0009 00" + "00000000" +
            "04" + "01 08 0000000000000005" + "02 01 cd" + "03 01 01" + "07 01 ab");
        Assert.Equal(expected, Serialize(response, 3));
    }

    [Fact]
    public void ApiVersionsResponse_v3_reads_known_and_unknown_tagged_fields()
    {
        var bytes = Hex("0000" + "02 0000 0000 0009 00" + "00000064" + "03" + "01 08 0000000000000005" + "03 01 01" + "07 01 ab");
        var reader = new KafkaReader(bytes.AsMemory());
        var read = ApiVersionsResponse.Read(ref reader, 3);
        Assert.Equal(0, reader.Remaining);
        Assert.Equal(100, read.ThrottleTimeMs);
        Assert.Equal(9, read.ApiKeys[0].MaxVersion);
        Assert.Equal(5L, read.FinalizedFeaturesEpoch);
        Assert.True(read.ZkMigrationReady);
        Assert.Empty(read.SupportedFeatures);
        var unknown = Assert.Single(read.UnknownTaggedFields!);
        Assert.Equal(7, unknown.Tag);
        Assert.Equal(new byte[] { 0xAB }, unknown.Data);
        Assert.Equal(bytes, Serialize(read, 3));
    }

    [Fact]
    public void ApiVersionsResponse_v3_omits_tagged_fields_at_their_defaults()
    {
        var response = new ApiVersionsResponse();
        Assert.Equal(Hex("0000 01 00000000 00"), Serialize(response, 3));
    }

    [Fact]
    public void Nullable_struct_is_written_with_a_presence_byte()
    {
        var request = new DescribeTopicPartitionsRequest { Topics = [new DescribeTopicPartitionsRequest.TopicRequest { Name = "t" }] };
        Assert.Equal(Hex("02 0274 00 000007d0 ff 00"), Serialize(request, 0));

        request.Cursor = new DescribeTopicPartitionsRequest.CursorData { TopicName = "t", PartitionIndex = 3 };
        var bytes = Serialize(request, 0);
        Assert.Equal(Hex("02 0274 00 000007d0 01 0274 00000003 00 00"), bytes);
        var r = new KafkaReader(bytes.AsMemory());
        var read = DescribeTopicPartitionsRequest.Read(ref r, 0);
        Assert.Equal(3, read.Cursor!.PartitionIndex);
    }

    [Fact]
    public void FetchRequest_v15_writes_tagged_struct_only_when_not_default()
    {
        var request = new FetchRequest { MaxWaitMs = 500, MinBytes = 1, MaxBytes = 1024, SessionEpoch = -1 };
        var plain = Serialize(request, 15);
        request.ReplicaState = new FetchRequest.ReplicaStateData { ReplicaId = 3, ReplicaEpoch = 9 };
        var tagged = Serialize(request, 15);
        // The tagged struct adds: tag 1, size 13, int32 3, int64 9, empty tag section; count goes 0 -> 1.
        Assert.Equal(plain.Length + 15, tagged.Length);
        Assert.Equal(Hex("01 0d 00000003 0000000000000009 00"), tagged.AsSpan(tagged.Length - 15).ToArray());
        var r = new KafkaReader(tagged.AsMemory());
        var read = FetchRequest.Read(ref r, 15);
        Assert.Equal(9L, read.ReplicaState.ReplicaEpoch);
    }
}
