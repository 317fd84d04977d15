using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Protocol;
using Samsa.Protocol.Errors;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Primitives;

namespace Samsa.Client.Admin;

/// <summary>
/// The admin client's connections: one per broker, opened on demand, versions negotiated with
/// ApiVersions on connect, one request at a time per connection (admin traffic is tiny). Connect
/// failures and lost connections surface as retriable <see cref="KafkaException"/>s, so the
/// operation's retry loop tries again until its timeout.
/// </summary>
internal sealed class NetworkAdminRequestSender : IAdminRequestSender
{
    private readonly AdminOptions _options;
    private readonly ILogger _logger;
    private readonly string[] _bootstrap;
    private readonly Dictionary<string, AdminConnection> _connections = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private int _bootstrapIndex;
    private bool _disposed;

    private NetworkAdminRequestSender(AdminOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _bootstrap = options.BootstrapServers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (_bootstrap.Length == 0)
            throw new ArgumentException("bootstrap.servers must list at least one host:port", nameof(options));
    }

    public static NetworkAdminRequestSender Create(AdminOptions options, ILoggerFactory? loggerFactory, TimeProvider time)
    {
        _ = time;
        return new NetworkAdminRequestSender(options, (ILogger?)loggerFactory?.CreateLogger("Samsa.Client.Admin") ?? NullLogger.Instance);
    }

    private TimeSpan ConnectTimeout =>
        _options.NetworkProperties.TryGetValue("socket.connection.setup.timeout.ms", out var v) &&
        int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? TimeSpan.FromMilliseconds(ms)
            : TimeSpan.FromMilliseconds(Math.Min(10000, _options.RequestTimeout.TotalMilliseconds));

    public async Task<TResponse> SendAsync<TRequest, TResponse>(BrokerDescription? node, Func<short, TRequest> build, CancellationToken cancellationToken)
        where TRequest : IKafkaRequest<TRequest, TResponse>
        where TResponse : IKafkaResponse<TResponse>
    {
        var connection = node is null
            ? await AnyAsync(cancellationToken).ConfigureAwait(false)
            : await GetAsync(node.Address, cancellationToken).ConfigureAwait(false);
        try
        {
            return await connection.SendAsync<TRequest, TResponse>(build, _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AdminConnectionException)
        {
            Forget(connection);
            throw;
        }
    }

    public (short Min, short Max)? BrokerVersions(BrokerDescription? node, ApiKey api)
    {
        lock (_lock)
        {
            AdminConnection? c = null;
            if (node is not null)
                _connections.TryGetValue(node.Address, out c);
            else
                c = _connections.Values.FirstOrDefault(x => x.IsOpen);
            if (c is null)
                return null;
            return c.Versions.TryGetValue(api, out var r) ? r : ((short)-1, (short)-1);
        }
    }

    private async Task<AdminConnection> AnyAsync(CancellationToken ct)
    {
        lock (_lock)
        {
            foreach (var c in _connections.Values)
            {
                if (c.IsOpen)
                    return c;
            }
        }
        List<string> errors = [];
        for (var i = 0; i < _bootstrap.Length; i++)
        {
            var address = _bootstrap[(_bootstrapIndex + i) % _bootstrap.Length];
            try
            {
                return await GetAsync(address, ct).ConfigureAwait(false);
            }
            catch (AdminConnectionException e)
            {
                errors.Add(e.Message);
            }
        }
        _bootstrapIndex++;
        throw new AdminConnectionException(errors.Count == 1
            ? errors[0]
            : $"could not connect to any bootstrap broker ({string.Join("; ", errors)})");
    }

    private async Task<AdminConnection> GetAsync(string address, CancellationToken ct)
    {
        AdminConnection? existing;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _connections.TryGetValue(address, out existing);
        }
        if (existing is { IsOpen: true })
            return existing;
        var created = await AdminConnection.ConnectAsync(address, _options.ClientId, ConnectTimeout, _options.RequestTimeout, _logger, ct).ConfigureAwait(false);
        lock (_lock)
        {
            if (_disposed)
            {
                created.Dispose();
                throw new ObjectDisposedException(nameof(NetworkAdminRequestSender));
            }
            if (_connections.TryGetValue(address, out var raced) && raced.IsOpen)
            {
                created.Dispose();
                return raced;
            }
            _connections[address] = created;
            return created;
        }
    }

    private void Forget(AdminConnection connection)
    {
        lock (_lock)
        {
            if (_connections.TryGetValue(connection.Address, out var c) && ReferenceEquals(c, connection))
                _connections.Remove(connection.Address);
        }
        connection.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        List<AdminConnection> all;
        lock (_lock)
        {
            _disposed = true;
            all = [.. _connections.Values];
            _connections.Clear();
        }
        foreach (var c in all)
            c.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A broker could not be reached or the connection broke; retriable.</summary>
internal sealed class AdminConnectionException : KafkaException
{
    public AdminConnectionException(string message, Exception? inner = null) : base(message, inner) { }

    public override bool IsRetriable => true;
}

/// <summary>One admin connection to one broker: framing, headers, ApiVersions, one request at a time.</summary>
internal sealed class AdminConnection : IDisposable
{
    private const string SoftwareName = "samsa";
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly string _clientId;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _correlationId;
    private volatile bool _open = true;

    private AdminConnection(string address, Socket socket, string clientId, ILogger logger)
    {
        Address = address;
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _clientId = clientId;
        _logger = logger;
    }

    public string Address { get; }

    public bool IsOpen => _open;

    public Dictionary<ApiKey, (short Min, short Max)> Versions { get; } = [];

    public static async Task<AdminConnection> ConnectAsync(string address, string clientId, TimeSpan connectTimeout, TimeSpan requestTimeout,
        ILogger logger, CancellationToken ct)
    {
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            throw new ArgumentException($"broker address '{address}' is not host:port");
        var host = address[..colon].Trim('[', ']');
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                timeout.CancelAfter(connectTimeout);
                try
                {
                    await socket.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new AdminConnectionException($"could not connect to {address} within {connectTimeout.TotalMilliseconds:F0} ms");
                }
                catch (SocketException e)
                {
                    throw new AdminConnectionException($"could not connect to {address}: {e.Message}", e);
                }
            }
            var connection = new AdminConnection(address, socket, clientId, logger);
            try
            {
                await connection.NegotiateAsync(requestTimeout, ct).ConfigureAwait(false);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
            logger.LogDebug("[Admin clientId={ClientId}] connected to {Address}, {Count} APIs", clientId, address, connection.Versions.Count);
            return connection;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // ApiVersions v0 is answered by every broker since 0.10 and needs no flexible header; its
    // response lists the ranges used to pick each request's version.
    private async Task NegotiateAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var frame = new ByteBufferWriter(64);
        var w = new KafkaWriter(frame);
        var size = w.ReserveInt32();
        var correlation = ++_correlationId;
        WriteHeader(ref w, ApiKey.ApiVersions, 0, correlation, flexible: false);
        frame.WriteInt32At(size, frame.WrittenCount - 4);
        var body = await RoundTripAsync(frame.WrittenMemory, correlation, timeout, ct).ConfigureAwait(false);
        var r = new KafkaReader(body.AsMemory(4));
        var error = (ErrorCode)r.ReadInt16();
        if (error != ErrorCode.None)
            throw new KafkaException(error, $"ApiVersions from {Address}: {error}");
        var n = r.ReadArrayLength(compact: false, minElementSize: 6);
        for (var i = 0; i < n; i++)
        {
            var key = (ApiKey)r.ReadInt16();
            var min = r.ReadInt16();
            var max = r.ReadInt16();
            Versions[key] = (min, max);
        }
    }

    public async Task<TResponse> SendAsync<TRequest, TResponse>(Func<short, TRequest> build, TimeSpan timeout, CancellationToken ct)
        where TRequest : IKafkaRequest<TRequest, TResponse>
        where TResponse : IKafkaResponse<TResponse>
    {
        var api = TRequest.Key;
        if (!Versions.TryGetValue(api, out var range))
            throw new KafkaException(ErrorCode.UnsupportedVersion, $"{api}: broker {Address} does not support this API");
        var version = Math.Min(TRequest.HighestVersion, QuirkCap(api, range.Max));
        if (version < Math.Max(TRequest.LowestVersion, range.Min))
        {
            throw new KafkaException(ErrorCode.UnsupportedVersion,
                $"{api}: no common version with broker {Address} (Samsa {TRequest.LowestVersion}-{TRequest.HighestVersion}, broker {range.Min}-{range.Max})");
        }
        var request = build((short)version);

        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            using var frame = new ByteBufferWriter(256);
            var w = new KafkaWriter(frame);
            var size = w.ReserveInt32();
            var correlation = ++_correlationId;
            WriteHeader(ref w, api, (short)version, correlation, flexible: version >= TRequest.FlexibleFrom);
            request.Write(ref w, (short)version);
            frame.WriteInt32At(size, frame.WrittenCount - 4);
            var body = await RoundTripAsync(frame.WrittenMemory, correlation, timeout, ct).ConfigureAwait(false);
            var reader = new KafkaReader(body.AsMemory(4));
            if (version >= TResponse.FlexibleFrom)
                SkipTaggedFields(ref reader);
            return TResponse.Read(ref reader, (short)version);
        }
        finally
        {
            _gate.Release();
        }
    }

    // Brokers whose newest ListOffsets is v4 or v5 (Kafka 2.1-2.7, librdkafka's mock cluster) are
    // asked at v3: v4/v5 only add the leader epoch, which admin callers do not need, and
    // librdkafka 2.0.2's mock writes that epoch as 8 bytes, misaligning every later partition.
    private static short QuirkCap(ApiKey api, short brokerMax) =>
        api == ApiKey.ListOffsets && brokerMax is 4 or 5 ? (short)3 : brokerMax;

    private void WriteHeader(ref KafkaWriter w, ApiKey api, short version, int correlation, bool flexible)
    {
        w.WriteInt16((short)api);
        w.WriteInt16(version);
        w.WriteInt32(correlation);
        w.WriteNullableString(_clientId.Length == 0 ? SoftwareName : _clientId, compact: false);
        if (flexible)
            w.WriteUnsignedVarInt(0);
    }

    private static void SkipTaggedFields(ref KafkaReader reader)
    {
        var count = reader.ReadUnsignedVarInt();
        for (var i = 0u; i < count; i++)
        {
            var (_, fieldSize) = reader.ReadTagHeader();
            reader.Skip(fieldSize);
        }
    }

    // Returns the response frame without its size prefix; the first 4 bytes are the correlation id.
    private async Task<byte[]> RoundTripAsync(ReadOnlyMemory<byte> frame, int correlation, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await _stream.WriteAsync(frame, deadline.Token).ConfigureAwait(false);
            var sizeBytes = new byte[4];
            await _stream.ReadExactlyAsync(sizeBytes, deadline.Token).ConfigureAwait(false);
            var size = BinaryPrimitives.ReadInt32BigEndian(sizeBytes);
            if (size < 4 || size > 100 * 1024 * 1024)
                throw new AdminConnectionException($"broker {Address} sent a frame of invalid size {size}");
            var body = new byte[size];
            await _stream.ReadExactlyAsync(body, deadline.Token).ConfigureAwait(false);
            var got = BinaryPrimitives.ReadInt32BigEndian(body);
            if (got != correlation)
                throw new AdminConnectionException($"broker {Address} answered correlation id {got}, expected {correlation}");
            return body;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            _open = false;
            throw new AdminConnectionException($"request to {Address} timed out after {timeout.TotalMilliseconds:F0} ms (request.timeout.ms)");
        }
        catch (Exception e) when (e is IOException or SocketException or EndOfStreamException or ObjectDisposedException)
        {
            _open = false;
            throw new AdminConnectionException($"connection to {Address} lost: {e.Message}", e);
        }
        catch (OperationCanceledException)
        {
            _open = false; // a cancelled read leaves the stream mid-frame
            throw;
        }
        catch (AdminConnectionException)
        {
            _open = false;
            throw;
        }
    }

    public void Dispose()
    {
        _open = false;
        _stream.Dispose();
        _gate.Dispose();
    }
}
