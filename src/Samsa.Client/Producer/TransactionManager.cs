using Samsa.Client.Metadata;
using Microsoft.Extensions.Logging;
using Samsa.Protocol;

namespace Samsa.Client.Producer;

/// <summary>
/// The idempotent producer's state (Java's TransactionManager without transactions): producer id and
/// epoch, per-partition sequence numbers and the batches sent but not yet acknowledged, in sequence
/// order. Used only from the sender thread, so it takes no locks.
/// </summary>
/// <remarks>
/// Recovery follows KIP-360 in its simplest safe form: when a partition's sequence state can no longer
/// be trusted (OUT_OF_ORDER_SEQUENCE_NUMBER for the next expected batch, UNKNOWN_PRODUCER_ID, a batch
/// failed or expired after it got a sequence), an epoch bump is requested. Until it happens no new
/// sequences are handed out; batches whose outcome is unknown (their request timed out or the
/// connection dropped) are retried with their old sequence until the broker says whether it has them,
/// so that re-sequencing after the bump cannot duplicate a record. Then InitProducerId runs again and
/// every unacknowledged batch is renumbered from 0 under the new epoch.
/// </remarks>
internal sealed class TransactionManager
{
    private readonly Dictionary<TopicPartition, PartitionState> _partitions = [];
    private readonly ILogger _logger;

    public TransactionManager(ILogger logger) => _logger = logger;

    public long ProducerId { get; private set; } = -1;

    public short ProducerEpoch { get; private set; } = -1;

    public bool HasProducerId => ProducerId >= 0;

    /// <summary>An epoch bump (or first InitProducerId) is needed before new sequences can be assigned.</summary>
    public bool EpochBumpRequired { get; private set; }

    /// <summary>Set when the producer can no longer guarantee idempotence; every later send fails with it.</summary>
    public Exception? FatalError { get; private set; }

    /// <summary>Whether an InitProducerId request should be sent now.</summary>
    public bool NeedsProducerId(int inFlightRequests) =>
        FatalError is null && (!HasProducerId || (EpochBumpRequired && inFlightRequests == 0 && !HasUnresolvedBatches()));

    public void RequestEpochBump(TopicPartition tp, string reason)
    {
        if (!EpochBumpRequired)
            _logger.LogInformation("Requesting an epoch bump of producer {ProducerId} because of {Partition}: {Reason}", ProducerId, tp, reason);
        EpochBumpRequired = true;
    }

    public void SetFatal(Exception error) => FatalError ??= error;

    /// <summary>Stores a new producer id/epoch and renumbers every unacknowledged batch from sequence 0.</summary>
    public void SetProducerIdAndEpoch(long producerId, short epoch)
    {
        bool bump = HasProducerId;
        ProducerId = producerId;
        ProducerEpoch = epoch;
        EpochBumpRequired = false;
        foreach (var (tp, state) in _partitions)
        {
            int sequence = 0;
            foreach (var batch in state.InFlight)
            {
                batch.SetProducerState(producerId, epoch, sequence);
                sequence += batch.RecordCount;
            }
            state.NextSequence = sequence;
            state.LastAckedSequence = -1;
        }
        if (bump) _logger.LogInformation("Producer id {ProducerId} epoch {Epoch}: sequences restarted at 0", producerId, epoch);
    }

    /// <summary>
    /// Java's shouldStopDrainBatchesForPartition: whether <paramref name="first"/> must wait. Retries go
    /// out only in sequence order; nothing new is numbered while the producer id is missing or an epoch
    /// bump is pending; at most 5 batches per partition are in flight.
    /// </summary>
    public bool ShouldStopDrain(ProducerBatch first, int inFlightRequestsForPartition)
    {
        if (FatalError is not null) return false; // drained and failed at once by the sender
        if (!HasProducerId) return true;
        var state = Get(first.TopicPartition);
        if (first.HasSequence)
        {
            if (EpochBumpRequired && !first.OutcomeUnknown) return true;
            if (first.ProducerEpoch != ProducerEpoch || first.ProducerId != ProducerId)
                return EpochBumpRequired; // renumbered by the bump; wait for it
            int firstInFlight = state.InFlight.Count > 0 ? state.InFlight[0].BaseSequence : -1;
            return firstInFlight != -1 && first.BaseSequence != firstInFlight;
        }
        if (EpochBumpRequired) return true;
        return inFlightRequestsForPartition >= 5;
    }

    /// <summary>Numbers a drained batch that has no sequence yet.</summary>
    public void AssignSequence(ProducerBatch batch)
    {
        var state = Get(batch.TopicPartition);
        batch.SetProducerState(ProducerId, ProducerEpoch, state.NextSequence);
        state.NextSequence += batch.RecordCount;
        state.InFlight.Add(batch);
    }

    public void OnSuccess(ProducerBatch batch, long lastOffset)
    {
        if (!batch.HasSequence) return;
        var state = Get(batch.TopicPartition);
        state.InFlight.Remove(batch);
        if (batch.ProducerEpoch == ProducerEpoch && batch.ProducerId == ProducerId)
        {
            state.LastAckedSequence = Math.Max(state.LastAckedSequence, batch.BaseSequence + batch.RecordCount - 1);
            state.LastAckedOffset = Math.Max(state.LastAckedOffset, lastOffset);
        }
    }

    /// <summary>A batch failed for good: forget it; its sequence gap needs an epoch bump.</summary>
    public void OnFailed(ProducerBatch batch, ErrorCode? error)
    {
        if (!batch.HasSequence) return;
        var state = Get(batch.TopicPartition);
        if (!state.InFlight.Remove(batch)) return;
        // The last numbered batch, known not to be written: its numbers can simply be handed out again.
        if (!batch.OutcomeUnknown && batch.ProducerEpoch == ProducerEpoch && batch.ProducerId == ProducerId
            && batch.BaseSequence + batch.RecordCount == state.NextSequence)
        {
            state.NextSequence = batch.BaseSequence;
            return;
        }
        RequestEpochBump(batch.TopicPartition, $"batch with sequence {batch.BaseSequence} failed with {error?.ToString() ?? "a client-side error"}");
    }

    /// <summary>
    /// How to treat a sequence-related error of a sent batch: retry (true), or leave it to the error's
    /// retriable flag (false).
    /// </summary>
    public bool CanRetrySequenceError(ProducerBatch batch, ErrorCode error)
    {
        var state = Get(batch.TopicPartition);
        switch (error)
        {
            case ErrorCode.OutOfOrderSequenceNumber:
                // As the Java idempotent producer: always retry. When this batch is the next one the
                // broker should have accepted, there is a real gap (the broker lost acknowledged
                // records); bump the epoch so that everything unacknowledged is renumbered from 0.
                if (batch.BaseSequence == state.LastAckedSequence + 1 && batch.ProducerEpoch == ProducerEpoch && batch.ProducerId == ProducerId)
                    RequestEpochBump(batch.TopicPartition, "OUT_OF_ORDER_SEQUENCE_NUMBER for the next expected sequence");
                return true;
            case ErrorCode.UnknownProducerId:
            case ErrorCode.InvalidProducerEpoch:
                // The broker no longer knows this producer (retention removed its state): a bump with
                // renumbering is safe since the broker expects nothing from the old epoch.
                RequestEpochBump(batch.TopicPartition, error.ToString());
                return true;
            default:
                return false;
        }
    }

    /// <summary>Whether any sent batch has an unknown outcome (timeout or disconnect) and waits for a retry.</summary>
    private bool HasUnresolvedBatches()
    {
        foreach (var (_, state) in _partitions)
        {
            foreach (var batch in state.InFlight)
            {
                if (batch.OutcomeUnknown) return true;
            }
        }
        return false;
    }

    public int NextSequence(TopicPartition tp) => Get(tp).NextSequence;

    public int LastAckedSequence(TopicPartition tp) => Get(tp).LastAckedSequence;

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
        public int NextSequence;
        public int LastAckedSequence = -1;
        public long LastAckedOffset = -1;

        // Sorted by BaseSequence: batches numbered but not acknowledged (in flight or waiting to retry).
        public readonly List<ProducerBatch> InFlight = [];
    }
}
