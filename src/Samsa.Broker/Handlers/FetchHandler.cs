using Samsa.Broker.Network;
using Samsa.Broker.State;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// Fetch v4-16: long polling (max.wait.ms / min.bytes), partition and response size limits with
/// the first batch always returned whole (KIP-74), read_committed (LSO and aborted transactions)
/// and incremental fetch sessions (KIP-227).
/// </summary>
internal sealed class FetchHandler(EmbeddedCluster cluster) : ApiHandler<FetchRequest, FetchResponse>
{
    public override short MinVersion => 4;

    private sealed class Wanted(string topic, Guid topicId, int partition, long fetchOffset, int maxBytes, CachedPartition? cached)
    {
        public string Topic { get; } = topic;
        public Guid TopicId { get; } = topicId;
        public int Partition { get; } = partition;
        public long FetchOffset { get; } = fetchOffset;
        public int MaxBytes { get; } = maxBytes;
        public CachedPartition? Cached { get; } = cached;
        public ErrorCode Error { get; set; }
    }

    protected override async ValueTask<FetchResponse?> HandleRequestAsync(RequestContext context, FetchRequest request, CancellationToken cancellationToken)
    {
        short version = context.ApiVersion;
        bool readCommitted = request.IsolationLevel == 1;
        var (sessionError, session, incremental, wanted) = ResolveSession(request, version);
        if (sessionError != ErrorCode.None)
        {
            return new FetchResponse { ErrorCode = (short)sessionError };
        }

        long deadline = cluster.Time.GetUtcNow().ToUnixTimeMilliseconds() + Math.Max(0, request.MaxWaitMs);
        FetchResponse response;
        while (true)
        {
            var signals = new List<Task>();
            response = Build(context, request, wanted, readCommitted, incremental, version, signals, out int bytes, out bool anyError);
            long now = cluster.Time.GetUtcNow().ToUnixTimeMilliseconds();
            if (bytes >= request.MinBytes || anyError || now >= deadline || signals.Count == 0)
            {
                break;
            }
            // Long poll: wake on the next append to any fetched partition, or at the deadline.
            using var timeout = new CancellationTokenSource();
            var delay = Task.Delay(TimeSpan.FromMilliseconds(deadline - now), cluster.Time, timeout.Token);
            signals.Add(delay);
            await Task.WhenAny(signals).WaitAsync(cancellationToken).ConfigureAwait(false);
            await timeout.CancelAsync().ConfigureAwait(false);
        }
        if (session is not null)
        {
            response.SessionId = session.Id;
            session.Epoch = session.Epoch == int.MaxValue ? 1 : session.Epoch + 1;
        }
        return response;
    }

    private (ErrorCode Error, FetchSession? Session, bool Incremental, List<Wanted> Wanted) ResolveSession(FetchRequest request, short version)
    {
        var wanted = new List<Wanted>();
        int sessionId = version >= 7 ? request.SessionId : 0;
        int epoch = version >= 7 ? request.SessionEpoch : -1;
        if (sessionId == 0)
        {
            // Full fetch; epoch 0 also opens a session (epoch -1 is sessionless).
            var session = epoch == 0 ? cluster.FetchSessions.Create() : null;
            foreach (var t in request.Topics)
            {
                var topic = ResolveTopic(t.Topic, t.TopicId, version);
                foreach (var p in t.Partitions)
                {
                    CachedPartition? cached = null;
                    if (session is not null && topic is not null)
                    {
                        cached = new CachedPartition(topic.Name, topic.Id, p.Partition) { FetchOffset = p.FetchOffset, MaxBytes = p.PartitionMaxBytes };
                        if (session.Index.TryAdd((topic.Name, p.Partition), cached))
                        {
                            session.Partitions.Add(cached);
                        }
                    }
                    wanted.Add(new Wanted(topic?.Name ?? t.Topic, t.TopicId, p.Partition, p.FetchOffset, p.PartitionMaxBytes, cached)
                    {
                        Error = topic is null ? (version >= 13 ? ErrorCode.UnknownTopicId : ErrorCode.UnknownTopicOrPartition) : ErrorCode.None,
                    });
                }
            }
            return (ErrorCode.None, session, false, wanted);
        }
        if (epoch == -1 || epoch == 0)
        {
            // Close the session; epoch 0 with an id means "close and start over", answered as a
            // new full session by the client's next request.
            cluster.FetchSessions.Remove(sessionId);
            request.SessionId = 0;
            return ResolveSession(request, version);
        }
        var (error, existing) = cluster.FetchSessions.Get(sessionId, epoch);
        if (error != ErrorCode.None)
        {
            return (error, null, false, wanted);
        }
        var s = existing!;
        foreach (var forgotten in request.ForgottenTopicsData)
        {
            var topic = ResolveTopic(forgotten.Topic, forgotten.TopicId, version);
            string name = topic?.Name ?? forgotten.Topic;
            foreach (int p in forgotten.Partitions)
            {
                if (s.Index.Remove((name, p), out var removed))
                {
                    s.Partitions.Remove(removed);
                }
            }
        }
        foreach (var t in request.Topics)
        {
            var topic = ResolveTopic(t.Topic, t.TopicId, version);
            if (topic is null)
            {
                foreach (var p in t.Partitions)
                {
                    wanted.Add(new Wanted(t.Topic, t.TopicId, p.Partition, p.FetchOffset, p.PartitionMaxBytes, null)
                    {
                        Error = version >= 13 ? ErrorCode.UnknownTopicId : ErrorCode.UnknownTopicOrPartition,
                    });
                }
                continue;
            }
            foreach (var p in t.Partitions)
            {
                if (!s.Index.TryGetValue((topic.Name, p.Partition), out var cached))
                {
                    cached = new CachedPartition(topic.Name, topic.Id, p.Partition);
                    s.Index[(topic.Name, p.Partition)] = cached;
                    s.Partitions.Add(cached);
                }
                cached.FetchOffset = p.FetchOffset;
                cached.MaxBytes = p.PartitionMaxBytes;
            }
        }
        foreach (var cached in s.Partitions)
        {
            wanted.Add(new Wanted(cached.Topic, cached.TopicId, cached.Partition, cached.FetchOffset, cached.MaxBytes, cached));
        }
        return (ErrorCode.None, s, true, wanted);
    }

    private TopicState? ResolveTopic(string name, Guid id, short version) =>
        version >= 13 ? cluster.State.Find(id) : cluster.State.Find(name);

    private FetchResponse Build(RequestContext context, FetchRequest request, List<Wanted> wanted, bool readCommitted, bool incremental,
        short version, List<Task> signals, out int bytes, out bool anyError)
    {
        var response = new FetchResponse();
        bytes = 0;
        anyError = false;
        int responseBudget = request.MaxBytes;
        FetchResponse.FetchableTopicResponse? current = null;
        foreach (var w in wanted)
        {
            var data = new FetchResponse.PartitionData { PartitionIndex = w.Partition, HighWatermark = -1, LastStableOffset = -1, LogStartOffset = -1 };
            ErrorCode error = w.Error;
            var partition = error == ErrorCode.None ? cluster.State.Find(w.Topic, w.Partition) : null;
            if (error == ErrorCode.None && partition is null)
            {
                error = ErrorCode.UnknownTopicOrPartition;
            }
            else if (partition is not null && partition.Leader != context.BrokerId)
            {
                error = ErrorCode.NotLeaderOrFollower;
                if (version >= 12)
                {
                    data.CurrentLeader = new FetchResponse.LeaderIdAndEpoch { LeaderId = partition.Leader, LeaderEpoch = partition.LeaderEpoch };
                }
            }
            if (error == ErrorCode.None)
            {
                var log = partition!.Log;
                // Only the first partition with data may exceed the limits, by one batch (KIP-74).
                int limit = bytes == 0 ? w.MaxBytes : Math.Min(w.MaxBytes, responseBudget);
                var read = log.Read(w.FetchOffset, Math.Max(limit, 0), readCommitted, minOneBatch: bytes == 0);
                error = read.Error;
                data.HighWatermark = read.HighWatermark;
                data.LastStableOffset = read.LastStableOffset;
                data.LogStartOffset = read.LogStartOffset;
                if (error == ErrorCode.None)
                {
                    data.Records = read.Records;
                    bytes += read.Records.Length;
                    responseBudget -= read.Records.Length;
                    if (read.Records.Length == 0)
                    {
                        signals.Add(log.AppendedSignal);
                    }
                    if (readCommitted)
                    {
                        var aborted = read.Records.Length == 0 ? null : log.AbortedTransactions(w.FetchOffset, read.LastStableOffset);
                        data.AbortedTransactions = aborted?.ConvertAll(a => new FetchResponse.AbortedTransaction { ProducerId = a.ProducerId, FirstOffset = a.FirstOffset }) ?? [];
                    }
                    else
                    {
                        data.AbortedTransactions = null;
                    }
                }
                else
                {
                    data.Records = ReadOnlyMemory<byte>.Empty;
                }
            }
            else
            {
                data.Records = ReadOnlyMemory<byte>.Empty;
            }
            data.ErrorCode = (short)error;
            if (error != ErrorCode.None)
            {
                anyError = true;
                data.AbortedTransactions = null;
            }
            if (incremental && w.Cached is { } cached && error == ErrorCode.None && data.Records is { Length: 0 }
                && cached.LastHighWatermark == data.HighWatermark && cached.LastLastStableOffset == data.LastStableOffset
                && cached.LastLogStartOffset == data.LogStartOffset)
            {
                continue; // nothing new for this partition: leave it out of the incremental response
            }
            if (w.Cached is { } c)
            {
                c.LastHighWatermark = data.HighWatermark;
                c.LastLastStableOffset = data.LastStableOffset;
                c.LastLogStartOffset = data.LogStartOffset;
            }
            if (current is null || current.Topic != w.Topic || (version >= 13 && current.TopicId != w.TopicId))
            {
                current = new FetchResponse.FetchableTopicResponse { Topic = version < 13 ? w.Topic : "", TopicId = version >= 13 ? w.TopicId : Guid.Empty };
                response.Responses.Add(current);
            }
            current.Partitions.Add(data);
        }
        return response;
    }

    protected override FetchResponse CreateErrorResponse(FetchRequest request, short version, ErrorCode error) =>
        new() { ErrorCode = (short)error };
}
