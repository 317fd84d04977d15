using Samsa.Client.Consumer;
using Samsa.Client.Consumer.Assignors;
using Samsa.Client.Metadata;

namespace Samsa.Client.Tests.Consumer.Assignors;

public class AssignorTests
{
    static GroupMember Member(string id, params string[] topics) => new(id, null, topics, []);

    static TopicPartition Tp(string t, int p) => new(t, p);

    [Fact]
    public void Range_gives_consecutive_ranges_and_extras_to_the_first_members()
    {
        var result = new RangeAssignor().Assign(
            new Dictionary<string, int> { ["t0"] = 3, ["t1"] = 3 },
            [Member("c1", "t0", "t1"), Member("c0", "t0", "t1")]);
        Assert.Equal([Tp("t0", 0), Tp("t0", 1), Tp("t1", 0), Tp("t1", 1)], result["c0"]);
        Assert.Equal([Tp("t0", 2), Tp("t1", 2)], result["c1"]);
    }

    [Fact]
    public void Range_orders_static_members_before_dynamic_ones()
    {
        var result = new RangeAssignor().Assign(
            new Dictionary<string, int> { ["t"] = 2 },
            [Member("a", "t"), new GroupMember("z", "instance", ["t"], [])]);
        Assert.Equal([Tp("t", 0)], result["z"]);
        Assert.Equal([Tp("t", 1)], result["a"]);
    }

    [Fact]
    public void Range_skips_missing_topics_and_lists_every_member()
    {
        var result = new RangeAssignor().Assign(
            new Dictionary<string, int> { ["t"] = 1 },
            [Member("a", "t", "missing"), Member("b", "t")]);
        Assert.Equal([Tp("t", 0)], result["a"]);
        Assert.Empty(result["b"]);
    }

    [Fact]
    public void Roundrobin_deals_partitions_in_turn_over_sorted_topics()
    {
        var result = new RoundRobinAssignor().Assign(
            new Dictionary<string, int> { ["t1"] = 3, ["t0"] = 3 },
            [Member("c1", "t0", "t1"), Member("c0", "t0", "t1")]);
        Assert.Equal([Tp("t0", 0), Tp("t0", 2), Tp("t1", 1)], result["c0"]);
        Assert.Equal([Tp("t0", 1), Tp("t1", 0), Tp("t1", 2)], result["c1"]);
    }

    [Fact]
    public void Roundrobin_skips_members_not_subscribed_to_the_topic()
    {
        var result = new RoundRobinAssignor().Assign(
            new Dictionary<string, int> { ["a"] = 2, ["b"] = 2 },
            [Member("m0", "a"), Member("m1", "a", "b")]);
        Assert.Equal([Tp("a", 0)], result["m0"]);
        Assert.Equal([Tp("a", 1), Tp("b", 0), Tp("b", 1)], result["m1"]);
    }

    [Fact]
    public void Cooperative_sticky_balances_a_new_group()
    {
        var result = new CooperativeStickyAssignor().Assign(
            new Dictionary<string, int> { ["t"] = 6 },
            [Member("a", "t"), Member("b", "t"), Member("c", "t")]);
        AssertDisjointAndComplete(result, 6);
        Assert.All(result.Values, l => Assert.Equal(2, l.Count));
    }

    [Fact]
    public void Cooperative_sticky_keeps_owned_partitions_and_withholds_moved_ones()
    {
        // a owned everything; b joins: a keeps 3, and the 3 that move to b are withheld this round.
        var owned = Enumerable.Range(0, 6).Select(p => Tp("t", p)).ToList();
        var members = new[] { new GroupMember("a", null, ["t"], owned, 1), Member("b", "t") };
        var first = new CooperativeStickyAssignor().Assign(new Dictionary<string, int> { ["t"] = 6 }, members);
        Assert.Equal(3, first["a"].Count);
        Assert.All(first["a"], tp => Assert.Contains(tp, owned));
        Assert.Empty(first["b"]);

        // After a revokes, the follow-up rebalance gives b the other 3 and leaves a alone.
        var second = new CooperativeStickyAssignor().Assign(new Dictionary<string, int> { ["t"] = 6 },
            [new GroupMember("a", null, ["t"], first["a"], 2), new GroupMember("b", null, ["t"], [], 2)]);
        Assert.Equal(first["a"], second["a"]);
        Assert.Equal(3, second["b"].Count);
        AssertDisjointAndComplete(second, 6);
    }

    [Fact]
    public void Cooperative_sticky_gives_a_departed_members_partitions_to_the_rest()
    {
        var result = new CooperativeStickyAssignor().Assign(new Dictionary<string, int> { ["t"] = 6 },
            [new GroupMember("a", null, ["t"], [Tp("t", 0), Tp("t", 1)], 3), new GroupMember("b", null, ["t"], [Tp("t", 2), Tp("t", 3)], 3)]);
        AssertDisjointAndComplete(result, 6);
        Assert.Contains(Tp("t", 0), result["a"]);
        Assert.Contains(Tp("t", 1), result["a"]);
        Assert.Contains(Tp("t", 2), result["b"]);
        Assert.Contains(Tp("t", 3), result["b"]);
    }

    [Fact]
    public void Cooperative_sticky_resolves_double_claims_by_newest_generation()
    {
        var result = new CooperativeStickyAssignor().Assign(new Dictionary<string, int> { ["t"] = 2 },
            [new GroupMember("a", null, ["t"], [Tp("t", 0)], 1), new GroupMember("b", null, ["t"], [Tp("t", 0)], 2)]);
        Assert.Equal([Tp("t", 0)], result["b"]);
        Assert.Equal([Tp("t", 1)], result["a"]);
    }

    [Fact]
    public void Cooperative_sticky_respects_subscriptions()
    {
        var result = new CooperativeStickyAssignor().Assign(new Dictionary<string, int> { ["x"] = 4, ["y"] = 2 },
            [Member("a", "x"), Member("b", "x", "y")]);
        Assert.All(result["a"], tp => Assert.Equal("x", tp.Topic));
        Assert.Equal(6, result["a"].Count + result["b"].Count);
        Assert.Equal(3, result["a"].Count);
    }

    [Theory]
    [InlineData("range", typeof(RangeAssignor))]
    [InlineData("roundrobin", typeof(RoundRobinAssignor))]
    [InlineData("cooperative-sticky", typeof(CooperativeStickyAssignor))]
    [InlineData("org.apache.kafka.clients.consumer.RangeAssignor", typeof(RangeAssignor))]
    public void Assignors_are_created_by_kafka_name(string name, Type type)
    {
        Assert.IsType(type, PartitionAssignors.Create(name));
    }

    static void AssertDisjointAndComplete(Dictionary<string, List<TopicPartition>> result, int partitions)
    {
        var all = result.Values.SelectMany(l => l).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(partitions, all.Count);
    }
}
