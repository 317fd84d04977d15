using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using Samsa.Protocol.Messages;

namespace Samsa.Testing;

/// <summary>
/// A bare loopback Kafka connection for tests: send a frame, read a frame, with timeouts. Test
/// scaffolding to talk to a broker without the client (no pipelining logic, no retries).
/// </summary>
public sealed partial class RawKafkaConnection : IAsyncDisposable, IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private int _nextCorrelationId;

    private RawKafkaConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    /// <summary>Bound for each send and each receive.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest response frame accepted.</summary>
    public int MaxFrameSize { get; set; } = 64 * 1024 * 1024;

    /// <summary>Connects to "host:port".</summary>
    public static Task<RawKafkaConnection> ConnectAsync(string address, CancellationToken cancellationToken = default)
    {
        var colon = address.LastIndexOf(':');
        return ConnectAsync(address[..colon], int.Parse(address.AsSpan(colon + 1), CultureInfo.InvariantCulture), cancellationToken);
    }

    /// <summary>Connects to <paramref name="host"/>:<paramref name="port"/> within 10 s.</summary>
    public static async Task<RawKafkaConnection> ConnectAsync(string host, int port, CancellationToken cancellationToken = default)
    {
        var client = new TcpClient { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await client.ConnectAsync(host, port, timeout.Token);
            return new RawKafkaConnection(client);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>A fresh correlation id (1, 2, 3, ...).</summary>
    public int NextCorrelationId() => Interlocked.Increment(ref _nextCorrelationId);

    /// <summary>Writes <paramref name="frame"/> (header + body, no size prefix) with its size prefix.</summary>
    public async Task SendFrameAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var size = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(size, frame.Length);
        await _stream.WriteAsync(size, timeout.Token);
        await _stream.WriteAsync(frame, timeout.Token);
    }

    /// <summary>Reads one frame and returns it without its size prefix.</summary>
    /// <exception cref="TimeoutException">No complete frame within <see cref="Timeout"/>.</exception>
    /// <exception cref="EndOfStreamException">The broker closed the connection.</exception>
    public async Task<byte[]> ReceiveFrameAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            var sizeBuffer = new byte[4];
            await _stream.ReadExactlyAsync(sizeBuffer, timeout.Token);
            var size = BinaryPrimitives.ReadInt32BigEndian(sizeBuffer);
            if (size < 0 || size > MaxFrameSize)
            {
                throw new IOException($"response frame size {size} out of range (max {MaxFrameSize})");
            }
            var frame = new byte[size];
            await _stream.ReadExactlyAsync(frame, timeout.Token);
            return frame;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no response frame within {Timeout.TotalSeconds:0.#} s");
        }
    }

    /// <summary>Sends a request frame and reads the next frame (the response, for requests that get one).</summary>
    public async Task<byte[]> SendAndReceiveAsync(ReadOnlyMemory<byte> requestFrame, CancellationToken cancellationToken = default)
    {
        await SendFrameAsync(requestFrame, cancellationToken);
        return await ReceiveFrameAsync(cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="request"/> at <paramref name="version"/> with a fresh correlation id and
    /// decodes the response, checking the correlation id.
    /// </summary>
    public async Task<TResponse> SendAsync<TRequest, TResponse>(TRequest request, short version, CancellationToken cancellationToken = default)
        where TRequest : IKafkaRequest<TRequest, TResponse>
        where TResponse : IKafkaResponse<TResponse>
    {
        var correlationId = NextCorrelationId();
        var response = await SendAndReceiveAsync(KafkaFrame.EncodeRequest(request, version, correlationId), cancellationToken);
        var (header, body) = KafkaFrame.DecodeResponse<TResponse>(response, version);
        if (header.CorrelationId != correlationId)
        {
            throw new IOException($"{TRequest.Key} v{version}: response correlation id {header.CorrelationId}, expected {correlationId}");
        }
        return body;
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
