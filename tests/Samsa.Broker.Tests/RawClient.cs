using System.Buffers.Binary;
using System.Net.Sockets;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Primitives;

namespace Samsa.Broker.Tests;

/// <summary>A bare socket that sends one framed request at a time, so handlers are tested without any client code.</summary>
internal sealed class RawClient : IDisposable
{
    private readonly TcpClient _tcp = new();
    private NetworkStream _stream = null!;
    private int _correlationId;

    public static async Task<RawClient> ConnectAsync(string hostPort)
    {
        var client = new RawClient();
        var parts = hostPort.Split(',')[0].Split(':');
        await client._tcp.ConnectAsync(parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        client._stream = client._tcp.GetStream();
        return client;
    }

    /// <summary>Sends a request body with a v1 or v2 header and returns the response body (header stripped).</summary>
    public async Task<byte[]> SendAsync(ApiKey key, short version, IKafkaMessage body, bool flexibleRequestHeader, bool flexibleResponseHeader, CancellationToken cancellationToken = default)
    {
        int correlationId = ++_correlationId;
        using var buffer = new ByteBufferWriter();
        WriteFrame(buffer, key, version, correlationId, body, flexibleRequestHeader);
        await _stream.WriteAsync(buffer.WrittenMemory, cancellationToken);
        return await ReadResponseAsync(correlationId, flexibleResponseHeader, cancellationToken);
    }

    private static void WriteFrame(ByteBufferWriter buffer, ApiKey key, short version, int correlationId, IKafkaMessage body, bool flexible)
    {
        var writer = new KafkaWriter(buffer);
        int size = writer.ReserveInt32();
        writer.WriteInt16((short)key);
        writer.WriteInt16(version);
        writer.WriteInt32(correlationId);
        writer.WriteNullableString("raw-test", compact: false);
        if (flexible)
        {
            writer.WriteUnsignedVarInt(0);
        }
        body.Write(ref writer, version);
        buffer.WriteInt32At(size, buffer.WrittenCount - 4);
    }

    /// <summary>Sends raw bytes as they are (for malformed-frame tests).</summary>
    public async Task SendRawAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>Sends a request without waiting for an answer (acks=0).</summary>
    public async Task SendOnlyAsync(ApiKey key, short version, IKafkaMessage body, bool flexibleRequestHeader)
    {
        using var buffer = new ByteBufferWriter();
        WriteFrame(buffer, key, version, ++_correlationId, body, flexibleRequestHeader);
        await _stream.WriteAsync(buffer.WrittenMemory);
    }

    public async Task<byte[]> ReadResponseAsync(int correlationId, bool flexibleResponseHeader, CancellationToken cancellationToken = default)
    {
        var sizeBytes = new byte[4];
        await _stream.ReadExactlyAsync(sizeBytes, cancellationToken);
        int size = BinaryPrimitives.ReadInt32BigEndian(sizeBytes);
        var frame = new byte[size];
        await _stream.ReadExactlyAsync(frame, cancellationToken);
        var reader = new KafkaReader(frame);
        int id = reader.ReadInt32();
        Assert.Equal(correlationId, id);
        if (flexibleResponseHeader)
        {
            uint tags = reader.ReadUnsignedVarInt();
            Assert.Equal(0u, tags);
        }
        return frame[reader.Position..];
    }

    /// <summary>True when the broker closed the connection (read returns 0) within the timeout.</summary>
    public async Task<bool> IsClosedByPeerAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[1];
        try
        {
            int n = await _stream.ReadAsync(buffer, cts.Token);
            return n == 0;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public int LastCorrelationId => _correlationId;

    public void Dispose() => _tcp.Dispose();
}
