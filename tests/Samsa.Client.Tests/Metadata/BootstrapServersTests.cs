using System.Net;
using System.Net.Sockets;
using Samsa.Client.Configuration;
using Samsa.Client.Metadata;
using Samsa.Client.Network;

namespace Samsa.Client.Tests.Metadata;

public class BootstrapServersTests
{
    /// <summary>A DNS with one alias for two brokers, their reverse names, and a name that does not resolve.</summary>
    sealed class FakeDns : IHostResolver
    {
        public IPAddress[] Resolve(string host) => host switch
        {
            "kafka.example" => [IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.2")],
            "broker3.example" => [IPAddress.Parse("10.0.0.3")],
            _ => throw new SocketException((int)SocketError.HostNotFound),
        };

        public string CanonicalHostName(IPAddress address) => address.ToString() switch
        {
            "10.0.0.1" => "b1.internal.example",
            "10.0.0.2" => "b2.internal.example",
            _ => address.ToString(),
        };
    }

    [Fact]
    public void Use_all_dns_ips_makes_every_address_of_every_name_a_bootstrap_node()
    {
        var nodes = BootstrapServers.Resolve(BootstrapServers.Parse("kafka.example:9092, broker3.example:9093"), ClientDnsLookup.UseAllDnsIps, new FakeDns());
        Assert.Equal([("10.0.0.1", 9092), ("10.0.0.2", 9092), ("10.0.0.3", 9093)], nodes);
    }

    [Fact]
    public void Resolve_canonical_bootstrap_servers_only_uses_the_canonical_name_of_every_address()
    {
        var nodes = BootstrapServers.Resolve(BootstrapServers.Parse("kafka.example:9092,broker3.example:9093"), ClientDnsLookup.ResolveCanonicalBootstrapServersOnly, new FakeDns());
        Assert.Equal([("b1.internal.example", 9092), ("b2.internal.example", 9092), ("10.0.0.3", 9093)], nodes);
    }

    [Fact]
    public void A_name_that_does_not_resolve_is_skipped_and_none_resolving_is_a_clear_error()
    {
        var nodes = BootstrapServers.Resolve(BootstrapServers.Parse("nowhere.example:9092,broker3.example:9093"), ClientDnsLookup.UseAllDnsIps, new FakeDns());
        Assert.Equal([("10.0.0.3", 9093)], nodes);
        var e = Assert.Throws<ArgumentException>(() =>
            BootstrapServers.Resolve(BootstrapServers.Parse("nowhere.example:9092"), ClientDnsLookup.UseAllDnsIps, new FakeDns()));
        Assert.Contains("bootstrap.servers", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("host")]
    [InlineData("host:")]
    [InlineData("host:0")]
    [InlineData("host:70000")]
    [InlineData(" , ")]
    public void Bad_entries_are_rejected_naming_bootstrap_servers(string servers)
    {
        var e = Assert.Throws<ArgumentException>(() => BootstrapServers.Parse(servers));
        Assert.Contains("bootstrap.servers", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ipv6_literals_in_brackets_are_parsed()
    {
        Assert.Equal([("::1", 9092), ("127.0.0.1", 9093)], BootstrapServers.Parse("[::1]:9092,127.0.0.1:9093"));
    }
}
