using Samsa.Client.Consumer;

namespace Samsa.Client.Tests.Consumer;

public class ConsumerConfigTests
{
    [Fact]
    public void Defaults_match_the_java_client()
    {
        var c = new ConsumerConfig();
        Assert.Null(c.GroupId);
        Assert.Null(c.GroupInstanceId);
        Assert.Equal(AutoOffsetReset.Latest, c.AutoOffsetReset);
        Assert.True(c.EnableAutoCommit);
        Assert.Equal(5000, c.AutoCommitInterval.TotalMilliseconds);
        Assert.Equal(1, c.FetchMinBytes);
        Assert.Equal(52428800, c.FetchMaxBytes);
        Assert.Equal(500, c.FetchMaxWait.TotalMilliseconds);
        Assert.Equal(1048576, c.MaxPartitionFetchBytes);
        Assert.Equal(500, c.MaxPollRecords);
        Assert.Equal(300000, c.MaxPollInterval.TotalMilliseconds);
        Assert.Equal(45000, c.SessionTimeout.TotalMilliseconds);
        Assert.Equal(3000, c.HeartbeatInterval.TotalMilliseconds);
        Assert.Equal(IsolationLevel.ReadUncommitted, c.IsolationLevel);
        Assert.Equal(["range", "cooperative-sticky"], c.PartitionAssignmentStrategy);
        Assert.True(c.CheckCrcs);
        var connection = (c with { BootstrapServers = "127.0.0.1:9092" }).ToClientOptions();
        Assert.Equal(65536, connection.ReceiveBufferBytes);
        Assert.Equal(131072, connection.SendBufferBytes);
        Assert.Equal(540000, connection.ConnectionsMaxIdle.TotalMilliseconds);
    }

    [Fact]
    public void Properties_parse_by_kafka_names_and_round_trip()
    {
        var c = ConsumerConfig.FromProperties(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = "127.0.0.1:9092",
            ["group.id"] = "g",
            ["group.instance.id"] = "i-1",
            ["auto.offset.reset"] = "earliest",
            ["enable.auto.commit"] = "false",
            ["fetch.max.wait.ms"] = "100",
            ["max.poll.records"] = "7",
            ["isolation.level"] = "read_committed",
            ["partition.assignment.strategy"] = "roundrobin, range",
            ["check.crcs"] = "false",
        });
        Assert.Equal("g", c.GroupId);
        Assert.Equal("i-1", c.GroupInstanceId);
        Assert.Equal(AutoOffsetReset.Earliest, c.AutoOffsetReset);
        Assert.False(c.EnableAutoCommit);
        Assert.Equal(100, c.FetchMaxWait.TotalMilliseconds);
        Assert.Equal(7, c.MaxPollRecords);
        Assert.Equal(IsolationLevel.ReadCommitted, c.IsolationLevel);
        Assert.Equal(["roundrobin", "range"], c.PartitionAssignmentStrategy);
        Assert.False(c.CheckCrcs);
        c.Validate();

        var again = ConsumerConfig.FromProperties(c.ToProperties());
        Assert.Equal(c.ToProperties(), again.ToProperties());
    }

    [Fact]
    public void Shared_connection_settings_are_accepted_and_round_trip()
    {
        var c = ConsumerConfig.FromProperties(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = "127.0.0.1:9092",
            ["reconnect.backoff.ms"] = "77",
        });
        Assert.Equal(77, c.Connection.ReconnectBackoff.TotalMilliseconds);
        Assert.Equal(77, c.ToClientOptions().ReconnectBackoff.TotalMilliseconds);
        Assert.Equal("77", c.ToProperties()["reconnect.backoff.ms"]);
        Assert.Equal("127.0.0.1:9092", c.ToClientOptions().BootstrapServers);
    }

    [Fact]
    public void Unknown_key_is_rejected_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            ConsumerConfig.FromProperties([new("fetch.max.wait", "1")]));
        Assert.Contains("fetch.max.wait", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("max.poll.records", "abc", "integer")]
    [InlineData("enable.auto.commit", "yes", "true or false")]
    [InlineData("auto.offset.reset", "middle", "latest, earliest or none")]
    [InlineData("isolation.level", "dirty", "read_committed")]
    public void Unparsable_value_names_the_key(string key, string value, string hint)
    {
        var e = Assert.Throws<ArgumentException>(() => ConsumerConfig.FromProperties([new(key, value)]));
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
        Assert.Contains(hint, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_names_the_invalid_property()
    {
        var ok = new ConsumerConfig { BootstrapServers = "127.0.0.1:9092", GroupId = "g" };
        ok.Validate();
        AssertInvalid(ok with { MaxPollRecords = 0 }, "max.poll.records");
        AssertInvalid(ok with { FetchMinBytes = -1 }, "fetch.min.bytes");
        AssertInvalid(ok with { SessionTimeout = TimeSpan.Zero }, "session.timeout.ms");
        AssertInvalid(ok with { HeartbeatInterval = TimeSpan.FromSeconds(50) }, "heartbeat.interval.ms");
        AssertInvalid(ok with { PartitionAssignmentStrategy = ["sticky-ish"] }, "partition.assignment.strategy");
        AssertInvalid(ok with { BootstrapServers = "" }, "bootstrap.servers");
        AssertInvalid(ok with { GroupId = null, GroupInstanceId = "x" }, "group.instance.id");
    }

    static void AssertInvalid(ConsumerConfig c, string key)
    {
        var e = Assert.Throws<ArgumentException>(c.Validate);
        Assert.Equal(key, e.ParamName);
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }
}
