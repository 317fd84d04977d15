using Samsa.Client.Producer;
using Samsa.Protocol.Compression;

namespace Samsa.Client.Tests.Producer;

public class ProducerConfigTests
{
    private static ProducerConfig Valid() => new() { BootstrapServers = "127.0.0.1:9092" };

    [Fact]
    public void Defaults_are_the_java_clients()
    {
        var c = new ProducerConfig();
        Assert.Equal(Acks.All, c.Acks);
        Assert.Equal(TimeSpan.FromMilliseconds(5), c.Linger);
        Assert.Equal(16384, c.BatchSize);
        Assert.Equal(33554432, c.BufferMemory);
        Assert.Equal(TimeSpan.FromMilliseconds(60000), c.MaxBlock);
        Assert.Equal(TimeSpan.FromMilliseconds(120000), c.DeliveryTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(30000), c.RequestTimeout);
        Assert.Equal(5, c.MaxInFlightRequestsPerConnection);
        Assert.Equal(1048576, c.MaxRequestSize);
        Assert.Equal(int.MaxValue, c.Retries);
        Assert.Equal(CompressionType.None, c.CompressionType);
        Assert.True(c.IdempotenceEnabled);
    }

    [Fact]
    public void Connection_buffers_default_to_the_java_producers_and_can_be_set()
    {
        var defaults = ProducerNetworkClient.ToClientOptions(Valid());
        Assert.Equal(32768, defaults.ReceiveBufferBytes);
        Assert.Equal(131072, defaults.SendBufferBytes);
        var set = ProducerNetworkClient.ToClientOptions(ProducerConfig.FromProperties(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = "127.0.0.1:9092",
            ["receive.buffer.bytes"] = "-1",
            ["send.buffer.bytes"] = "65536",
        }));
        Assert.Equal(-1, set.ReceiveBufferBytes);
        Assert.Equal(65536, set.SendBufferBytes);
    }

    [Fact]
    public void FromProperties_parses_kafka_keys()
    {
        var c = ProducerConfig.FromProperties(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = "a:1,b:2", ["acks"] = "1", ["linger.ms"] = "20", ["batch.size"] = "1000",
            ["compression.type"] = "zstd", ["enable.idempotence"] = "false", ["max.in.flight.requests.per.connection"] = "1",
            ["partitioner.class"] = "org.apache.kafka.clients.producer.RoundRobinPartitioner", ["client.id"] = "me",
        });
        Assert.Equal("a:1,b:2", c.BootstrapServers);
        Assert.Equal(Acks.Leader, c.Acks);
        Assert.Equal(TimeSpan.FromMilliseconds(20), c.Linger);
        Assert.Equal(1000, c.BatchSize);
        Assert.Equal(CompressionType.Zstd, c.CompressionType);
        Assert.False(c.EnableIdempotence);
        Assert.Equal(1, c.MaxInFlightRequestsPerConnection);
        Assert.Equal(PartitionerType.RoundRobin, c.Partitioner);
        Assert.Equal("me", c.ClientId);
    }

    [Fact]
    public void Properties_round_trip()
    {
        var c = Valid();
        c.Acks = Acks.None;
        c.Linger = TimeSpan.FromMilliseconds(7);
        c.CompressionType = CompressionType.Lz4;
        c.EnableIdempotence = false;
        var again = ProducerConfig.FromProperties(c.ToProperties());
        Assert.Equal(c.ToProperties(), again.ToProperties());
        Assert.Equal(Acks.None, again.Acks);
    }

    [Theory]
    [InlineData("linger.ms", "soon", "linger.ms requires")]
    [InlineData("acks", "2", "acks must be")]
    [InlineData("compression.type", "brotli", "compression.type must be")]
    [InlineData("enable.idempotence", "yes", "enable.idempotence requires")]
    [InlineData("no.such.key", "1", "Unknown producer property 'no.such.key'")]
    public void Bad_properties_fail_naming_the_key(string key, string value, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => ProducerConfig.FromProperties(new Dictionary<string, string> { [key] = value }));
        Assert.Contains(expected, e.Message);
        Assert.Equal(key, e.ParamName);
    }

    [Fact]
    public void Explicit_idempotence_with_acks_1_is_rejected_naming_acks()
    {
        var c = Valid();
        c.EnableIdempotence = true;
        c.Acks = Acks.Leader;
        var e = Assert.Throws<ArgumentException>(c.Validate);
        Assert.Equal("acks", e.ParamName);
        Assert.Contains("idempotent", e.Message);
    }

    [Fact]
    public void Explicit_idempotence_with_more_than_5_in_flight_is_rejected()
    {
        var c = Valid();
        c.EnableIdempotence = true;
        c.MaxInFlightRequestsPerConnection = 6;
        Assert.Equal("max.in.flight.requests.per.connection", Assert.Throws<ArgumentException>(c.Validate).ParamName);
    }

    [Fact]
    public void Implicit_idempotence_turns_off_when_acks_is_1()
    {
        var c = Valid();
        c.Acks = Acks.Leader;
        c.Validate();
        Assert.False(c.IdempotenceEnabled);
    }

    [Fact]
    public void Delivery_timeout_below_linger_plus_request_timeout_is_rejected()
    {
        var c = Valid();
        c.DeliveryTimeout = TimeSpan.FromSeconds(10);
        Assert.Equal("delivery.timeout.ms", Assert.Throws<ArgumentException>(c.Validate).ParamName);
    }

    [Fact]
    public void Missing_bootstrap_servers_is_rejected()
    {
        Assert.Equal("bootstrap.servers", Assert.Throws<ArgumentException>(new ProducerConfig().Validate).ParamName);
    }

    [Fact]
    public void Transactional_id_is_rejected_as_unsupported()
    {
        var c = ProducerConfig.FromProperties(new Dictionary<string, string> { ["bootstrap.servers"] = "x:1", ["transactional.id"] = "t" });
        Assert.Equal("transactional.id", Assert.Throws<ArgumentException>(c.Validate).ParamName);
    }
}
