using Samsa.Client.Producer;

namespace Samsa.Client.Tests.Producer;

public class BufferPoolTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public void Batch_size_buffers_are_reused()
    {
        var pool = new BufferPool(1024, 128, _time);
        var a = pool.Allocate(128, TimeSpan.Zero);
        Assert.Equal(1024 - 128, pool.AvailableMemory);
        pool.Deallocate(a);
        Assert.Equal(1024, pool.AvailableMemory);
        Assert.Same(a, pool.Allocate(128, TimeSpan.Zero));
    }

    [Fact]
    public void Other_sizes_are_counted_and_not_pooled()
    {
        var pool = new BufferPool(1024, 128, _time);
        var big = pool.Allocate(500, TimeSpan.Zero);
        Assert.Equal(500, big.Length);
        Assert.Equal(524, pool.AvailableMemory);
        pool.Deallocate(big);
        Assert.Equal(1024, pool.AvailableMemory);
        Assert.Equal(0, pool.UnallocatedPooledMemory);
    }

    [Fact]
    public void Free_pooled_buffers_are_released_to_serve_a_bigger_request()
    {
        var pool = new BufferPool(256, 128, _time);
        var a = pool.Allocate(128, TimeSpan.Zero);
        var b = pool.Allocate(128, TimeSpan.Zero);
        pool.Deallocate(a);
        pool.Deallocate(b);
        Assert.Equal(256, pool.UnallocatedPooledMemory);
        Assert.Equal(256, pool.Allocate(256, TimeSpan.Zero).Length);
        Assert.Equal(0, pool.AvailableMemory);
    }

    [Fact]
    public async Task Exhausted_pool_times_out_after_max_block_naming_the_setting()
    {
        var pool = new BufferPool(256, 128, _time);
        pool.Allocate(256, TimeSpan.Zero);
        var wait = pool.AllocateAsync(128, TimeSpan.FromMilliseconds(1000), CancellationToken.None).AsTask();
        Assert.False(wait.IsCompleted);
        _time.AdvanceMs(999);
        Assert.False(wait.IsCompleted);
        _time.AdvanceMs(1);
        var e = await Assert.ThrowsAsync<KafkaTimeoutException>(() => wait);
        Assert.Contains("max.block.ms", e.Message);
        Assert.Equal(0, pool.QueuedCount);
    }

    [Fact]
    public async Task Waiters_are_served_in_arrival_order()
    {
        var pool = new BufferPool(256, 128, _time);
        var a = pool.Allocate(128, TimeSpan.Zero);
        var b = pool.Allocate(128, TimeSpan.Zero);
        var big = pool.AllocateAsync(256, TimeSpan.FromSeconds(10), CancellationToken.None).AsTask();
        var small = pool.AllocateAsync(128, TimeSpan.FromSeconds(10), CancellationToken.None).AsTask();
        pool.Deallocate(a);
        // 128 bytes are free, enough for the small waiter, but the big one came first.
        Assert.False(big.IsCompleted);
        Assert.False(small.IsCompleted);
        pool.Deallocate(b);
        Assert.Equal(256, (await big).Length);
        Assert.False(small.IsCompleted);
        pool.Deallocate(await big);
        Assert.Equal(128, (await small).Length);
    }

    [Fact]
    public async Task New_callers_queue_behind_waiters()
    {
        var pool = new BufferPool(256, 128, _time);
        var a = pool.Allocate(128, TimeSpan.Zero);
        pool.Allocate(128, TimeSpan.Zero);
        var waiting = pool.AllocateAsync(256, TimeSpan.FromSeconds(10), CancellationToken.None).AsTask();
        pool.Deallocate(a);
        Assert.Null(pool.TryAllocate(128));
        Assert.False(waiting.IsCompleted);
        await Task.Yield();
    }

    [Fact]
    public async Task Cancelled_waiter_leaves_the_queue()
    {
        var pool = new BufferPool(128, 128, _time);
        var held = pool.Allocate(128, TimeSpan.Zero);
        using var cts = new CancellationTokenSource();
        var wait = pool.AllocateAsync(128, TimeSpan.FromSeconds(10), cts.Token).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        Assert.Equal(0, pool.QueuedCount);
        pool.Deallocate(held);
        Assert.Equal(128, pool.AvailableMemory);
    }

    [Fact]
    public void Request_above_total_memory_fails_at_once()
    {
        var pool = new BufferPool(100, 50, _time);
        var e = Assert.ThrowsAny<Exception>(() => pool.Allocate(101, TimeSpan.FromSeconds(10)));
        Assert.Contains("buffer.memory", e.Message);
    }

    [Fact]
    public void Blocking_allocate_returns_when_memory_comes_back()
    {
        var pool = new BufferPool(128, 128, _time);
        var held = pool.Allocate(128, TimeSpan.Zero);
        var thread = Task.Run(() => pool.Allocate(128, TimeSpan.FromSeconds(10)));
        SpinWait.SpinUntil(() => pool.QueuedCount == 1, TimeSpan.FromSeconds(5));
        pool.Deallocate(held);
        Assert.Same(held, thread.GetAwaiter().GetResult());
    }
}
