using Samsa.Client.Metadata;
using Microsoft.Extensions.Logging;
using Samsa.Protocol;

namespace Samsa.Client.Producer;

/// <summary>
/// The idempotent producer's state (Java's TransactionManager without transactions): producer id and
/// epoch, per-partition sequence numbers and the batches numbered but not yet acknowledged, in sequence
/// order. Used only from the sender thread, so it takes no locks.
/// </summary>
/// <remarks>
/// The rules are the Java client's (KIP-360 for the idempotent producer):
/// <list type="bullet">
/// <item>A batch keeps its sequence across retries: an earlier attempt may have been written, and a new
/// sequence would let the broker write it twice.</item>
/// <item>When a partition's sequences can no longer be trusted (OUT_OF_ORDER_SEQUENCE_NUMBER for the next
/// expected batch, UNKNOWN_PRODUCER_ID, a numbered batch failed for good) the epoch is bumped locally
/// (no request: the broker accepts a higher epoch starting at sequence 0) and that partition's
/// unacknowledged batches are renumbered from 0. At epoch 32767 the producer id is reset instead and a
/// new one requested with InitProducerId.</item>
/// <item>A batch that expired after it was sent and retried leaves its partition "unresolved": nothing new
/// is numbered there until every earlier batch has an answer; then the epoch is bumped unless the
/// acknowledged sequences show the expired batch was written after all.</item>
/// <item>CLUSTER_AUTHORIZATION_FAILED, TRANSACTIONAL_ID_AUTHORIZATION_FAILED, PRODUCER_FENCED and
/// UNSUPPORTED_VERSION are fatal: every later send fails with the error.</item>
/// </list>
/// </remarks>
internal sealed class TransactionManager
{
    /// <summary>Batches a partition may have in flight under idempotence (the broker caches five).</summary>
    public const int MaxInFlightBatchesPerPartition = 5;

    private readonly Dictionary<TopicPartition, PartitionState> _partitions = [];

    // Partitions with a batch that expired after a retry, to the sequence that follows it.
    private readonly Dictionary<TopicPartition, int> _unresolved = [];

    // Partitions whose unacknowledged batches are renumbered at the next epoch bump.
    private readonly HashSet<TopicPartition> _partitionsToRewrite = [];
    private readonly ILogger _logger;

    public TransactionManager(ILogger logger) => _logger = logger;

    public long ProducerId { get; private set; } = -1;

    public short ProducerEpoch { get; private set; } = -1;

    public bool HasProducerId => ProducerId >= 0;

    /// <summary>An epoch bump is due; <see cref="BumpIdempotentEpochAndResetIdIfNeeded"/> does it on the next sender loop.</summary>
    public bool EpochBumpRequired { get; private set; }

    /// <summary>Set when the producer can no longer guarantee idempotence; every later send fails with it.</summary>
    public Exception? FatalError { get; private set; }

    /// <summary>Whether an InitProducerId request (without a current id: a new producer id) should be sent.</summary>
    public bool NeedsProducerId => FatalError is null && !HasProducerId;

    public void SetFatal(Exception error)
    {
        if (FatalError is null) _logger.LogError(error, "The idempotent producer is in a fatal state: {Message}", error.Message);
        FatalError ??= error;
    }

    public void RequestEpochBump(TopicPartition tp, string reason)
    {
        if (!EpochBumpRequired)
            _logger.LogInformation("Requesting an epoch bump of producer {ProducerId} because of {Partition}: {Reason}", ProducerId, tp, reason);
        EpochBumpRequired = true;
        _partitionsToRewrite.Add(tp);
    }

    /// <summary>
    /// Java's bumpIdempotentEpochAndResetIdIfNeeded, run at the start of each sender loop: bumps the epoch
    /// locally and renumbers the partitions that asked for it; at the last epoch it drops the producer id
    /// so that a new one is requested (those partitions are renumbered when it arrives).
    /// </summary>
    public void BumpIdempotentEpochAndResetIdIfNeeded()
    {
        if (!EpochBumpRequired || FatalError is not null) return;
        EpochBumpRequired = false;
        if (!HasProducerId) return; // renumbered when the new id arrives
        if (ProducerEpoch == short.MaxValue)
        {
            _logger.LogInformation("Producer {ProducerId} exhausted its epochs; requesting a new producer id", ProducerId);
            ProducerId = -1;
            ProducerEpoch = -1;
            return;
        }
        ProducerEpoch++;
        _logger.LogInformation("Bumped the epoch of producer {ProducerId} to {Epoch}", ProducerId, ProducerEpoch);
        RewritePendingPartitions();
    }

    /// <summary>Stores the producer id and epoch from InitProducerId.</summary>
    public void SetProducerIdAndEpoch(long producerId, short epoch)
    {
        ProducerId = producerId;
        ProducerEpoch = epoch;
        _logger.LogInformation("ProducerId set to {ProducerId} with epoch {Epoch}", producerId, epoch);
        RewritePendingPartitions();
    }

    private void RewritePendingPartitions()
    {
        foreach (var tp in _partitionsToRewrite)
        {
            StartSequencesAtBeginning(tp);
            _unresolved.Remove(tp);
        }
        _partitionsToRewrite.Clear();
    }

    // Renumbers the partition's unacknowledged batches from 0 under the current id and epoch.
    private void StartSequencesAtBeginning(TopicPartition tp)
    {
        var state = Get(tp);
        int sequence = 0;
        foreach (var batch in state.InFlight)
        {
            batch.ResetProducerState(ProducerId, ProducerEpoch, sequence);
            sequence = IncrementSequence(sequence, batch.RecordCount);
        }
        state.ProducerId = ProducerId;
        state.ProducerEpoch = ProducerEpoch;
        state.NextSequence = sequence;
        state.LastAckedSequence = -1;
        _logger.LogDebug("Sequences of {Partition} restart at 0 under producer {ProducerId} epoch {Epoch} ({Count} batch(es) renumbered)",
            tp, ProducerId, ProducerEpoch, state.InFlight.Count);
    }

    /// <summary>
    /// Java's shouldStopDrainBatchesForPartition: whether <paramref name="first"/> must wait. Retries go
    /// out only in sequence order (the first unacknowledged batch); nothing new is numbered without a
    /// producer id, while older-epoch batches of the partition are unanswered, while the partition is
    /// unresolved, or beyond five batches in flight.
    /// </summary>
    public bool ShouldStopDrain(ProducerBatch first, int inFlightBatchesForPartition)
    {
        if (FatalError is not null) return false; // drained and failed at once by the sender
        if (!HasProducerId) return true;
        var tp = first.TopicPartition;
        var state = Get(tp);
        if (!first.HasSequence)
        {
            if (state.InFlight.Count > 0 && IsStale(state)) return true;
            if (_unresolved.ContainsKey(tp)) return true;
            if (inFlightBatchesForPartition >= MaxInFlightBatchesPerPartition) return true;
            return false;
        }
        return state.InFlight.Count > 0 && !ReferenceEquals(state.InFlight[0], first) && state.InFlight[0].BaseSequence != first.BaseSequence;
    }

    private bool IsStale(PartitionState state) => state.ProducerId != ProducerId || state.ProducerEpoch != ProducerEpoch;

    /// <summary>Numbers a drained batch that has no sequence yet (restarting the partition at 0 after an epoch change).</summary>
    public void AssignSequence(ProducerBatch batch)
    {
        var state = Get(batch.TopicPartition);
        if (IsStale(state) && state.InFlight.Count == 0)
            StartSequencesAtBeginning(batch.TopicPartition);
        batch.SetProducerState(ProducerId, ProducerEpoch, state.NextSequence);
        state.NextSequence = IncrementSequence(state.NextSequence, batch.RecordCount);
        state.InFlight.Add(batch);
    }

    /// <summary>Java's handleCompletedBatch: the broker has the batch (written now, or a duplicate).</summary>
    public void HandleCompletedBatch(ProducerBatch batch, long baseOffset)
    {
        if (!batch.HasSequence) return;
        var state = Get(batch.TopicPartition);
        state.InFlight.Remove(batch);
        // An answer for a batch numbered under another id or epoch says nothing about today's sequences
        // (e.g. a late answer for an expired batch after its partition was bumped).
        if (batch.ProducerId != state.ProducerId || batch.ProducerEpoch != state.ProducerEpoch) return;
        int last = batch.LastSequence;
        if (state.LastAckedSequence < 0 || IsAfter(last, state.LastAckedSequence))
            state.LastAckedSequence = last;
        if (baseOffset >= 0)
            state.LastAckedOffset = Math.Max(state.LastAckedOffset, baseOffset + batch.RecordCount - 1);
    }

    /// <summary>
    /// Java's handleFailedBatch. <paramref name="adjustSequenceNumbers"/> is true only when the broker
    /// definitely did not write the batch (an error answer before retries ran out); a batch that may
    /// have been written (expired, retries exhausted, forced close) leaves the sequences alone.
    /// </summary>
    public void HandleFailedBatch(ProducerBatch batch, ErrorCode? error, Exception exception, bool adjustSequenceNumbers)
    {
        if (error is ErrorCode.ClusterAuthorizationFailed or ErrorCode.TransactionalIdAuthorizationFailed or ErrorCode.ProducerFenced
            or ErrorCode.UnsupportedVersion)
        {
            SetFatal(exception);
        }
        if (!batch.HasSequence) return;
        var tp = batch.TopicPartition;
        Get(tp).InFlight.Remove(batch);
        if (FatalError is not null) return;
        if (error == ErrorCode.OutOfOrderSequenceNumber)
        {
            // A gap in the log: restart the partition's sequences under a new epoch.
            RequestEpochBump(tp, $"batch with sequence {batch.BaseSequence} failed with OUT_OF_ORDER_SEQUENCE_NUMBER");
        }
        else if (error == ErrorCode.UnknownProducerId)
        {
            // The broker has no state for this producer: it takes sequence 0 for the partition again.
            _partitions.Remove(tp);
            _unresolved.Remove(tp);
        }
        else if (adjustSequenceNumbers)
        {
            RequestEpochBump(tp, $"batch with sequence {batch.BaseSequence} failed with {error?.ToString() ?? "a client-side error"}");
        }
    }

    /// <summary>Removes a batch that was split into smaller ones and puts <paramref name="parts"/> (already numbered) in its place.</summary>
    public void ReplaceWithSplitBatches(ProducerBatch batch, IReadOnlyList<ProducerBatch> parts)
    {
        if (!batch.HasSequence) return;
        var list = Get(batch.TopicPartition).InFlight;
        int index = list.IndexOf(batch);
        if (index < 0) return;
        list.RemoveAt(index);
        list.InsertRange(index, parts);
    }

    /// <summary>Java's markSequenceUnresolved: a batch expired after being retried; its partition waits for resolution.</summary>
    public void MarkSequenceUnresolved(ProducerBatch batch)
    {
        if (!batch.HasSequence) return;
        int next = IncrementSequence(batch.LastSequence, 1);
        var tp = batch.TopicPartition;
        _unresolved[tp] = _unresolved.TryGetValue(tp, out int existing) && IsAfter(existing, next) ? existing : next;
        _logger.LogDebug("Marking {Partition} unresolved with next sequence {Sequence}", tp, _unresolved[tp]);
    }

    /// <summary>
    /// Java's maybeResolveSequences: once an unresolved partition has no unacknowledged batches left, it
    /// is resolved when the last acknowledged sequence reaches the next sequence (the expired batch was
    /// written after all); otherwise its epoch is bumped, which is safe since nothing is outstanding.
    /// </summary>
    public void MaybeResolveSequences()
    {
        if (_unresolved.Count == 0) return;
        List<TopicPartition>? done = null;
        foreach (var (tp, _) in _unresolved)
        {
            var state = Get(tp);
            if (state.InFlight.Count > 0) continue;
            (done ??= []).Add(tp);
            if (!IsNextSequence(state, state.NextSequence))
            {
                _logger.LogInformation("No in-flight batches remain for {Partition}; last acknowledged sequence {Acked}, next sequence {Next}: bumping the epoch",
                    tp, state.LastAckedSequence, state.NextSequence);
                RequestEpochBump(tp, "batches expired with an unknown outcome");
            }
        }
        if (done is null) return;
        foreach (var tp in done) _unresolved.Remove(tp);
    }

    /// <summary>
    /// Java's TransactionManager.canRetry for a sequence-related error answer: whether to retry it, possibly
    /// after requesting an epoch bump. Other errors retry when retriable.
    /// </summary>
    public bool CanRetry(ProducerBatch batch, ErrorCode error, long logStartOffset)
    {
        var tp = batch.TopicPartition;
        var state = Get(tp);
        if (error == ErrorCode.UnknownProducerId)
        {
            // Without the log start offset the broker is between states (e.g. the partition moved): ask again.
            if (logStartOffset == -1) return true;
            // Renumbered already by the bump the first in-flight batch caused; the later ones just go again.
            if (batch.SequenceHasBeenReset) return true;
            // The log head was removed (retention) with our state, or the broker lost it: either way, restart
            // the partition's sequences under a new epoch rather than reuse (epoch, sequence) pairs.
            RequestEpochBump(tp, state.LastAckedOffset < logStartOffset
                ? $"UNKNOWN_PRODUCER_ID after the log start offset moved to {logStartOffset} past our last acknowledged offset {state.LastAckedOffset}"
                : "UNKNOWN_PRODUCER_ID");
            return true;
        }
        if (error == ErrorCode.OutOfOrderSequenceNumber)
        {
            bool unresolved = _unresolved.TryGetValue(tp, out int unresolvedNext);
            // Not the next batch the broker expects: an earlier one is being retried; go again behind it.
            if (!unresolved && (batch.SequenceHasBeenReset || !IsNextSequence(state, batch.BaseSequence)))
                return true;
            // The next expected batch was rejected: a real gap. With an unresolved partition only the batch
            // right after the expired one proves it; others wait for the resolution.
            if (!unresolved || batch.BaseSequence == unresolvedNext)
                RequestEpochBump(tp, $"OUT_OF_ORDER_SEQUENCE_NUMBER for the next expected sequence {batch.BaseSequence}");
            return true;
        }
        return error.IsRetriable();
    }

    private static bool IsNextSequence(PartitionState state, int sequence) => IncrementSequence(state.LastAckedSequence, 1) == sequence;

    /// <summary>Kafka's DefaultRecordBatch.incrementSequence: sequences wrap from int.MaxValue to 0.</summary>
    public static int IncrementSequence(int sequence, int increment) =>
        sequence > int.MaxValue - increment ? increment - (int.MaxValue - sequence) - 1 : sequence + increment;

    // Whether sequence a comes after b in the wrapping 31-bit sequence space (within half of it).
    private static bool IsAfter(int a, int b)
    {
        long distance = ((long)a - b + (1L << 31)) % (1L << 31);
        return distance != 0 && distance < 1L << 30;
    }

    /// <summary>Whether <paramref name="a"/> was numbered before <paramref name="b"/> (same partition), across a sequence wrap.</summary>
    public bool ComesBefore(ProducerBatch a, ProducerBatch b)
    {
        var list = Get(a.TopicPartition).InFlight;
        int ia = list.IndexOf(a), ib = list.IndexOf(b);
        if (ia >= 0 && ib >= 0) return ia < ib;
        return IsAfter(b.BaseSequence, a.BaseSequence);
    }

    public int NextSequence(TopicPartition tp) => Get(tp).NextSequence;

    /// <summary>Java's setNextSequence, under the current id and epoch (tests start a partition near the wrap with it).</summary>
    internal void SetNextSequence(TopicPartition tp, int sequence)
    {
        var state = Get(tp);
        state.ProducerId = ProducerId;
        state.ProducerEpoch = ProducerEpoch;
        state.NextSequence = sequence;
    }

    public int LastAckedSequence(TopicPartition tp) => Get(tp).LastAckedSequence;

    public long LastAckedOffset(TopicPartition tp) => Get(tp).LastAckedOffset;

    public bool HasUnresolvedSequence(TopicPartition tp) => _unresolved.ContainsKey(tp);

    public int InFlightBatchCount(TopicPartition tp) => _partitions.TryGetValue(tp, out var s) ? s.InFlight.Count : 0;

    private PartitionState Get(TopicPartition tp)
    {
        if (!_partitions.TryGetValue(tp, out var state))
        {
            state = new PartitionState();
            _partitions[tp] = state;
        }
        return state;
    }

    private sealed class PartitionState
    {
        // The id and epoch this partition's sequences count under (lags the producer's after a bump
        // until the partition's older batches are answered).
        public long ProducerId = -1;
        public short ProducerEpoch = -1;
        public int NextSequence;
        public int LastAckedSequence = -1;
        public long LastAckedOffset = -1;

        // In sequence order: batches numbered but not acknowledged (in flight or waiting to retry).
        public readonly List<ProducerBatch> InFlight = [];
    }
}
