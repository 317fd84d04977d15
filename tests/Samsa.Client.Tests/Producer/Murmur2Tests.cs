using System.Text;
using Samsa.Client.Producer.Partitioners;

namespace Samsa.Client.Tests.Producer;

public class Murmur2Tests
{
    // The vectors of the Java client's UtilsTest.testMurmur2.
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Hash_matches_the_java_client(string input, int expected) =>
        Assert.Equal(expected, Murmur2.Hash(Encoding.ASCII.GetBytes(input)));

    [Fact]
    public void Partition_is_positive_hash_modulo_partition_count()
    {
        // -973932308 & 0x7fffffff = 1173551340; % 7 = 1173551340 - 7 * 167650191 = 3
        Assert.Equal(1173551340 % 7, Murmur2.Partition("21"u8, 7));
        Assert.Equal((-790332482 & 0x7fffffff) % 12, Murmur2.Partition("foobar"u8, 12));
    }

    // Hashes computed independently (Python port of Java's Utils.murmur2); all three keys of the CLI
    // demo land on partition 2 of 3, as kcat with partitioner=murmur2_random also places them.
    [Theory]
    [InlineData("user-1", 0x53b136cc)]
    [InlineData("user-2", unchecked((int)0xeca12be0))]
    [InlineData("user-3", 0x440906db)]
    public void Demo_keys_hash_like_java_and_land_on_partition_2_of_3(string key, int expectedHash)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        Assert.Equal(expectedHash, Murmur2.Hash(bytes));
        Assert.Equal(2, Murmur2.Partition(bytes, 3));
    }

    [Fact]
    public void Default_partitioner_leaves_null_keys_to_the_sticky_partitioner()
    {
        Assert.Equal(-1, DefaultPartitioner.Instance.Partition("t", default, keyIsNull: true, 3));
        Assert.Equal(Murmur2.Partition("abc"u8, 3), DefaultPartitioner.Instance.Partition("t", "abc"u8, keyIsNull: false, 3));
        // An empty key is a key: it hashes, unlike null.
        Assert.Equal(Murmur2.Partition([], 3), DefaultPartitioner.Instance.Partition("t", [], keyIsNull: false, 3));
    }

    [Fact]
    public void Round_robin_cycles_through_partitions_per_topic()
    {
        var p = new RoundRobinPartitioner();
        var seen = Enumerable.Range(0, 6).Select(_ => p.Partition("a", "k"u8, false, 3)).ToArray();
        Assert.Equal([0, 1, 2, 0, 1, 2], seen);
        Assert.Equal(0, p.Partition("b", default, true, 3));
    }
}
