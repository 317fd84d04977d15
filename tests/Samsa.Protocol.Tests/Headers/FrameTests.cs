using Samsa.Protocol.Errors;
using Samsa.Protocol.Headers;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Primitives;
using static Samsa.Protocol.Tests.Messages.GoldenBytesTests;

namespace Samsa.Protocol.Tests.Headers;

public class FrameTests
{
    [Fact]
    public void Request_header_v0_has_no_client_id()
    {
        using var buffer = new ByteBufferWriter();
        RequestFrame.Write(buffer, new ControlledShutdownRequest { BrokerId = 1 }, 0, correlationId: 2, clientId: "ignored");
        Assert.Equal(Hex("0000000c 0007 0000 00000002 00000001"), buffer.ToArray());
    }

    [Fact]
    public void Request_header_v1_writes_null_client_id_as_minus_one()
    {
        using var buffer = new ByteBufferWriter();
        RequestFrame.Write(buffer, new MetadataRequest { Topics = null }, 1, correlationId: 3, clientId: null);
        Assert.Equal(Hex("0000000e 0003 0001 00000003 ffff ffffffff"), buffer.ToArray());
    }

    [Fact]
    public void Request_frame_reads_back_with_the_generated_header()
    {
        using var buffer = new ByteBufferWriter();
        var request = new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "orders" }] };
        var length = RequestFrame.Write(buffer, request, 12, correlationId: 42, clientId: "samsa");
        Assert.Equal(buffer.WrittenCount, length);
        var frame = buffer.WrittenMemory;
        Assert.Equal(frame.Length - 4, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(frame.Span));

        var reader = new KafkaReader(frame[4..]);
        var header = RequestFrame.ReadHeader(ref reader);
        Assert.Equal((short)ApiKey.Metadata, header.RequestApiKey);
        Assert.Equal(12, header.RequestApiVersion);
        Assert.Equal(42, header.CorrelationId);
        Assert.Equal("samsa", header.ClientId);
        var body = (MetadataRequest)ApiMessages.ReadRequest(ApiKey.Metadata, ref reader, 12);
        Assert.Equal(0, reader.Remaining);
        Assert.Equal("orders", body.Topics![0].Name);
    }

    [Fact]
    public void Handwritten_header_matches_the_generated_request_header()
    {
        foreach (var range in ApiVersionRanges.All)
        {
            for (var v = range.Lowest; v <= range.Highest; v++)
            {
                var headerVersion = HeaderVersions.ForRequest(range.ApiKey, v);
                var generated = new RequestHeader { RequestApiKey = (short)range.ApiKey, RequestApiVersion = v, CorrelationId = 9, ClientId = "c" };
                using var expected = new ByteBufferWriter();
                var w1 = new KafkaWriter(expected);
                generated.Write(ref w1, headerVersion);
                using var actual = new ByteBufferWriter();
                var w2 = new KafkaWriter(actual);
                RequestFrame.WriteHeader(ref w2, range.ApiKey, v, 9, "c");
                Assert.Equal(expected.ToArray(), actual.ToArray());
            }
        }
    }

    [Fact]
    public void Api_versions_response_is_read_with_header_v0_even_when_flexible()
    {
        var response = new ApiVersionsResponse { ApiKeys = [new ApiVersionsResponse.ApiVersion { ApiKey = 18, MinVersion = 0, MaxVersion = 4 }] };
        using var buffer = new ByteBufferWriter();
        ResponseFrame.Write(buffer, response, 3, correlationId: 5);
        // size, correlation id, then the body directly: no tagged-field byte in the header.
        Assert.Equal(Hex("00000005"), buffer.WrittenSpan.Slice(4, 4).ToArray());
        Assert.Equal(Hex("0000 02"), buffer.WrittenSpan.Slice(8, 3).ToArray());

        var read = ResponseFrame.Read<ApiVersionsResponse>(buffer.WrittenMemory[4..], 3, out var correlationId);
        Assert.Equal(5, correlationId);
        Assert.Equal(4, read.ApiKeys[0].MaxVersion);
    }

    [Fact]
    public void Flexible_response_header_skips_tagged_fields()
    {
        var frame = Hex("00000007" + "01 05 02 aabb" + "00000000 01 00");
        var reader = new KafkaReader(frame.AsMemory());
        Assert.Equal(7, ResponseFrame.ReadHeader(ref reader, ApiKey.FindCoordinator, 4));
        var body = FindCoordinatorResponse.Read(ref reader, 4);
        Assert.Empty(body.Coordinators);
    }

    [Fact]
    public void Response_frame_round_trips_records_without_copying()
    {
        var records = new byte[] { 1, 2, 3, 4 };
        var response = new FetchResponse
        {
            Responses =
            [
                new FetchResponse.FetchableTopicResponse
                {
                    Topic = "t",
                    Partitions = [new FetchResponse.PartitionData { PartitionIndex = 0, HighWatermark = 10, Records = records }],
                },
            ],
        };
        using var buffer = new ByteBufferWriter();
        ResponseFrame.Write(buffer, response, 11, correlationId: 77);
        var frame = buffer.ToArray().AsMemory(4);
        var read = ResponseFrame.Read<FetchResponse>(frame, 11, out var correlationId);
        Assert.Equal(77, correlationId);
        var slice = read.Responses[0].Partitions[0].Records!.Value;
        Assert.Equal(records, slice.ToArray());
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(slice, out var segment));
        Assert.Same(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(frame, out ArraySegment<byte> f) ? f.Array : null, segment.Array);
    }

    [Fact]
    public void Request_header_with_unknown_api_key_is_refused()
    {
        var bytes = Hex("7fff 0000 00000001 0000");
        Assert.Throws<KafkaProtocolException>(() =>
        {
            var reader = new KafkaReader(bytes.AsMemory());
            RequestFrame.ReadHeader(ref reader);
        });
    }
}
