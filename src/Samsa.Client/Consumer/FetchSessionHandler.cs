using Samsa.Protocol;
using Samsa.Client.Metadata;

namespace Samsa.Client.Consumer;

/// <summary>What a fetch asks of one partition (Java's FetchRequest.PartitionData).</summary>
internal readonly record struct FetchRequestPartitionData(long FetchOffset, long LogStartOffset, int MaxBytes, int CurrentLeaderEpoch = -1, int LastFetchedEpoch = -1);

/// <summary>A fetch session id and epoch (KIP-227, Java's FetchMetadata).</summary>
internal readonly record struct FetchMetadata(int SessionId, int Epoch)
{
    public const int InvalidSessionId = 0;
    public const int InitialEpoch = 0;
    public const int FinalEpoch = -1;

    /// <summary>Creates a new session with a full fetch.</summary>
    public static readonly FetchMetadata Initial = new(InvalidSessionId, InitialEpoch);

    /// <summary>Full fetch without a session (brokers before Fetch v7).</summary>
    public static readonly FetchMetadata Legacy = new(InvalidSessionId, FinalEpoch);

    /// <summary>A full fetch carries every partition; an incremental one only changes.</summary>
    public bool IsFull => Epoch is InitialEpoch or FinalEpoch;

    /// <summary>Closes the current session and opens a new one: the broker frees it and the next request is full.</summary>
    public FetchMetadata NextCloseExisting() => new(SessionId, InitialEpoch);

    public static FetchMetadata NewIncremental(int sessionId) => new(sessionId, 1);

    public FetchMetadata NextIncremental() => new(SessionId, Epoch == int.MaxValue ? 1 : Epoch + 1);
}

/// <summary>One fetch request's partitions and session fields (Java's FetchSessionHandler.FetchRequestData).</summary>
internal sealed class FetchRequestData
{
    public required Dictionary<TopicPartition, FetchRequestPartitionData> ToSend { get; init; }
    public required List<TopicPartition> ToForget { get; init; }

    /// <summary>Every partition in the session after this request; the fetch offsets asked for come from here.</summary>
    public required Dictionary<TopicPartition, FetchRequestPartitionData> SessionPartitions { get; init; }
    public required FetchMetadata Metadata { get; init; }
}

/// <summary>
/// Tracks one broker's incremental fetch session (KIP-227, Java's FetchSessionHandler). The fetcher
/// names the partitions it wants next; <see cref="Build"/> turns that into a full request (new or no
/// session) or an incremental one holding only added and changed partitions and those to forget.
/// <see cref="HandleResponse"/> checks the reply against the session and moves the epoch on; any
/// doubt (unknown session, unexpected partitions, errors) falls back to a full fetch, so a lost
/// session costs one request and never data.
/// </summary>
internal sealed class FetchSessionHandler
{
    readonly int _node;
    Dictionary<TopicPartition, FetchRequestPartitionData> _sessionPartitions = [];

    public FetchSessionHandler(int node, bool sessionsSupported = true)
    {
        _node = node;
        NextMetadata = sessionsSupported ? FetchMetadata.Initial : FetchMetadata.Legacy;
    }

    public int Node => _node;

    public int SessionId => NextMetadata.SessionId;

    public FetchMetadata NextMetadata { get; private set; }

    /// <summary>Switches between session (Fetch v7+) and legacy full fetches, e.g. after ApiVersions.</summary>
    public void SetSessionsSupported(bool supported)
    {
        if (supported && NextMetadata == FetchMetadata.Legacy) NextMetadata = FetchMetadata.Initial;
        else if (!supported) NextMetadata = FetchMetadata.Legacy;
    }

    /// <summary>Builds the next request from the partitions the fetcher wants now (in order).</summary>
    public FetchRequestData Build(IReadOnlyList<(TopicPartition Partition, FetchRequestPartitionData Data)> next)
    {
        if (NextMetadata.IsFull)
        {
            var all = new Dictionary<TopicPartition, FetchRequestPartitionData>(next.Count);
            foreach (var (tp, data) in next) all[tp] = data;
            _sessionPartitions = all;
            return new FetchRequestData
            {
                ToSend = new Dictionary<TopicPartition, FetchRequestPartitionData>(all),
                ToForget = [],
                SessionPartitions = new Dictionary<TopicPartition, FetchRequestPartitionData>(all),
                Metadata = NextMetadata,
            };
        }

        var wanted = new Dictionary<TopicPartition, FetchRequestPartitionData>(next.Count);
        foreach (var (tp, data) in next) wanted[tp] = data;
        var toSend = new Dictionary<TopicPartition, FetchRequestPartitionData>();
        var toForget = new List<TopicPartition>();
        var updated = new Dictionary<TopicPartition, FetchRequestPartitionData>(wanted.Count);
        foreach (var (tp, old) in _sessionPartitions)
        {
            if (!wanted.TryGetValue(tp, out var data))
            {
                toForget.Add(tp);
                continue;
            }
            updated[tp] = data;
            if (data != old) toSend[tp] = data;
        }
        foreach (var (tp, data) in next)
        {
            if (_sessionPartitions.ContainsKey(tp)) continue;
            updated[tp] = data;
            toSend[tp] = data;
        }
        _sessionPartitions = updated;
        return new FetchRequestData
        {
            ToSend = toSend,
            ToForget = toForget,
            SessionPartitions = new Dictionary<TopicPartition, FetchRequestPartitionData>(updated),
            Metadata = NextMetadata,
        };
    }

    /// <summary>
    /// Checks a response. Returns false when its partition data must be ignored (the next request is
    /// then full); true when the fetcher may use it.
    /// </summary>
    /// <param name="error">The response's top-level error.</param>
    /// <param name="responseSessionId">The session id the broker returned.</param>
    /// <param name="throttleTimeMs">The response's throttle time.</param>
    /// <param name="responsePartitions">Partitions in the response.</param>
    /// <param name="problem">Why the response was refused, for the log.</param>
    public bool HandleResponse(ErrorCode error, int responseSessionId, int throttleTimeMs,
        IReadOnlyCollection<TopicPartition> responsePartitions, out string? problem)
    {
        problem = null;
        var legacy = NextMetadata == FetchMetadata.Legacy;
        if (error != ErrorCode.None)
        {
            problem = $"Node {_node} was unable to process the fetch request with {NextMetadata}: {error}.";
            NextMetadata = legacy ? FetchMetadata.Legacy
                : error == ErrorCode.FetchSessionIdNotFound ? FetchMetadata.Initial
                : NextMetadata.NextCloseExisting();
            return false;
        }

        if (NextMetadata.IsFull)
        {
            if (responsePartitions.Count == 0 && throttleTimeMs > 0)
            {
                // KIP-219: a throttled full fetch comes back empty; not an error.
                if (!legacy) NextMetadata = FetchMetadata.Initial;
                return false;
            }
            var extra = Extra(responsePartitions);
            if (extra is not null)
            {
                problem = $"Full fetch response from node {_node} contained partitions not in the request: {extra}.";
                if (!legacy) NextMetadata = FetchMetadata.Initial;
                return false;
            }
            if (legacy) return true;
            NextMetadata = responseSessionId == FetchMetadata.InvalidSessionId
                ? FetchMetadata.Initial
                : FetchMetadata.NewIncremental(responseSessionId);
            return true;
        }

        var unexpected = Extra(responsePartitions);
        if (unexpected is not null)
        {
            problem = $"Incremental fetch response from node {_node} contained partitions not in the session: {unexpected}.";
            NextMetadata = NextMetadata.NextCloseExisting();
            return false;
        }
        NextMetadata = responseSessionId == FetchMetadata.InvalidSessionId
            ? FetchMetadata.Initial // the broker closed the session
            : NextMetadata.NextIncremental();
        return true;
    }

    /// <summary>A fetch failed without a response (disconnect, timeout): the next request closes the session.</summary>
    public void HandleError()
    {
        if (NextMetadata != FetchMetadata.Legacy) NextMetadata = NextMetadata.NextCloseExisting();
    }

    /// <summary>The partitions the session currently holds.</summary>
    public IReadOnlyCollection<TopicPartition> SessionPartitions => _sessionPartitions.Keys;

    string? Extra(IReadOnlyCollection<TopicPartition> responsePartitions)
    {
        List<TopicPartition>? extra = null;
        foreach (var tp in responsePartitions)
        {
            if (!_sessionPartitions.ContainsKey(tp)) (extra ??= []).Add(tp);
        }
        return extra is null ? null : string.Join(", ", extra);
    }
}
