using System.Net;
using Samsa.Client.Network;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Primitives;

namespace Samsa.Client.Tests.Network;

/// <summary>
/// A scripted <see cref="ISelectable"/> (Java's MockSelector): connections complete on the next
/// poll unless told to fail, sends complete on the next poll unless held, and responses are queued
/// by the test. ApiVersions requests are answered automatically from <see cref="BrokerVersions"/>.
/// Poll never blocks and never moves the clock.
/// </summary>
public sealed class MockSelector : ISelectable
{
    private readonly HashSet<int> _open = [];
    private readonly HashSet<int> _pendingConnect = [];
    private readonly List<NetworkSend> _pendingSends = [];
    private readonly List<NetworkReceive> _pendingReceives = [];
    private readonly List<ChannelDisconnect> _pendingDisconnects = [];
    private readonly List<NetworkSend> _completedSends = [];
    private readonly List<NetworkReceive> _completedReceives = [];
    private readonly List<int> _connected = [];
    private readonly List<ChannelDisconnect> _disconnected = [];

    /// <summary>Ranges the fake broker reports; defaults to everything Samsa implements for a few APIs.</summary>
    public List<(ApiKey Key, short Min, short Max)> BrokerVersions { get; } =
    [
        (ApiKey.ApiVersions, 0, ApiVersionsRequest.HighestVersion),
        (ApiKey.Metadata, 0, MetadataRequest.HighestVersion),
        (ApiKey.Produce, 0, 11),
        (ApiKey.Fetch, 0, 16),
    ];

    /// <summary>When true, ApiVersions requests are answered automatically.</summary>
    public bool AutoRespondApiVersions { get; set; } = true;

    /// <summary>Nodes whose next connect fails.</summary>
    public HashSet<int> FailConnect { get; } = [];

    /// <summary>Nodes whose every connect fails.</summary>
    public HashSet<int> AlwaysFailConnect { get; } = [];

    /// <summary>Nodes whose connects never complete (neither success nor failure).</summary>
    public HashSet<int> HangConnect { get; } = [];

    /// <summary>When true, sends stay pending (not completed) until released.</summary>
    public bool HoldSends { get; set; }

    /// <summary>Every request frame sent, in order.</summary>
    public List<SentRequest> Sent { get; } = [];

    /// <summary>Connect calls made, in order.</summary>
    public List<(int Id, IPEndPoint Address)> Connects { get; } = [];

    public int PollCount { get; private set; }

    public long LastPollTimeoutMs { get; private set; }

    public int Wakeups { get; private set; }

    public IReadOnlyList<NetworkSend> CompletedSends => _completedSends;

    public IReadOnlyList<NetworkReceive> CompletedReceives => _completedReceives;

    public IReadOnlyList<int> Connected => _connected;

    public IReadOnlyList<ChannelDisconnect> Disconnected => _disconnected;

    public void Connect(int id, IPEndPoint address, int sendBufferSize, int receiveBufferSize)
    {
        if (_open.Contains(id) || _pendingConnect.Contains(id))
            throw new InvalidOperationException($"There is already a connection for id {id}");
        Connects.Add((id, address));
        if (HangConnect.Contains(id))
        {
            _pendingConnect.Add(id);
            return;
        }
        if (FailConnect.Remove(id) || AlwaysFailConnect.Contains(id))
        {
            _pendingDisconnects.Add(new ChannelDisconnect(id, new IOException("Connection refused")));
            return;
        }
        _pendingConnect.Add(id);
    }

    public void Send(NetworkSend send)
    {
        if (!_open.Contains(send.Destination))
        {
            send.Release();
            _pendingDisconnects.Add(new ChannelDisconnect(send.Destination, new IOException("not open")));
            return;
        }
        var sent = SentRequest.Parse(send.Destination, send.Payload.ToArray());
        send.Release();
        Sent.Add(sent);
        _pendingSends.Add(send);
        if (AutoRespondApiVersions && sent.ApiKey == ApiKey.ApiVersions)
        {
            var response = new ApiVersionsResponse();
            foreach (var (key, min, max) in BrokerVersions)
                response.ApiKeys.Add(new ApiVersionsResponse.ApiVersion { ApiKey = (short)key, MinVersion = min, MaxVersion = max });
            Respond(sent, response);
        }
    }

    public void Poll(long timeoutMs)
    {
        PollCount++;
        LastPollTimeoutMs = timeoutMs;
        _completedSends.Clear();
        _completedReceives.Clear();
        _connected.Clear();
        _disconnected.Clear();
        foreach (var id in _pendingConnect)
        {
            if (HangConnect.Contains(id))
                continue;
            _open.Add(id);
            _connected.Add(id);
        }
        _pendingConnect.RemoveWhere(id => !HangConnect.Contains(id));
        if (!HoldSends)
        {
            _completedSends.AddRange(_pendingSends);
            _pendingSends.Clear();
        }
        // Receives only arrive on open connections, after the sends before them completed.
        _completedReceives.AddRange(_pendingReceives.Where(r => _open.Contains(r.Source)));
        _pendingReceives.Clear();
        foreach (var d in _pendingDisconnects)
        {
            _open.Remove(d.Id);
            _pendingConnect.Remove(d.Id);
            _disconnected.Add(d);
        }
        _pendingDisconnects.Clear();
    }

    /// <summary>Completes held sends on the next poll.</summary>
    public void ReleaseSends() => HoldSends = false;

    public void Wakeup() => Wakeups++;

    public void Close(int id)
    {
        _open.Remove(id);
        _pendingConnect.Remove(id);
        _pendingSends.RemoveAll(s => s.Destination == id);
        _pendingReceives.RemoveAll(r => r.Source == id);
    }

    public bool IsChannelReady(int id) => _open.Contains(id);

    public bool IsOpen(int id) => _open.Contains(id);

    /// <summary>The connection drops on the next poll.</summary>
    public void ServerDisconnect(int id) => _pendingDisconnects.Add(new ChannelDisconnect(id, new IOException("Connection reset by peer")));

    /// <summary>Queues a response to <paramref name="request"/> for the next poll.</summary>
    public void Respond(SentRequest request, IKafkaMessage response, int? correlationId = null)
        => RespondRaw(request.Destination, EncodeResponse(request.ApiKey, request.Version, correlationId ?? request.CorrelationId, response, request.FlexibleFrom));

    /// <summary>Queues raw response bytes (correlation id first) for the next poll.</summary>
    public void RespondRaw(int node, byte[] frame) => _pendingReceives.Add(new NetworkReceive(node, frame, frame.Length));

    /// <summary>The last request of an API sent to a node.</summary>
    public SentRequest LastSent(ApiKey api, int? node = null) => Sent.Last(s => s.ApiKey == api && (node is null || s.Destination == node));

    public static byte[] EncodeResponse(ApiKey api, short version, int correlationId, IKafkaMessage body, short flexibleFrom)
    {
        using var buffer = new ByteBufferWriter();
        var writer = new KafkaWriter(buffer);
        writer.WriteInt32(correlationId);
        if (api != ApiKey.ApiVersions && version >= flexibleFrom)
            writer.WriteUnsignedVarInt(0);
        body.Write(ref writer, version);
        return buffer.ToArray();
    }

    public void Dispose() { }
}

/// <summary>A request frame as the fake broker saw it.</summary>
public sealed record SentRequest(int Destination, ApiKey ApiKey, short Version, int CorrelationId, string? ClientId, byte[] Frame, int BodyOffset, short FlexibleFrom)
{
    public static SentRequest Parse(int destination, byte[] frame)
    {
        var reader = new KafkaReader(frame.AsSpan());
        var size = reader.ReadInt32();
        if (size != frame.Length - 4)
            throw new InvalidOperationException($"frame size {size} but {frame.Length - 4} bytes follow");
        var api = (ApiKey)reader.ReadInt16();
        var version = reader.ReadInt16();
        var correlationId = reader.ReadInt32();
        var clientId = reader.ReadNullableString(compact: false);
        var flexibleFrom = FlexibleFromOf(api);
        if (version >= flexibleFrom)
        {
            var tags = reader.ReadUnsignedVarInt();
            if (tags != 0)
                throw new InvalidOperationException("unexpected request header tags");
        }
        return new SentRequest(destination, api, version, correlationId, clientId, frame, reader.Position, flexibleFrom);
    }

    public T Body<T>() where T : IKafkaReadable<T>
    {
        var reader = new KafkaReader(Frame.AsMemory(BodyOffset));
        return T.Read(ref reader, Version);
    }

    private static short FlexibleFromOf(ApiKey api) => api switch
    {
        ApiKey.ApiVersions => ApiVersionsRequest.FlexibleFrom,
        ApiKey.Metadata => MetadataRequest.FlexibleFrom,
        ApiKey.Produce => ProduceRequest.FlexibleFrom,
        ApiKey.Fetch => FetchRequest.FlexibleFrom,
        ApiKey.FindCoordinator => FindCoordinatorRequest.FlexibleFrom,
        ApiKey.Heartbeat => HeartbeatRequest.FlexibleFrom,
        ApiKey.ListOffsets => ListOffsetsRequest.FlexibleFrom,
        _ => short.MaxValue,
    };
}
