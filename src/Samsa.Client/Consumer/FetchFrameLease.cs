using System.Buffers;

namespace Samsa.Client.Consumer;

/// <summary>
/// A pooled Fetch response frame shared by the <see cref="CompletedFetch"/>es made from it (their
/// records are slices of it). Each holds one reference, the fetcher one more while it queues them;
/// the last release returns the array to <see cref="ArrayPool{T}.Shared"/>. Records reach the
/// application only as deserialized copies, so nothing reads the frame after that.
/// </summary>
internal sealed class FetchFrameLease
{
    byte[]? _frame;
    int _references = 1;

    public FetchFrameLease(byte[] frame) => _frame = frame;

    /// <summary>True once the frame went back to the pool.</summary>
    public bool IsReturned => Volatile.Read(ref _frame) is null;

    public void Retain()
    {
        if (Interlocked.Increment(ref _references) <= 1)
            throw new InvalidOperationException("The fetch frame was already returned to the pool.");
    }

    public void Release()
    {
        var left = Interlocked.Decrement(ref _references);
        if (left > 0) return;
        if (left < 0) throw new InvalidOperationException("The fetch frame was released more times than it was retained.");
        if (Interlocked.Exchange(ref _frame, null) is { } frame) ArrayPool<byte>.Shared.Return(frame);
    }
}
