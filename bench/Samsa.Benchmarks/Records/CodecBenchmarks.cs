using BenchmarkDotNet.Attributes;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Primitives;
using Samsa.Protocol.Records;

namespace Samsa.Benchmarks.Records;

/// <summary>Raw codec and checksum speed on 1 MB of text-like data.</summary>
[MemoryDiagnoser]
[Config(typeof(InProcessShortRunConfig))]
public class CodecBenchmarks
{
    private const int Size = 1024 * 1024;
    private byte[] _data = [];
    private byte[] _compressed = [];
    private readonly ByteBufferWriter _output = new(2 * Size);

    /// <summary>The codec.</summary>
    [Params(CompressionType.Lz4, CompressionType.Snappy, CompressionType.Zstd, CompressionType.Gzip)]
    public CompressionType Codec { get; set; }

    /// <summary>Makes the data and its compressed form.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(2);
        string[] words = ["kafka", "record", "batch", "offset", "partition", "leader", "epoch", "producer", "\"id\":", "samsa", "\n"];
        _data = new byte[Size];
        var p = 0;
        while (p < Size)
        {
            var w = words[random.Next(words.Length)];
            for (var c = 0; c < w.Length && p < Size; c++)
                _data[p++] = (byte)w[c];
            if (p < Size)
                _data[p++] = (byte)('0' + random.Next(10));
        }
        _output.Reset();
        CompressionCodecs.Get(Codec).Compress(_data, _output);
        _compressed = _output.ToArray();
    }

    /// <summary>Compress 1 MB.</summary>
    [Benchmark]
    public int Compress()
    {
        _output.Reset();
        CompressionCodecs.Get(Codec).Compress(_data, _output);
        return _output.WrittenCount;
    }

    /// <summary>Decompress back to 1 MB.</summary>
    [Benchmark]
    public int Decompress()
    {
        _output.Reset();
        return CompressionCodecs.Get(Codec).Decompress(_compressed, _output, int.MaxValue);
    }

    /// <summary>CRC-32C of 1 MB (independent of the codec parameter).</summary>
    [Benchmark]
    public uint Crc32COfOneMegabyte() => Crc32C.Compute(_data);
}
