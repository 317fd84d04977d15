using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Samsa.Client.Configuration;
using Samsa.Client.Metadata;
using Samsa.Client.Network;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Producer;

/// <summary>
/// The producer's view of <see cref="NetworkClient"/>: builds Produce and InitProducerId requests from
/// batches and turns responses back into <see cref="ProducerClientResponse"/>s. Owned by the sender thread.
/// </summary>
internal sealed class ProducerNetworkClient : IProducerNetworkClient
{
    // Produce v3 is the first with record batch v2 (and so idempotence).
    private const short MinProduceVersion = 3;

    private readonly NetworkClient _client;
    private readonly ClientMetadata _metadata;
    private readonly List<ProducerClientResponse> _completed = [];
    private volatile ClusterView _view;

    public ProducerNetworkClient(NetworkClient client, ClientMetadata metadata)
    {
        _client = client;
        _metadata = metadata;
        _view = new ClusterView(metadata.Fetch());
    }

    /// <summary>Builds the socket-backed client from the producer settings.</summary>
    public static IProducerNetworkClient Create(ProducerConfig config, ILoggerFactory loggerFactory, TimeProvider time)
    {
        var options = ToClientOptions(config);
        var metadata = NetworkClient.CreateMetadata(options, loggerFactory, allTopics: false);
        var client = NetworkClient.Create(options, metadata, loggerFactory, time, logPrefix: $"[Producer clientId={options.ClientId}] ");
        return new ProducerNetworkClient(client, metadata);
    }

    const string ProducerReceiveBufferBytes = "32768";

    /// <summary>The shared client settings carried by a producer config.</summary>
    public static ClientOptions ToClientOptions(ProducerConfig config)
    {
        var p = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ClientConfigs.BootstrapServers] = config.BootstrapServers,
            [ClientConfigs.ClientId] = config.EffectiveClientId,
            [ClientConfigs.RequestTimeoutMs] = Ms(config.RequestTimeout),
            [ClientConfigs.ReconnectBackoffMs] = Ms(config.ReconnectBackoff),
            [ClientConfigs.ReconnectBackoffMaxMs] = Ms(config.ReconnectBackoffMax),
            [ClientConfigs.MetadataMaxAgeMs] = Ms(config.MetadataMaxAge),
            [ClientConfigs.RetryBackoffMs] = Ms(config.RetryBackoff),
            [ClientConfigs.RetryBackoffMaxMs] = Ms(config.RetryBackoffMax),
            [ClientConfigs.MaxInFlightRequestsPerConnection] = config.MaxInFlightRequestsPerConnection.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // The Java producer's receive.buffer.bytes default (32 KiB; the shared default is the consumer's 64 KiB).
            [ClientConfigs.ReceiveBufferBytes] = ProducerReceiveBufferBytes,
        };
        foreach (var (key, value) in config.AdditionalProperties)
        {
            if (ClientConfigs.Definition.TryGetKey(key, out _)) p[key] = value;
        }
        return ClientOptions.FromProperties(p);
    }

    private static string Ms(TimeSpan t) => ((long)t.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public IProducerCluster Cluster
    {
        get
        {
            var cluster = _metadata.Fetch();
            var view = _view;
            if (ReferenceEquals(view.Cluster, cluster)) return view;
            view = new ClusterView(cluster);
            _view = view;
            return view;
        }
    }

    public void AddTopic(string topic) => _metadata.RequestUpdateForTopic(topic);

    public void RequestMetadataUpdate() => _metadata.RequestUpdate();

    public bool Ready(int nodeId, long nowMs) => NodeOf(nodeId) is { } node && _client.Ready(node, nowMs);

    public long PollDelayMs(int nodeId, long nowMs) => NodeOf(nodeId) is { } node ? _client.PollDelayMs(node, nowMs) : 0;

    public int InFlightRequestCount(int nodeId) => _client.InFlightRequestCount(nodeId);

    public int InFlightRequestCount() => _client.InFlightRequestCount();

    public int LeastLoadedNode(long nowMs)
    {
        try
        {
            var node = _client.LeastLoadedNode(nowMs).Node;
            if (node is not null) _client.Ready(node, nowMs);
            return node?.Id ?? -1;
        }
        catch (InvalidOperationException)
        {
            return -1; // no nodes known yet
        }
    }

    private Node? NodeOf(int nodeId) => _metadata.Fetch().NodeById(nodeId);

    public void SendProduce(int nodeId, short acks, int timeoutMs, IReadOnlyList<ProducerBatch> batches, long nowMs)
    {
        var request = new ProduceRequest { Acks = acks, TimeoutMs = timeoutMs, TransactionalId = null };
        foreach (var batch in batches)
        {
            var tp = batch.TopicPartition;
            ProduceRequest.TopicProduceData? topic = null;
            foreach (var t in request.TopicData)
            {
                if (t.Name == tp.Topic)
                {
                    topic = t;
                    break;
                }
            }
            if (topic is null)
            {
                topic = new ProduceRequest.TopicProduceData { Name = tp.Topic };
                request.TopicData.Add(topic);
            }
            topic.PartitionData.Add(new ProduceRequest.PartitionProduceData { Index = tp.Partition, Records = batch.Records });
        }
        var handler = new ProduceHandler(this, nodeId, acks, batches, nowMs);
        var clientRequest = _client.NewClientRequest<ProduceRequest, ProduceResponse>(nodeId, request, handler, expectResponse: acks != 0,
            requestTimeoutMs: null, oldestAllowedVersion: MinProduceVersion);
        _client.Send(clientRequest, nowMs);
    }

    public void SendInitProducerId(int nodeId, long producerId, short producerEpoch, long nowMs)
    {
        var request = new InitProducerIdRequest { TransactionalId = null, TransactionTimeoutMs = int.MaxValue, ProducerId = producerId, ProducerEpoch = producerEpoch };
        var handler = new RequestCompletionHandler(response => _completed.Add(ToInitResponse(nodeId, response)));
        _client.Send(_client.NewClientRequest<InitProducerIdRequest, InitProducerIdResponse>(nodeId, request, handler), nowMs);
    }

    private static ProducerClientResponse ToInitResponse(int nodeId, ClientResponse response)
    {
        if (response.Body is InitProducerIdResponse body)
        {
            return new ProducerClientResponse
            {
                Kind = ProducerRequestKind.InitProducerId, NodeId = nodeId, InitError = (ErrorCode)body.ErrorCode,
                ProducerId = body.ProducerId, ProducerEpoch = body.ProducerEpoch,
            };
        }
        return new ProducerClientResponse
        {
            Kind = ProducerRequestKind.InitProducerId, NodeId = nodeId, Disconnected = response.WasDisconnected && !response.WasTimedOut,
            TimedOut = response.WasTimedOut, LocalError = response.WasDisconnected || response.WasTimedOut ? null : response.Error,
        };
    }

    public IReadOnlyList<ProducerClientResponse> Poll(long timeoutMs, long nowMs)
    {
        _client.Poll(timeoutMs, nowMs);
        if (_completed.Count == 0) return [];
        var result = _completed.ToArray();
        _completed.Clear();
        return result;
    }

    public void Wakeup() => _client.Wakeup();

    public void Dispose()
    {
        _client.Dispose();
        _metadata.Close();
    }

    private sealed class ProduceHandler(ProducerNetworkClient owner, int nodeId, short acks, IReadOnlyList<ProducerBatch> batches, long sentMs)
        : IRequestCompletionHandler
    {
        public void OnComplete(ClientResponse response)
        {
            if (response.Body is ProduceResponse body)
            {
                var results = new List<PartitionProduceResult>(batches.Count);
                foreach (var topic in body.Responses)
                {
                    foreach (var p in topic.PartitionResponses)
                    {
                        List<(int, string?)>? recordErrors = null;
                        if (p.RecordErrors.Count > 0)
                        {
                            recordErrors = new List<(int, string?)>(p.RecordErrors.Count);
                            foreach (var e in p.RecordErrors) recordErrors.Add((e.BatchIndex, e.BatchIndexErrorMessage));
                        }
                        results.Add(new PartitionProduceResult(new TopicPartition(topic.Name, p.Index), (ErrorCode)p.ErrorCode, p.BaseOffset,
                            p.LogAppendTimeMs, p.LogStartOffset, p.ErrorMessage, recordErrors));
                    }
                }
                owner._completed.Add(new ProducerClientResponse
                {
                    Kind = ProducerRequestKind.Produce, NodeId = nodeId, Batches = batches, Acks = acks, Partitions = results,
                    ThrottleTimeMs = body.ThrottleTimeMs, SentMs = response.Request.SendTimeMs, ReceivedMs = response.ReceivedTimeMs,
                });
                return;
            }
            bool transport = response.WasDisconnected || response.WasTimedOut;
            if (!response.Request.ExpectResponse && !transport && response.Error is null)
            {
                // acks=0: complete once written.
                owner._completed.Add(new ProducerClientResponse { Kind = ProducerRequestKind.Produce, NodeId = nodeId, Batches = batches, Acks = 0, SentMs = sentMs });
                return;
            }
            owner._completed.Add(new ProducerClientResponse
            {
                Kind = ProducerRequestKind.Produce, NodeId = nodeId, Batches = batches, Acks = acks,
                Disconnected = response.WasDisconnected && !response.WasTimedOut, TimedOut = response.WasTimedOut,
                LocalError = transport ? null : response.Error, SentMs = sentMs,
            });
        }
    }

    /// <summary>An <see cref="IProducerCluster"/> over one metadata snapshot; per-node partition lists are computed once.</summary>
    private sealed class ClusterView(Samsa.Client.Metadata.Cluster cluster) : IProducerCluster
    {
        private readonly ConcurrentDictionary<int, IReadOnlyList<TopicPartition>> _byNode = new();

        public Samsa.Client.Metadata.Cluster Cluster { get; } = cluster;

        public int PartitionCount(string topic) => Cluster.PartitionCountForTopic(topic) ?? -1;

        public int LeaderFor(TopicPartition partition) => Cluster.LeaderFor(partition)?.Id ?? -1;

        public IReadOnlyList<TopicPartition> PartitionsForNode(int nodeId) =>
            _byNode.GetOrAdd(nodeId, static (id, c) =>
            {
                var list = new List<TopicPartition>();
                foreach (var p in c.PartitionsForNode(id)) list.Add(p.TopicPartition);
                return list;
            }, Cluster);
    }
}
