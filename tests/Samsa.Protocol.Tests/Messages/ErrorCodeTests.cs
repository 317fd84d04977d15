namespace Samsa.Protocol.Tests.Messages;

public class ErrorCodeTests
{
    [Fact]
    public void Codes_have_kafka_wire_names_and_numbers()
    {
        Assert.Equal(6, (short)ErrorCode.NotLeaderOrFollower);
        Assert.Equal("NOT_LEADER_OR_FOLLOWER", ErrorCode.NotLeaderOrFollower.WireName());
        Assert.Equal(-1, (short)ErrorCode.UnknownServerError);
        Assert.Null(((ErrorCode)32000).WireName());
    }

    [Fact]
    public void Retriable_flags_follow_the_table()
    {
        Assert.True(ErrorCode.NotLeaderOrFollower.IsRetriable());
        Assert.True(ErrorCode.CoordinatorLoadInProgress.IsRetriable());
        Assert.False(ErrorCode.TopicAuthorizationFailed.IsRetriable());
        Assert.False(ErrorCode.None.IsRetriable());
    }

    [Fact]
    public void Describe_names_the_error_and_says_whether_retrying_helps()
    {
        Assert.Equal("NOT_LEADER_OR_FOLLOWER (6, retriable)", ErrorCode.NotLeaderOrFollower.Describe());
        Assert.Equal("TOPIC_AUTHORIZATION_FAILED (29, not retriable)", ErrorCode.TopicAuthorizationFailed.Describe());
        Assert.Equal("unknown error code 32000", ((ErrorCode)32000).Describe());
    }
}
