using System.Buffers;

namespace Samsa.Protocol.Compression;

/// <summary>A write-only stream over an <see cref="IBufferWriter{T}"/>, for stream-based encoders such as GZipStream.</summary>
internal sealed class BufferWriterStream : Stream
{
    private readonly IBufferWriter<byte> _destination;

    public BufferWriterStream(IBufferWriter<byte> destination) => _destination = destination;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var span = _destination.GetSpan(buffer.Length);
        buffer.CopyTo(span);
        _destination.Advance(buffer.Length);
    }

    public override void WriteByte(byte value)
    {
        _destination.GetSpan(1)[0] = value;
        _destination.Advance(1);
    }
}
