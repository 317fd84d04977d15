using Samsa.Client.Producer.Partitioners;

namespace Samsa.Client.Tests.Producer;

public class StickyPartitionCacheTests
{
    [Fact]
    public void Sticks_to_one_partition_until_batch_size_bytes_then_switches()
    {
        var cache = new StickyPartitionCache(stickyBatchSize: 100);
        static bool AllHaveLeaders(string t, int p) => true;
        int first = cache.Partition("t", 4, AllHaveLeaders);
        for (int i = 0; i < 9; i++)
        {
            Assert.Equal(first, cache.Partition("t", 4, AllHaveLeaders));
            cache.OnAppended("t", first, 10, 4, AllHaveLeaders);
        }
        cache.OnAppended("t", first, 10, 4, AllHaveLeaders);
        int second = cache.Partition("t", 4, AllHaveLeaders);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Prefers_partitions_with_a_leader()
    {
        static bool OnlyTwo(string t, int p) => p == 2;
        for (int i = 0; i < 50; i++)
            Assert.Equal(2, new StickyPartitionCache(100).Partition("t", 5, OnlyTwo));
    }
}
