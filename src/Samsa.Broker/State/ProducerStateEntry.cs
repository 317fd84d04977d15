namespace Samsa.Broker.State;

/// <summary>
/// What one partition remembers about one idempotent producer: its epoch, the last sequence
/// appended and the metadata of its last five batches, so a retried batch is recognised as a
/// duplicate and answered with its original offset (Kafka's ProducerStateEntry).
/// </summary>
internal sealed class ProducerStateEntry
{
    /// <summary>Kafka keeps five: the client's max.in.flight for idempotence is capped at five.</summary>
    public const int CachedBatches = 5;

    private readonly (int FirstSeq, int LastSeq, long BaseOffset)[] _batches = new (int, int, long)[CachedBatches];
    private int _count;
    private int _next;

    public ProducerStateEntry(long producerId, short epoch)
    {
        ProducerId = producerId;
        Epoch = epoch;
    }

    public long ProducerId { get; }

    public short Epoch { get; private set; }

    /// <summary>Last sequence appended in the current epoch, -1 before the first batch.</summary>
    public int LastSequence { get; private set; } = -1;

    /// <summary>First offset of the open transaction on this partition, or -1.</summary>
    public long CurrentTxnFirstOffset { get; set; } = -1;

    /// <summary>Returns the base offset of a cached batch with exactly these sequences, or -1.</summary>
    public long FindDuplicate(int firstSeq, int lastSeq)
    {
        for (int i = 0; i < _count; i++)
        {
            var b = _batches[i];
            if (b.FirstSeq == firstSeq && b.LastSeq == lastSeq)
            {
                return b.BaseOffset;
            }
        }
        return -1;
    }

    /// <summary>Oldest first sequence still cached, or -1.</summary>
    public int OldestCachedSequence()
    {
        int oldest = -1;
        for (int i = 0; i < _count; i++)
        {
            if (oldest < 0 || _batches[i].FirstSeq < oldest)
            {
                oldest = _batches[i].FirstSeq;
            }
        }
        return oldest;
    }

    public void BumpEpoch(short epoch)
    {
        Epoch = epoch;
        LastSequence = -1;
        _count = 0;
        _next = 0;
    }

    public void Record(int firstSeq, int lastSeq, long baseOffset)
    {
        _batches[_next] = (firstSeq, lastSeq, baseOffset);
        _next = (_next + 1) % CachedBatches;
        if (_count < CachedBatches)
        {
            _count++;
        }
        LastSequence = lastSeq;
    }
}
