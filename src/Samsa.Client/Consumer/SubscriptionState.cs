using System.Text.RegularExpressions;
using Samsa.Client.Metadata;

namespace Samsa.Client.Consumer;

/// <summary>How a consumer got its partitions (Java's SubscriptionType).</summary>
internal enum SubscriptionType
{
    None,
    AutoTopics,
    AutoPattern,
    UserAssigned,
}

/// <summary>Where a partition's fetch position stands (Java's FetchStates, minus offset validation).</summary>
internal enum FetchState
{
    /// <summary>No position yet: the committed offset must be fetched.</summary>
    Initializing,

    /// <summary>Has a position; fetches may be sent.</summary>
    Fetching,

    /// <summary>The position must be reset with ListOffsets using the partition's reset strategy.</summary>
    AwaitReset,
}

/// <summary>Whether a partition's buffered records may be returned now (<see cref="SubscriptionState.FetchStatus"/>).</summary>
internal enum PartitionFetchStatus
{
    NotAssigned,
    Paused,
    NotFetchable,
    Fetchable,
}

/// <summary>A fetch position: the next offset to fetch and the leader epoch of the record before it.</summary>
internal readonly record struct FetchPosition(long Offset, int? LeaderEpoch);

/// <summary>Per-partition state (Java's TopicPartitionState).</summary>
internal sealed class TopicPartitionState
{
    public FetchState FetchState { get; set; } = FetchState.Initializing;
    public FetchPosition? Position { get; set; }
    public long? HighWatermark { get; set; }
    public long? LogStartOffset { get; set; }
    public long? LastStableOffset { get; set; }
    public bool Paused { get; set; }
    public AutoOffsetReset? ResetStrategy { get; set; }

    /// <summary>Earliest time (ms) the next ListOffsets for a reset may go out, after a failed one.</summary>
    public long NextResetAttemptMs { get; set; }

    /// <summary>True while a ListOffsets for the reset is in flight.</summary>
    public bool ResetInFlight { get; set; }

    /// <summary>Set by cooperative rebalancing once the partition is about to be revoked: stop fetching it.</summary>
    public bool PendingRevocation { get; set; }

    /// <summary>
    /// True while CurrentLag's ListOffsets for the end offset is in flight (Java's endOffsetRequested),
    /// so repeated CurrentLag calls send one request, not one each.
    /// </summary>
    public bool EndOffsetRequested { get; set; }

    public bool HasValidPosition => FetchState == FetchState.Fetching && Position is not null;
    public bool IsFetchable => !Paused && !PendingRevocation && HasValidPosition;
}

/// <summary>
/// What the consumer is subscribed to and assigned, with each assigned partition's position, pause flag
/// and reset state (Java's SubscriptionState). Read by the fetcher and the coordinator from the
/// application thread and by the heartbeat thread's callbacks, so every member takes the lock.
/// </summary>
internal sealed class SubscriptionState
{
    readonly Lock _lock = new();
    readonly AutoOffsetReset _defaultReset;
    SubscriptionType _type = SubscriptionType.None;
    HashSet<string> _subscription = new(StringComparer.Ordinal);
    Regex? _pattern;

    // Ordered by insertion; Dictionary keeps order until a removal, and assignments are rebuilt wholesale.
    Dictionary<TopicPartition, TopicPartitionState> _assignment = [];

    public SubscriptionState(AutoOffsetReset defaultReset) => _defaultReset = defaultReset;

    // Bumped (under the lock) whenever which partitions may be fetched, or from where, may have changed.
    int _fetchStateVersion;

    /// <summary>
    /// Changes whenever the set of fetchable partitions or their fetch state may have changed
    /// (assignment, seek, reset, pause, resume, revocation, a new high watermark), so the fetcher
    /// can skip re-planning fetches when nothing did. Positions moving forward do not change it.
    /// </summary>
    public int FetchStateVersion => Volatile.Read(ref _fetchStateVersion);

    /// <summary>Bumped on each assignment change, so in-flight work for an old assignment can be discarded.</summary>
    public int AssignmentId { get; private set; }

    public AutoOffsetReset DefaultResetStrategy => _defaultReset;

    public SubscriptionType Type
    {
        get { lock (_lock) return _type; }
    }

    public Regex? Pattern
    {
        get { lock (_lock) return _pattern; }
    }

    public bool HasAutoAssignedPartitions
    {
        get { lock (_lock) return _type is SubscriptionType.AutoTopics or SubscriptionType.AutoPattern; }
    }

    public bool HasNoSubscriptionOrUserAssignment
    {
        get { lock (_lock) return _type == SubscriptionType.None; }
    }

    void SetType(SubscriptionType type)
    {
        if (_type == SubscriptionType.None) _type = type;
        else if (_type != type)
        {
            throw new InvalidOperationException(
                "Subscription to topics, partitions and pattern are mutually exclusive; call Unsubscribe first.");
        }
    }

    /// <summary>Subscribes to a topic list; returns true when the set changed.</summary>
    public bool Subscribe(IEnumerable<string> topics)
    {
        lock (_lock)
        {
            SetType(SubscriptionType.AutoTopics);
            var next = new HashSet<string>(topics, StringComparer.Ordinal);
            foreach (var t in next)
            {
                if (string.IsNullOrWhiteSpace(t)) throw new ArgumentException("Topic names must not be empty.", nameof(topics));
            }
            if (next.SetEquals(_subscription)) return false;
            _subscription = next;
            return true;
        }
    }

    public void Subscribe(Regex pattern)
    {
        lock (_lock)
        {
            SetType(SubscriptionType.AutoPattern);
            _pattern = pattern;
        }
    }

    /// <summary>For pattern subscriptions: sets the topics matching the pattern; returns true when they changed.</summary>
    public bool SetMatchedTopics(IEnumerable<string> topics)
    {
        lock (_lock)
        {
            var next = new HashSet<string>(topics, StringComparer.Ordinal);
            if (next.SetEquals(_subscription)) return false;
            _subscription = next;
            return true;
        }
    }

    public IReadOnlyCollection<string> Subscription
    {
        get { lock (_lock) return [.. _subscription]; }
    }

    public void Unsubscribe()
    {
        lock (_lock)
        {
            _subscription = new HashSet<string>(StringComparer.Ordinal);
            _pattern = null;
            _assignment = [];
            _type = SubscriptionType.None;
            AssignmentId++;
            _fetchStateVersion++;
        }
    }

    /// <summary>Manual assignment; keeps state of partitions that stay. Returns true when it changed.</summary>
    public bool AssignFromUser(IEnumerable<TopicPartition> partitions)
    {
        lock (_lock)
        {
            SetType(SubscriptionType.UserAssigned);
            var set = new HashSet<TopicPartition>(partitions);
            if (set.SetEquals(_assignment.Keys)) return false;
            var topics = new HashSet<string>(StringComparer.Ordinal);
            foreach (var tp in set) topics.Add(tp.Topic);
            _subscription = topics;
            Replace(set);
            return true;
        }
    }

    /// <summary>Assignment from the group (eager: the whole set; cooperative: owned plus added).</summary>
    public void AssignFromSubscribed(IEnumerable<TopicPartition> partitions)
    {
        lock (_lock)
        {
            if (_type is not (SubscriptionType.AutoTopics or SubscriptionType.AutoPattern))
                throw new InvalidOperationException("Group assignment received while not subscribed.");
            Replace(new HashSet<TopicPartition>(partitions));
        }
    }

    void Replace(HashSet<TopicPartition> partitions)
    {
        var next = new Dictionary<TopicPartition, TopicPartitionState>(partitions.Count);
        var sorted = new List<TopicPartition>(partitions);
        sorted.Sort(TopicPartitionComparer.Instance);
        foreach (var tp in sorted)
            next[tp] = _assignment.TryGetValue(tp, out var existing) ? existing : new TopicPartitionState();
        _assignment = next;
        AssignmentId++;
        _fetchStateVersion++;
    }

    public List<TopicPartition> AssignedPartitions()
    {
        lock (_lock) return [.. _assignment.Keys];
    }

    public int AssignedCount
    {
        get { lock (_lock) return _assignment.Count; }
    }

    public bool IsAssigned(TopicPartition tp)
    {
        lock (_lock) return _assignment.ContainsKey(tp);
    }

    TopicPartitionState Required(TopicPartition tp) =>
        _assignment.TryGetValue(tp, out var s)
            ? s
            : throw new InvalidOperationException($"No current assignment for partition {tp}.");

    public bool IsFetchable(TopicPartition tp)
    {
        lock (_lock) return _assignment.TryGetValue(tp, out var s) && s.IsFetchable;
    }

    /// <summary>Partitions to fetch now, with their positions, in assignment order.</summary>
    public List<(TopicPartition Partition, FetchPosition Position)> FetchablePartitions(Func<TopicPartition, bool>? filter = null)
    {
        lock (_lock)
        {
            var result = new List<(TopicPartition, FetchPosition)>();
            foreach (var (tp, s) in _assignment)
            {
                if (s.IsFetchable && (filter is null || filter(tp))) result.Add((tp, s.Position!.Value));
            }
            return result;
        }
    }

    /// <summary>
    /// Whether <paramref name="tp"/>'s buffered records may be returned now, and its position when
    /// they may: one lock for what the fetcher checks each time it returns records.
    /// </summary>
    public PartitionFetchStatus FetchStatus(TopicPartition tp, out FetchPosition position)
    {
        lock (_lock)
        {
            position = default;
            if (!_assignment.TryGetValue(tp, out var s)) return PartitionFetchStatus.NotAssigned;
            if (s.Paused) return PartitionFetchStatus.Paused;
            if (!s.IsFetchable) return PartitionFetchStatus.NotFetchable;
            position = s.Position!.Value;
            return PartitionFetchStatus.Fetchable;
        }
    }

    public FetchPosition? Position(TopicPartition tp)
    {
        lock (_lock) return Required(tp).Position;
    }

    /// <summary>Moves the position forward after records were returned to the application.</summary>
    public void UpdatePosition(TopicPartition tp, FetchPosition position)
    {
        lock (_lock)
        {
            if (!_assignment.TryGetValue(tp, out var s)) return;
            s.Position = position;
            if (s.FetchState != FetchState.Fetching) _fetchStateVersion++;
            s.FetchState = FetchState.Fetching;
        }
    }

    /// <summary>User seek: sets the position and clears any pending reset.</summary>
    public void Seek(TopicPartition tp, FetchPosition position)
    {
        lock (_lock)
        {
            var s = Required(tp);
            s.Position = position;
            s.FetchState = FetchState.Fetching;
            s.ResetStrategy = null;
            s.ResetInFlight = false;
            _fetchStateVersion++;
        }
    }

    /// <summary>Sets the position only when the partition still awaits a reset (a late ListOffsets reply must not undo a seek).</summary>
    public void MaybeSeekUnvalidated(TopicPartition tp, FetchPosition position, AutoOffsetReset requested)
    {
        lock (_lock)
        {
            if (!_assignment.TryGetValue(tp, out var s)) return;
            s.ResetInFlight = false;
            if (s.FetchState != FetchState.AwaitReset || s.ResetStrategy != requested) return;
            s.Position = position;
            s.FetchState = FetchState.Fetching;
            s.ResetStrategy = null;
            _fetchStateVersion++;
        }
    }

    public void RequestOffsetReset(TopicPartition tp, AutoOffsetReset? strategy = null)
    {
        lock (_lock)
        {
            var s = Required(tp);
            s.ResetStrategy = strategy ?? _defaultReset;
            s.FetchState = FetchState.AwaitReset;
            s.NextResetAttemptMs = 0;
            s.ResetInFlight = false;
            _fetchStateVersion++;
        }
    }

    public void RequestFailedReset(TopicPartition tp, long nextAttemptMs)
    {
        lock (_lock)
        {
            if (!_assignment.TryGetValue(tp, out var s)) return;
            s.ResetInFlight = false;
            s.NextResetAttemptMs = nextAttemptMs;
        }
    }

    /// <summary>Partitions with no committed offset found: reset with the default strategy.</summary>
    public void ResetInitializingPartitions()
    {
        lock (_lock)
        {
            foreach (var s in _assignment.Values)
            {
                if (s.FetchState != FetchState.Initializing) continue;
                s.ResetStrategy = _defaultReset;
                s.FetchState = FetchState.AwaitReset;
                _fetchStateVersion++;
            }
        }
    }

    /// <summary>Partitions without a position yet (empty, and nothing allocated, in the steady state: called on every poll).</summary>
    public IReadOnlyList<TopicPartition> InitializingPartitions()
    {
        lock (_lock)
        {
            List<TopicPartition>? result = null;
            foreach (var (tp, s) in _assignment)
            {
                if (s.FetchState == FetchState.Initializing) (result ??= []).Add(tp);
            }
            return result ?? (IReadOnlyList<TopicPartition>)[];
        }
    }

    /// <summary>
    /// Partitions awaiting a reset whose back-off has passed and that have no ListOffsets in flight;
    /// marks them in flight. Empty (nothing allocated) in the steady state: called on every poll.
    /// </summary>
    public IReadOnlyList<(TopicPartition Partition, AutoOffsetReset Strategy)> TakePartitionsToReset(long nowMs)
    {
        lock (_lock)
        {
            List<(TopicPartition, AutoOffsetReset)>? result = null;
            foreach (var (tp, s) in _assignment)
            {
                if (s.FetchState != FetchState.AwaitReset || s.ResetInFlight || s.NextResetAttemptMs > nowMs) continue;
                s.ResetInFlight = true;
                (result ??= []).Add((tp, s.ResetStrategy ?? _defaultReset));
            }
            return result ?? (IReadOnlyList<(TopicPartition, AutoOffsetReset)>)[];
        }
    }

    public bool HasAllFetchPositions()
    {
        lock (_lock)
        {
            foreach (var s in _assignment.Values)
            {
                if (!s.HasValidPosition) return false;
            }
            return true;
        }
    }

    public AutoOffsetReset? ResetStrategy(TopicPartition tp)
    {
        lock (_lock) return _assignment.TryGetValue(tp, out var s) ? s.ResetStrategy : null;
    }

    public void Pause(TopicPartition tp)
    {
        lock (_lock)
        {
            Required(tp).Paused = true;
            _fetchStateVersion++;
        }
    }

    public void Resume(TopicPartition tp)
    {
        lock (_lock)
        {
            Required(tp).Paused = false;
            _fetchStateVersion++;
        }
    }

    public bool IsPaused(TopicPartition tp)
    {
        lock (_lock) return _assignment.TryGetValue(tp, out var s) && s.Paused;
    }

    public List<TopicPartition> PausedPartitions()
    {
        lock (_lock)
        {
            var result = new List<TopicPartition>();
            foreach (var (tp, s) in _assignment)
            {
                if (s.Paused) result.Add(tp);
            }
            return result;
        }
    }

    public void MarkPendingRevocation(IEnumerable<TopicPartition> partitions)
    {
        lock (_lock)
        {
            foreach (var tp in partitions)
            {
                if (_assignment.TryGetValue(tp, out var s)) s.PendingRevocation = true;
                _fetchStateVersion++;
            }
        }
    }

    public void UpdateHighWatermark(TopicPartition tp, long hw, long logStart, long lastStable)
    {
        lock (_lock)
        {
            if (!_assignment.TryGetValue(tp, out var s)) return;
            _fetchStateVersion++;
            if (hw >= 0) s.HighWatermark = hw;
            if (logStart >= 0) s.LogStartOffset = logStart;
            if (lastStable >= 0) s.LastStableOffset = lastStable;
            if (hw >= 0) s.EndOffsetRequested = false;
        }
    }

    /// <summary>
    /// Marks <paramref name="tp"/>'s end offset as requested when it is unknown and no request is in
    /// flight yet (Java's partitionEndOffset / partitionEndOffsetRequested / requestPartitionEndOffset
    /// as one step, so two threads cannot both send). True when the caller should send the ListOffsets.
    /// </summary>
    public bool TryRequestPartitionEndOffset(TopicPartition tp, IsolationLevel isolation)
    {
        lock (_lock)
        {
            if (!_assignment.TryGetValue(tp, out var s) || s.EndOffsetRequested) return false;
            if ((isolation == IsolationLevel.ReadCommitted ? s.LastStableOffset : s.HighWatermark) is not null) return false;
            s.EndOffsetRequested = true;
            return true;
        }
    }

    /// <summary>
    /// Stores the end offset a ListOffsets(latest) answered: the last stable offset under
    /// read_committed, else the high watermark (Java's updateSubscriptionState), ending the request.
    /// </summary>
    public void UpdatePartitionEndOffset(TopicPartition tp, long endOffset, IsolationLevel isolation)
    {
        lock (_lock)
        {
            if (!_assignment.TryGetValue(tp, out var s)) return;
            _fetchStateVersion++;
            if (isolation == IsolationLevel.ReadCommitted) s.LastStableOffset = endOffset;
            else s.HighWatermark = endOffset;
            s.EndOffsetRequested = false;
        }
    }

    /// <summary>
    /// The end-offset request failed or could not be sent: clear the flag so a later CurrentLag asks
    /// again (Java leaves it set, so its lag stays unknown until a fetch reports one).
    /// </summary>
    public void PartitionEndOffsetRequestFailed(TopicPartition tp)
    {
        lock (_lock)
        {
            if (_assignment.TryGetValue(tp, out var s)) s.EndOffsetRequested = false;
        }
    }

    public bool PartitionEndOffsetRequested(TopicPartition tp)
    {
        lock (_lock) return _assignment.TryGetValue(tp, out var s) && s.EndOffsetRequested;
    }

    public long? HighWatermark(TopicPartition tp)
    {
        lock (_lock) return _assignment.TryGetValue(tp, out var s) ? s.HighWatermark : null;
    }

    /// <summary>
    /// How far <paramref name="tp"/>'s position is behind the end of the log as of the last fetch
    /// response (Java's partitionLag): the last stable offset under read_committed, else the high
    /// watermark, minus the position. Null while either is unknown.
    /// </summary>
    /// <exception cref="InvalidOperationException">The partition is not assigned.</exception>
    public long? PartitionLag(TopicPartition tp, IsolationLevel isolation)
    {
        lock (_lock)
        {
            if (!_assignment.TryGetValue(tp, out var s))
                throw new InvalidOperationException($"No current assignment for partition {tp}.");
            if (s.Position is not { } position) return null;
            var end = isolation == IsolationLevel.ReadCommitted ? s.LastStableOffset : s.HighWatermark;
            return end is { } e ? e - position.Offset : null;
        }
    }

    /// <summary>
    /// True when the partition's position has reached the end the last fetch reported (lag 0): a
    /// fetch of it alone would wait fetch.max.wait.ms on the broker. False while that end is not
    /// known yet or the partition is not assigned.
    /// </summary>
    public bool IsCaughtUp(TopicPartition tp, IsolationLevel isolation)
    {
        lock (_lock)
        {
            return _assignment.ContainsKey(tp) && PartitionLag(tp, isolation) is <= 0;
        }
    }

    /// <summary>Positions of every partition that has one, as offsets to commit (Java's allConsumed).</summary>
    public Dictionary<TopicPartition, OffsetAndMetadata> AllConsumed()
    {
        lock (_lock)
        {
            var result = new Dictionary<TopicPartition, OffsetAndMetadata>();
            foreach (var (tp, s) in _assignment)
            {
                if (s.HasValidPosition) result[tp] = new OffsetAndMetadata(s.Position!.Value.Offset, "", s.Position.Value.LeaderEpoch);
            }
            return result;
        }
    }
}
