using Samsa.Client.Admin;
using Samsa.Client.Metadata;
using Samsa.Protocol.Errors;

namespace Samsa.IntegrationTests.Admin;

public class ConsumerAssignmentDecoderTests
{
    // version 1, [("b", [2]), ("a", [0, 1])], user data null
    private static readonly byte[] Assignment =
    [
        0, 1, 0, 0, 0, 2,
        0, 1, (byte)'b', 0, 0, 0, 1, 0, 0, 0, 2,
        0, 1, (byte)'a', 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1,
        0xFF, 0xFF, 0xFF, 0xFF,
    ];

    [Fact]
    public void Decodes_topics_and_partitions_sorted()
    {
        var tps = ConsumerAssignmentDecoder.Decode(Assignment);
        Assert.Equal([new TopicPartition("a", 0), new TopicPartition("a", 1), new TopicPartition("b", 2)], tps);
    }

    [Fact]
    public void Empty_assignment_has_no_partitions() => Assert.Empty(ConsumerAssignmentDecoder.Decode([]));

    [Fact]
    public void Truncated_assignment_throws_protocol_exception()
    {
        Assert.Throws<KafkaProtocolException>(() => ConsumerAssignmentDecoder.Decode(Assignment.AsSpan(0, 12)));
    }
}
