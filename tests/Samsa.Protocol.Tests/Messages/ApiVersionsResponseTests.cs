using Samsa.Protocol.Errors;
using Samsa.Protocol.Messages;
using static Samsa.Protocol.Tests.Messages.GoldenBytesTests;

namespace Samsa.Protocol.Tests.Messages;

public class ApiVersionsResponseTests
{
    [Fact]
    public void Unsupported_version_answer_in_v0_format_is_read_as_v0()
    {
        // What a Java broker sends for ApiVersions v3 when it only knows v0-v2: a v0 body.
        var body = Hex("0023 00000001 0012 0000 0002");
        var response = ApiVersionsResponse.ReadWithFallback(body, 3);
        Assert.Equal((short)ErrorCode.UnsupportedVersion, response.ErrorCode);
        var range = Assert.Single(response.ApiKeys);
        Assert.Equal((short)ApiKey.ApiVersions, range.ApiKey);
        Assert.Equal(2, range.MaxVersion);
    }

    [Fact]
    public void Body_that_parses_at_the_requested_version_is_kept()
    {
        var body = Hex("0000 02 0012 0000 0003 00 00000000 00");
        var response = ApiVersionsResponse.ReadWithFallback(body, 3);
        Assert.Equal(0, response.ErrorCode);
        Assert.Equal(3, Assert.Single(response.ApiKeys).MaxVersion);
    }

    [Fact]
    public void Error_code_survives_when_neither_version_parses_cleanly()
    {
        // librdkafka 2.0.2's mock broker answers v3 with this body (array count 0, then an element).
        var body = Hex("0023 01 0012 0000 0002 00000000");
        var response = ApiVersionsResponse.ReadWithFallback(body, 3);
        Assert.Equal((short)ErrorCode.UnsupportedVersion, response.ErrorCode);
    }

    [Fact]
    public void Garbage_throws_protocol_exception()
        => Assert.Throws<KafkaProtocolException>(() => ApiVersionsResponse.ReadWithFallback(Hex("00"), 3));
}
