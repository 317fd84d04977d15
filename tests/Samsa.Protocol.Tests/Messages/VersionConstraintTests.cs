using Samsa.Protocol.Errors;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Primitives;

namespace Samsa.Protocol.Tests.Messages;

/// <summary>What happens when a value cannot be expressed at the chosen version.</summary>
public class VersionConstraintTests
{
    private static byte[] Serialize(IKafkaMessage message, short version)
    {
        using var buffer = new ByteBufferWriter();
        var writer = new KafkaWriter(buffer);
        message.Write(ref writer, version);
        return buffer.ToArray();
    }

    [Fact]
    public void Non_default_value_in_a_field_the_version_lacks_throws_naming_message_field_and_version()
    {
        var request = new FindCoordinatorRequest { Key = "group", CoordinatorKeys = ["group"] };
        var e = Assert.Throws<KafkaProtocolException>(() => Serialize(request, 4));
        Assert.Contains("FindCoordinatorRequest", e.Message, StringComparison.Ordinal);
        Assert.Contains("Key", e.Message, StringComparison.Ordinal);
        Assert.Contains("version 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_default_value_in_a_new_field_throws_at_an_old_version()
    {
        var request = new FindCoordinatorRequest { Key = "txn", KeyType = 1 };
        var e = Assert.Throws<KafkaProtocolException>(() => Serialize(request, 0));
        Assert.Contains("KeyType", e.Message, StringComparison.Ordinal);
        Assert.NotEmpty(Serialize(request, 1));
    }

    [Fact]
    public void Non_default_value_in_a_nested_struct_field_the_version_lacks_throws()
    {
        var request = new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "t" }], AllowAutoTopicCreation = false };
        var e = Assert.Throws<KafkaProtocolException>(() => Serialize(request, 3));
        Assert.Contains("AllowAutoTopicCreation", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ignorable_field_is_dropped_silently_at_a_version_that_lacks_it()
    {
        var withThrottle = new FindCoordinatorResponse { ThrottleTimeMs = 250, Host = "h", Port = 9092 };
        var without = new FindCoordinatorResponse { Host = "h", Port = 9092 };
        Assert.Equal(Serialize(without, 0), Serialize(withThrottle, 0));
    }

    [Fact]
    public void Ignorable_tagged_field_is_dropped_before_its_first_version()
    {
        // MetadataRequest topic ids are ignorable and only exist from v10.
        var request = new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "t", TopicId = Guid.NewGuid() }] };
        Assert.Equal(Serialize(new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "t" }] }, 9), Serialize(request, 9));
    }

    [Fact]
    public void Null_where_the_version_forbids_null_throws_on_write()
    {
        var request = new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = null }] };
        var e = Assert.Throws<KafkaProtocolException>(() => Serialize(request, 9));
        Assert.Contains("Name", e.Message, StringComparison.Ordinal);
        Assert.NotEmpty(Serialize(request, 10));
    }

    [Fact]
    public void Unstable_latest_versions_are_not_generated()
    {
        // EndTxn v5 is marked latestVersionUnstable in the 3.9 specs.
        Assert.Equal(4, EndTxnRequest.HighestVersion);
        Assert.Equal(4, EndTxnResponse.HighestVersion);
        Assert.False(ApiVersionRanges.TryGet(ApiKey.ShareFetch, out _));
    }
}
