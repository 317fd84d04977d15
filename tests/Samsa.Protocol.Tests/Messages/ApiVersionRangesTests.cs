using Samsa.Protocol.Messages;
using Samsa.Protocol.Primitives;

namespace Samsa.Protocol.Tests.Messages;

public class ApiVersionRangesTests
{
    [Fact]
    public void Ranges_match_the_generated_message_classes()
    {
        Check<ProduceRequest, ProduceResponse>(ApiKey.Produce);
        Check<FetchRequest, FetchResponse>(ApiKey.Fetch);
        Check<MetadataRequest, MetadataResponse>(ApiKey.Metadata);
        Check<ApiVersionsRequest, ApiVersionsResponse>(ApiKey.ApiVersions);
        Check<FindCoordinatorRequest, FindCoordinatorResponse>(ApiKey.FindCoordinator);
    }

    private static void Check<TRequest, TResponse>(ApiKey key)
        where TRequest : IKafkaRequest<TRequest, TResponse>
        where TResponse : IKafkaResponse<TResponse>
    {
        var range = ApiVersionRanges.Get(key);
        Assert.Equal(key, TRequest.Key);
        Assert.Equal(key, TResponse.Key);
        Assert.Equal(TRequest.LowestVersion, range.Lowest);
        Assert.Equal(TRequest.HighestVersion, range.Highest);
        Assert.Equal(TRequest.FlexibleFrom, range.FlexibleFrom);
        Assert.Equal(TResponse.HighestVersion, range.Highest);
    }

    [Fact]
    public void All_lists_every_api_the_message_table_can_read()
    {
        Assert.NotEmpty(ApiVersionRanges.All);
        foreach (var range in ApiVersionRanges.All)
        {
            Assert.True(range.Lowest <= range.Highest, range.ApiKey.ToString());
            Assert.Equal(range, ApiVersionRanges.Get(range.ApiKey));
            var request = ApiMessages.CreateRequest(range.ApiKey);
            Assert.Equal(range.ApiKey, request.ApiKey);
            using var buffer = new ByteBufferWriter();
            var writer = new KafkaWriter(buffer);
            request.Write(ref writer, range.Highest);
            var reader = new KafkaReader(buffer.WrittenMemory);
            var read = ApiMessages.ReadRequest(range.ApiKey, ref reader, range.Highest);
            Assert.Equal(range.ApiKey, read.ApiKey);
        }
    }

    [Fact]
    public void Flexibility_follows_the_spec()
    {
        Assert.False(ApiVersionRanges.Get(ApiKey.Metadata).IsFlexible(8));
        Assert.True(ApiVersionRanges.Get(ApiKey.Metadata).IsFlexible(9));
        Assert.Equal(3, ApiVersionRanges.Get(ApiKey.ControlledShutdown).FlexibleFrom);
    }

    [Fact]
    public void Unknown_api_key_is_refused()
    {
        Assert.False(ApiVersionRanges.TryGet((ApiKey)9999, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => ApiVersionRanges.Get((ApiKey)9999));
        Assert.Throws<Errors.KafkaProtocolException>(() =>
        {
            var reader = new KafkaReader(ReadOnlySpan<byte>.Empty);
            ApiMessages.ReadResponse((ApiKey)9999, ref reader, 0);
        });
    }
}
