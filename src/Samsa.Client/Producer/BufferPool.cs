using Samsa.Protocol.Errors;

namespace Samsa.Client.Producer;

/// <summary>
/// The memory the producer may hold for records (<c>buffer.memory</c>), as in the Java client's
/// BufferPool. Buffers of exactly <c>batch.size</c> bytes are kept on a free list and reused, so in
/// steady state batches allocate nothing; other sizes are allocated and left to the GC but still
/// counted. When memory runs out, callers wait in arrival order (first come, first served) for up to
/// <c>max.block.ms</c>; synchronous callers block, asynchronous callers await.
/// </summary>
internal sealed class BufferPool
{
    private readonly object _lock = new();
    private readonly long _totalMemory;
    private readonly int _poolableSize;
    private readonly TimeProvider _time;
    private readonly Stack<byte[]> _free = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private long _nonPooledAvailable;
    private bool _closed;

    public BufferPool(long totalMemory, int poolableSize, TimeProvider time)
    {
        _totalMemory = totalMemory;
        _poolableSize = poolableSize;
        _time = time;
        _nonPooledAvailable = totalMemory;
    }

    /// <summary>The configured <c>buffer.memory</c>.</summary>
    public long TotalMemory => _totalMemory;

    /// <summary>The size of pooled buffers (<c>batch.size</c>).</summary>
    public int PoolableSize => _poolableSize;

    /// <summary>Bytes not handed out: unallocated memory plus free pooled buffers.</summary>
    public long AvailableMemory
    {
        get { lock (_lock) return _nonPooledAvailable + (long)_free.Count * _poolableSize; }
    }

    /// <summary>Bytes sitting on the free list.</summary>
    public long UnallocatedPooledMemory
    {
        get { lock (_lock) return (long)_free.Count * _poolableSize; }
    }

    /// <summary>How many callers are waiting for memory.</summary>
    public int QueuedCount
    {
        get { lock (_lock) return _waiters.Count; }
    }

    /// <summary>Allocates <paramref name="size"/> bytes if that needs no waiting, else returns null.</summary>
    public byte[]? TryAllocate(int size)
    {
        if (size > _totalMemory) return null;
        lock (_lock)
        {
            if (_closed) throw new ObjectDisposedException(nameof(BufferPool), "The producer is closed.");
            return _waiters.Count == 0 ? TryTake(size) : null;
        }
    }

    /// <summary>Allocates <paramref name="size"/> bytes, blocking the thread up to <paramref name="maxTimeToBlock"/>.</summary>
    /// <exception cref="KafkaTimeoutException">No memory became free within <paramref name="maxTimeToBlock"/>.</exception>
    public byte[] Allocate(int size, TimeSpan maxTimeToBlock)
    {
        var waiter = TryAllocateOrEnqueue(size);
        if (waiter.Buffer is { } buffer) return buffer;
        try
        {
            waiter.Completion!.Task.WaitAsync(maxTimeToBlock, _time).GetAwaiter().GetResult();
        }
        catch (TimeoutException)
        {
            return GiveUp(waiter, size) ?? throw Timeout(size, maxTimeToBlock);
        }
        return waiter.Completion.Task.Result;
    }

    /// <summary>Allocates <paramref name="size"/> bytes, awaiting up to <paramref name="maxTimeToBlock"/> for memory.</summary>
    /// <exception cref="KafkaTimeoutException">No memory became free within <paramref name="maxTimeToBlock"/>.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled while waiting.</exception>
    public ValueTask<byte[]> AllocateAsync(int size, TimeSpan maxTimeToBlock, CancellationToken cancellationToken)
    {
        var waiter = TryAllocateOrEnqueue(size);
        return waiter.Buffer is { } buffer ? new ValueTask<byte[]>(buffer) : new ValueTask<byte[]>(WaitAsync(waiter, size, maxTimeToBlock, cancellationToken));
    }

    private async Task<byte[]> WaitAsync(Waiter waiter, int size, TimeSpan maxTimeToBlock, CancellationToken cancellationToken)
    {
        try
        {
            return await waiter.Completion!.Task.WaitAsync(maxTimeToBlock, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return GiveUp(waiter, size) ?? throw Timeout(size, maxTimeToBlock);
        }
        catch (OperationCanceledException)
        {
            if (GiveUp(waiter, size) is { } buffer) Deallocate(buffer);
            throw;
        }
    }

    /// <summary>Returns a buffer: batch.size buffers go back on the free list, other sizes back to the budget.</summary>
    public void Deallocate(byte[] buffer) => Deallocate(buffer, buffer.Length);

    /// <summary>Returns <paramref name="size"/> bytes of budget for <paramref name="buffer"/>.</summary>
    public void Deallocate(byte[] buffer, int size)
    {
        lock (_lock)
        {
            if (size == _poolableSize && buffer.Length == _poolableSize)
                _free.Push(buffer);
            else
                _nonPooledAvailable += size;
            ServeWaiters();
        }
    }

    /// <summary>Fails every waiter (the producer is closing).</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            foreach (var w in _waiters)
                w.Completion!.TrySetException(new ObjectDisposedException("KafkaProducer", "The producer was closed while waiting for buffer memory."));
            _waiters.Clear();
        }
    }

    private Waiter TryAllocateOrEnqueue(int size)
    {
        if (size > _totalMemory)
            throw new KafkaException(Protocol.ErrorCode.RecordListTooLarge,
                $"Attempt to allocate {size} bytes, but there is a hard limit of {_totalMemory} on memory allocations (buffer.memory).");
        lock (_lock)
        {
            if (_closed) throw new ObjectDisposedException(nameof(BufferPool), "The producer is closed.");
            // Later callers queue behind earlier ones so that a big request is not starved by small ones.
            if (_waiters.Count == 0 && TryTake(size) is { } buffer)
                return new Waiter(size, buffer);
            var waiter = new Waiter(size, null) { Completion = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously) };
            waiter.Node = _waiters.AddLast(waiter);
            return waiter;
        }
    }

    // Under _lock.
    private byte[]? TryTake(int size)
    {
        if (size == _poolableSize && _free.Count > 0)
            return _free.Pop();
        long freeListBytes = (long)_free.Count * _poolableSize;
        if (_nonPooledAvailable + freeListBytes < size)
            return null;
        // Release pooled buffers to the GC until the unpooled budget covers the request.
        while (_nonPooledAvailable < size)
        {
            _free.Pop();
            _nonPooledAvailable += _poolableSize;
        }
        _nonPooledAvailable -= size;
        return new byte[size];
    }

    // Under _lock: hand memory to waiters strictly in order.
    private void ServeWaiters()
    {
        while (_waiters.First is { } node)
        {
            var waiter = node.Value;
            if (waiter.Completion!.Task.IsCompleted)
            {
                _waiters.RemoveFirst();
                continue;
            }
            var buffer = TryTake(waiter.Size);
            if (buffer is null) return;
            _waiters.RemoveFirst();
            waiter.Node = null;
            if (!waiter.Completion.TrySetResult(buffer))
                ReturnUnlocked(buffer);
        }
    }

    private void ReturnUnlocked(byte[] buffer)
    {
        if (buffer.Length == _poolableSize) _free.Push(buffer);
        else _nonPooledAvailable += buffer.Length;
    }

    // Timed out or cancelled: leave the queue; if memory was handed over meanwhile, return it to the caller.
    private byte[]? GiveUp(Waiter waiter, int size)
    {
        lock (_lock)
        {
            if (waiter.Node is { } node)
            {
                _waiters.Remove(node);
                waiter.Node = null;
                waiter.Completion!.TrySetCanceled();
                ServeWaiters(); // the next waiter may fit now that this one is gone
                return null;
            }
        }
        return waiter.Completion!.Task.IsCompletedSuccessfully ? waiter.Completion.Task.Result : null;
    }

    private KafkaTimeoutException Timeout(int size, TimeSpan maxTimeToBlock) =>
        new($"Failed to allocate {size} bytes within the configured max blocking time {maxTimeToBlock.TotalMilliseconds:0} ms (max.block.ms). " +
            $"The producer holds {_totalMemory - AvailableMemory} of {_totalMemory} bytes (buffer.memory); records are produced faster than they can be sent.");

    private sealed class Waiter(int size, byte[]? buffer)
    {
        public int Size { get; } = size;
        public byte[]? Buffer { get; } = buffer;
        public TaskCompletionSource<byte[]>? Completion { get; init; }
        public LinkedListNode<Waiter>? Node { get; set; }
    }
}
