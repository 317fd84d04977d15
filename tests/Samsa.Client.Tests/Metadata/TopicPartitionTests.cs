using Samsa.Client.Metadata;
using Samsa.Client.Producer;

namespace Samsa.Client.Tests.Metadata;

public sealed class TopicPartitionTests
{
    [Fact]
    public void The_client_defines_exactly_one_TopicPartition_type()
    {
        var types = typeof(TopicPartition).Assembly.GetTypes()
            .Where(t => t.Name == nameof(TopicPartition))
            .ToList();
        Assert.Equal([typeof(TopicPartition)], types);
    }

    [Fact]
    public void Producer_batches_are_keyed_by_the_metadata_TopicPartition()
    {
        var property = typeof(ProducerBatch).GetProperty(nameof(ProducerBatch.TopicPartition));
        Assert.NotNull(property);
        Assert.Equal(typeof(TopicPartition), property.PropertyType);
        Assert.Equal("t-3", new TopicPartition("t", 3).ToString());
    }
}
