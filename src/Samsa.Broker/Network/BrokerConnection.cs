using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Samsa.Broker.Faults;
using Samsa.Broker.Handlers;
using Samsa.Protocol;
using Samsa.Protocol.Errors;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Primitives;

namespace Samsa.Broker.Network;

/// <summary>
/// One client connection: reads size-prefixed frames, serves them one at a time in arrival order
/// (Kafka mutes a channel while its request is in process, so responses are always in order) and
/// writes each response. A malformed frame, an unknown API or an unsupported version closes only
/// this connection, as Kafka's SocketServer does.
/// </summary>
internal sealed class BrokerConnection : IAsyncDisposable
{
    /// <summary>Kafka's socket.request.max.bytes default.</summary>
    private const int MaxRequestSize = 100 * 1024 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly BufferedStream _input;
    private readonly BrokerNode _broker;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _cts = new();
    private ByteBufferWriter _output = new(64 * 1024);
    private Task? _loop;

    public BrokerConnection(Socket socket, BrokerNode broker, long id, ILogger logger)
    {
        _socket = socket;
        _socket.NoDelay = true;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = new BufferedStream(_stream, 64 * 1024);
        _broker = broker;
        Id = id;
        _logger = logger;
    }

    public long Id { get; }

    public Task Completion => _loop ?? Task.CompletedTask;

    public void Start() => _loop = Task.Run(RunAsync);

    private async Task RunAsync()
    {
        var sizeBuffer = new byte[4];
        try
        {
            while (!_cts.IsCancellationRequested)
            {
                if (!await ReadFullyAsync(sizeBuffer, _cts.Token).ConfigureAwait(false))
                {
                    return; // clean EOF
                }
                int size = BinaryPrimitives.ReadInt32BigEndian(sizeBuffer);
                if (size < 8 || size > MaxRequestSize)
                {
                    _logger.LogWarning("[Broker id={BrokerId}] Closing connection {ConnectionId}: request size {Size} is outside 8..{Max}.", _broker.Id, Id, size, MaxRequestSize);
                    return;
                }
                byte[] frame = ArrayPool<byte>.Shared.Rent(size);
                try
                {
                    if (!await ReadFullyAsync(frame.AsMemory(0, size), _cts.Token).ConfigureAwait(false))
                    {
                        _logger.LogWarning("[Broker id={BrokerId}] Connection {ConnectionId} closed in the middle of a {Size}-byte request.", _broker.Id, Id, size);
                        return;
                    }
                    if (!await ServeAsync(frame.AsMemory(0, size)).ConfigureAwait(false))
                    {
                        return;
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(frame);
                }
            }
        }
        catch (OperationCanceledException) when (_cts.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            _socket.Dispose();
            _broker.Forget(this);
        }
    }

    private async ValueTask<bool> ReadFullyAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await _input.ReadAsync(buffer[read..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return false;
            }
            read += n;
        }
        return true;
    }

    /// <summary>Serves one frame; false closes the connection.</summary>
    private async ValueTask<bool> ServeAsync(ReadOnlyMemory<byte> frame)
    {
        RequestContext context;
        ApiHandler? handler;
        IKafkaMessage request;
        short version;
        ReadOnlyMemory<byte> body;
        int correlationId;
        try
        {
            var reader = new KafkaReader(frame);
            var apiKey = (ApiKey)reader.ReadInt16();
            version = reader.ReadInt16();
            correlationId = reader.ReadInt32();
            string? clientId = reader.ReadNullableString(compact: false);
            context = new RequestContext(_broker.Id, apiKey, version, correlationId, clientId, Id);
            handler = _broker.Cluster.Handlers.Find(apiKey);
            if (handler is null)
            {
                _logger.LogWarning("[Broker id={BrokerId}] Closing connection {ConnectionId}: unknown or unsupported API key {ApiKey} (client {ClientId}).", _broker.Id, Id, (short)apiKey, clientId);
                return false;
            }
            var (min, max) = _broker.Cluster.Handlers.AdvertisedRange(handler);
            if (version < min || version > max)
            {
                if (apiKey == ApiKey.ApiVersions)
                {
                    // KIP-511: answer with UNSUPPORTED_VERSION and our ranges in a v0 body so the
                    // client can retry with a version we speak.
                    _logger.LogInformation("[Broker id={BrokerId}] ApiVersions v{Version} is not supported (range {Min}-{Max}); answering with a v0 UNSUPPORTED_VERSION body.", _broker.Id, version, min, max);
                    await WriteResponseAsync(correlationId, flexibleHeader: false, _broker.Cluster.Handlers.UnsupportedApiVersionsResponse(), 0).ConfigureAwait(false);
                    return true;
                }
                _logger.LogWarning("[Broker id={BrokerId}] Closing connection {ConnectionId}: {ApiKey} v{Version} is not supported (range {Min}-{Max}, client {ClientId}).", _broker.Id, Id, apiKey, version, min, max, clientId);
                return false;
            }
            if (version >= handler.FlexibleFrom)
            {
                SkipTaggedFields(ref reader);
            }
            body = frame[reader.Position..];
            request = handler.Parse(body, version);
        }
        catch (KafkaProtocolException e)
        {
            _logger.LogWarning(e, "[Broker id={BrokerId}] Closing connection {ConnectionId}: malformed request: {Message}", _broker.Id, Id, e.Message);
            return false;
        }

        IKafkaMessage? response;
        var decision = _broker.Cluster.Faults.Evaluate(context, request);
        if (decision.Delay > TimeSpan.Zero)
        {
            await Task.Delay(decision.Delay, _broker.Cluster.Time, _cts.Token).ConfigureAwait(false);
        }
        switch (decision.Kind)
        {
            case InterceptKind.Disconnect:
                _logger.LogInformation("[Broker id={BrokerId}] Fault injection: closing connection {ConnectionId} on {ApiKey}.", _broker.Id, Id, context.ApiKey);
                return false;
            case InterceptKind.Drop:
                return true;
            case InterceptKind.Respond:
                response = decision.Response;
                break;
            case InterceptKind.Fail:
                response = handler.ErrorResponse(request, version, decision.Error);
                break;
            default:
                if (!_broker.IsRunning)
                {
                    return false;
                }
                try
                {
                    response = await handler.HandleAsync(context, request, _cts.Token).ConfigureAwait(false);
                }
                catch (KafkaProtocolException e)
                {
                    _logger.LogWarning(e, "[Broker id={BrokerId}] Closing connection {ConnectionId}: {ApiKey} v{Version} request is invalid: {Message}", _broker.Id, Id, context.ApiKey, version, e.Message);
                    return false;
                }
                break;
        }
        if (response is not null)
        {
            await WriteResponseAsync(correlationId, handler.FlexibleResponseHeader(version), response, version).ConfigureAwait(false);
        }
        return true;
    }

    private static void SkipTaggedFields(ref KafkaReader reader)
    {
        uint count = reader.ReadUnsignedVarInt();
        for (uint i = 0; i < count; i++)
        {
            var (_, size) = reader.ReadTagHeader();
            reader.Skip(size);
        }
    }

    private async ValueTask WriteResponseAsync(int correlationId, bool flexibleHeader, IKafkaMessage response, short version)
    {
        _output.Reset();
        var writer = new KafkaWriter(_output);
        int sizePosition = writer.ReserveInt32();
        writer.WriteInt32(correlationId);
        if (flexibleHeader)
        {
            writer.WriteUnsignedVarInt(0);
        }
        response.Write(ref writer, version);
        _output.WriteInt32At(sizePosition, _output.WrittenCount - 4);
        await _stream.WriteAsync(_output.WrittenMemory, _cts.Token).ConfigureAwait(false);
        if (_output.WrittenCount > 4 * 1024 * 1024)
        {
            // Don't keep a huge fetch response's buffer alive per idle connection.
            _output.Dispose();
            _output = new ByteBufferWriter(64 * 1024);
        }
    }

    /// <summary>Closes the connection now; an in-process request is abandoned.</summary>
    public void Abort()
    {
        _cts.Cancel();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        _socket.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        Abort();
        try
        {
            await Completion.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
        _cts.Dispose();
        _output.Dispose();
    }
}
