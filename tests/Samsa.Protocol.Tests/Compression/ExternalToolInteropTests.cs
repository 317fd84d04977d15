using System.Diagnostics;
using Samsa.Protocol.Compression;

namespace Samsa.Protocol.Tests.Compression;

/// <summary>
/// Cross-checks against independent implementations on this machine: the Debian lz4, zstd and
/// gzip command-line tools (build.sh installs lz4 and zstd) and the IronSnappy package.
/// </summary>
public sealed class ExternalToolInteropTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("samsa-codec-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] RunTool(string tool, string arguments, byte[] input)
    {
        var psi = new ProcessStartInfo(tool, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {tool}");
        var stderr = process.StandardError.ReadToEndAsync();
        var writer = Task.Run(() =>
        {
            process.StandardInput.BaseStream.Write(input);
            process.StandardInput.Close();
        });
        using var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        writer.Wait(TimeSpan.FromSeconds(20));
        Assert.True(process.WaitForExit(20_000), $"{tool} {arguments} did not finish");
        Assert.True(process.ExitCode == 0, $"{tool} {arguments} failed: {stderr.Result}");
        return output.ToArray();
    }

    public static TheoryData<string, string, CompressionType> ToolCompressors => new()
    {
        { "lz4", "-c -q", CompressionType.Lz4 },                // content checksum, independent blocks
        { "lz4", "-c -q -BD", CompressionType.Lz4 },            // linked blocks
        { "lz4", "-c -q -B4 -BX --no-frame-crc", CompressionType.Lz4 }, // 64 KB blocks, block checksums
        { "lz4", "-c -q -B7 --content-size", CompressionType.Lz4 },     // 4 MB blocks, content size
        { "lz4", "-c -q -9", CompressionType.Lz4 },             // high-compression matcher
        { "zstd", "-c -q", CompressionType.Zstd },
        { "zstd", "-c -q -19", CompressionType.Zstd },
        { "zstd", "-c -q --no-content-size", CompressionType.Zstd },
        { "gzip", "-c", CompressionType.Gzip },
        { "gzip", "-c -9", CompressionType.Gzip },
    };

    [Theory]
    [MemberData(nameof(ToolCompressors))]
    public void Data_compressed_by_the_cli_tool_decodes(string tool, string arguments, CompressionType type)
    {
        foreach (var size in new[] { 0, 1, 1000, 70_000, 1_500_000 })
        {
            var data = CodecRoundTripTests.Compressible(size, size);
            var compressed = RunTool(tool, arguments, data);
            Assert.Equal(data, CodecRoundTripTests.Decompress(type, compressed));
        }
    }

    public static TheoryData<string, CompressionType> ToolDecompressors => new()
    {
        { "lz4", CompressionType.Lz4 },
        { "zstd", CompressionType.Zstd },
        { "gzip", CompressionType.Gzip },
    };

    [Theory]
    [MemberData(nameof(ToolDecompressors))]
    public void Data_we_compress_decodes_with_the_cli_tool(string tool, CompressionType type)
    {
        foreach (var size in new[] { 0, 1, 1000, 70_000, 1_500_000 })
        {
            var data = size % 2 == 0 ? CodecRoundTripTests.Compressible(size, size) : CodecRoundTripTests.Random(size, size);
            var compressed = CodecRoundTripTests.Compress(type, data);
            Assert.Equal(data, RunTool(tool, "-d -c -q", compressed));
        }
    }

    [Fact]
    public void Two_concatenated_lz4_frames_decode_as_one_stream()
    {
        var a = CodecRoundTripTests.Compressible(5000, 1);
        var b = CodecRoundTripTests.Compressible(7000, 2);
        var both = RunTool("lz4", "-c -q", a).Concat(RunTool("lz4", "-c -q -BD", b)).ToArray();
        Assert.Equal(a.Concat(b).ToArray(), CodecRoundTripTests.Decompress(CompressionType.Lz4, both));
    }

    [Fact]
    public void Concatenated_gzip_members_decode_as_one_stream()
    {
        var a = CodecRoundTripTests.Compressible(5000, 1);
        var b = CodecRoundTripTests.Compressible(7000, 2);
        var both = RunTool("gzip", "-c", a).Concat(RunTool("gzip", "-c", b)).ToArray();
        Assert.Equal(a.Concat(b).ToArray(), CodecRoundTripTests.Decompress(CompressionType.Gzip, both));
    }

    [Fact]
    public void Snappy_blocks_interoperate_with_iron_snappy()
    {
        foreach (var size in new[] { 0, 1, 59, 60, 61, 300, 65536, 65537, 300_000 })
        {
            foreach (var data in new[] { CodecRoundTripTests.Compressible(size, size), CodecRoundTripTests.Random(size, size) })
            {
                // Their raw block through our reader (a bare block without xerial framing).
                var theirs = IronSnappy.Snappy.Encode(data);
                Assert.Equal(data, CodecRoundTripTests.Decompress(CompressionType.Snappy, theirs));
                // Our raw block through theirs.
                var ours = new byte[SnappyBlock.MaxCompressedLength(size)];
                var n = SnappyBlock.Compress(data, ours);
                Assert.Equal(data, IronSnappy.Snappy.Decode(ours.AsSpan(0, n)));
            }
        }
    }

    [Fact]
    public void Xerial_framing_matches_snappy_java()
    {
        var framed = CodecRoundTripTests.Compress(CompressionType.Snappy, "hello hello hello"u8);
        // Magic, version 1, compatible version 1, then [length][block].
        Assert.Equal(new byte[] { 0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1 }, framed[..16]);
        var blockLength = (framed[16] << 24) | (framed[17] << 16) | (framed[18] << 8) | framed[19];
        Assert.Equal(framed.Length - 20, blockLength);
        Assert.Equal("hello hello hello"u8.ToArray(), IronSnappy.Snappy.Decode(framed.AsSpan(20)));
    }

    [Fact]
    public void Lz4_frame_header_is_what_the_java_client_writes()
    {
        var frame = CodecRoundTripTests.Compress(CompressionType.Lz4, "abc"u8);
        // Magic 0x184D2204 little-endian, FLG 0x60 (v01, independent blocks), BD 0x40 (64 KB), header checksum.
        Assert.Equal(new byte[] { 0x04, 0x22, 0x4D, 0x18, 0x60, 0x40, 0x82 }, frame[..7]);
        Assert.Equal(new byte[] { 0, 0, 0, 0 }, frame[^4..]);
    }
}
