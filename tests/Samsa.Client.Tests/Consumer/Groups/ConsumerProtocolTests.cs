using Samsa.Client.Consumer;
using Samsa.Client.Consumer.Groups;
using Samsa.Protocol.Errors;
using Samsa.Client.Metadata;

namespace Samsa.Client.Tests.Consumer.Groups;

public class ConsumerProtocolTests
{
    [Fact]
    public void Subscription_round_trips_with_owned_partitions_and_generation()
    {
        var bytes = ConsumerProtocol.SerializeSubscription(["b", "a"], [new TopicPartition("a", 1), new TopicPartition("a", 0)], 7, "rack-1");
        Assert.Equal(new byte[] { 0, 3 }, bytes[..2]);
        var m = ConsumerProtocol.DeserializeSubscription("m", "i", bytes);
        Assert.Equal(["a", "b"], m.Topics);
        Assert.Equal([new TopicPartition("a", 0), new TopicPartition("a", 1)], m.OwnedPartitions);
        Assert.Equal(7, m.GenerationId);
        Assert.Equal("rack-1", m.RackId);
        Assert.Equal("i", m.GroupInstanceId);
    }

    [Fact]
    public void Reads_a_version_0_subscription_as_librdkafka_and_old_java_write_it()
    {
        byte[] v0 = [0, 0, 0, 0, 0, 1, 0, 1, (byte)'t', 0xFF, 0xFF, 0xFF, 0xFF];
        var m = ConsumerProtocol.DeserializeSubscription("m", null, v0);
        Assert.Equal(["t"], m.Topics);
        Assert.Empty(m.OwnedPartitions);
        Assert.Equal(-1, m.GenerationId);
    }

    [Fact]
    public void Reads_a_newer_subscription_version_as_the_newest_known()
    {
        var v3 = ConsumerProtocol.SerializeSubscription(["t"], [], 2, null);
        v3[1] = 9; // future version with the same prefix layout
        Assert.Equal(["t"], ConsumerProtocol.DeserializeSubscription("m", null, v3).Topics);
    }

    [Fact]
    public void Assignment_round_trips_and_matches_java_bytes_at_version_0_layout()
    {
        var bytes = ConsumerProtocol.SerializeAssignment([new TopicPartition("t", 2), new TopicPartition("t", 0)]);
        byte[] expectedBody = [0, 0, 0, 1, 0, 1, (byte)'t', 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0xFF, 0xFF, 0xFF, 0xFF];
        Assert.Equal(expectedBody, bytes[2..]);
        Assert.Equal([new TopicPartition("t", 0), new TopicPartition("t", 2)], ConsumerProtocol.DeserializeAssignment(bytes));
        Assert.Empty(ConsumerProtocol.DeserializeAssignment([]));
    }

    [Fact]
    public void Truncated_subscription_is_a_protocol_error_naming_the_member()
    {
        var e = Assert.ThrowsAny<KafkaProtocolException>(() => ConsumerProtocol.DeserializeSubscription("member-9", null, [0, 0, 0, 0, 0, 5]));
        Assert.Contains("member-9", e.Message, StringComparison.Ordinal);
    }
}
