using Samsa.Client.Configuration;

namespace Samsa.Client.Tests.Configuration;

public sealed class ClientOptionsTests
{
    [Fact]
    public void Defaults_equal_the_java_client()
    {
        var o = ClientOptions.FromProperties(new Dictionary<string, string> { ["bootstrap.servers"] = "a:1" });
        Assert.Equal(TimeSpan.FromMilliseconds(30000), o.RequestTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(50), o.ReconnectBackoff);
        Assert.Equal(TimeSpan.FromMilliseconds(1000), o.ReconnectBackoffMax);
        Assert.Equal(TimeSpan.FromMilliseconds(10000), o.SocketConnectionSetupTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(30000), o.SocketConnectionSetupTimeoutMax);
        Assert.Equal(TimeSpan.FromMilliseconds(540000), o.ConnectionsMaxIdle);
        Assert.Equal(131072, o.SendBufferBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(300000), o.MetadataMaxAge);
        Assert.Equal(TimeSpan.FromMilliseconds(100), o.RetryBackoff);
        Assert.Equal(5, o.MaxInFlightRequestsPerConnection);
        Assert.Equal(ClientDnsLookup.UseAllDnsIps, o.ClientDnsLookup);
        Assert.Equal(new ClientOptions { BootstrapServers = "a:1" }, o);
    }

    [Fact]
    public void Properties_round_trip()
    {
        var o = new ClientOptions { BootstrapServers = "a:1,b:2", ClientId = "x", RequestTimeout = TimeSpan.FromSeconds(3), ReceiveBufferBytes = -1 };
        Assert.Equal(o, ClientOptions.FromProperties(o.ToProperties()));
    }

    [Fact]
    public void Unknown_property_is_rejected_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => ClientOptions.FromProperties(new Dictionary<string, string> { ["bootstrap.servers"] = "a:1", ["linger.ms"] = "5" }));
        Assert.Contains("linger.ms", e.Message);
    }

    [Fact]
    public void Non_integer_value_names_the_property()
    {
        var e = Assert.Throws<ArgumentException>(() => ClientOptions.FromProperties(new Dictionary<string, string> { ["bootstrap.servers"] = "a:1", ["request.timeout.ms"] = "soon" }));
        Assert.StartsWith("request.timeout.ms requires an integer value", e.Message);
    }

    [Fact]
    public void Out_of_range_and_missing_required_values_fail()
    {
        var e = Assert.Throws<ArgumentException>(() => ClientOptions.FromProperties(new Dictionary<string, string> { ["bootstrap.servers"] = "a:1", ["max.in.flight.requests.per.connection"] = "0" }));
        Assert.Contains("max.in.flight.requests.per.connection must be at least 1", e.Message);
        e = Assert.Throws<ArgumentException>(() => ClientOptions.FromProperties(new Dictionary<string, string>()));
        Assert.Contains("bootstrap.servers", e.Message);
        e = Assert.Throws<ArgumentException>(() => ClientOptions.FromProperties(new Dictionary<string, string> { ["bootstrap.servers"] = "a:1", ["client.dns.lookup"] = "default" }));
        Assert.Contains("client.dns.lookup must be one of", e.Message);
    }

    [Fact]
    public void Derived_tables_extend_the_common_one()
    {
        var producer = new ConfigDef(ClientConfigs.Definition).Define("linger.ms", ConfigType.Long, 5L, "batch wait");
        var values = producer.Parse(new Dictionary<string, string> { ["bootstrap.servers"] = "a:1", ["linger.ms"] = "20" });
        Assert.Equal(20L, values.GetLong("linger.ms"));
        Assert.Equal(30000, values.GetInt("request.timeout.ms"));
        var e = Assert.Throws<ArgumentException>(() => producer.Parse(new Dictionary<string, string> { ["bootstrap.servers"] = "a:1", ["linger.ms"] = "x" }));
        Assert.StartsWith("linger.ms requires an integer value", e.Message);
    }
}
