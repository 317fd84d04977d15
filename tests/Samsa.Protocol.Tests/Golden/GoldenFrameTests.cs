using System.Buffers.Binary;
using System.Text.RegularExpressions;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Primitives;
using Samsa.Testing;

namespace Samsa.Protocol.Tests.Golden;

/// <summary>
/// Frames captured from kcat (librdkafka 2.0.2) talking to librdkafka's mock cluster decode with the
/// generated messages and re-encode byte-identically (see Golden/README.md).
/// </summary>
public sealed partial class GoldenFrameTests
{
    public static TheoryData<string> RequestFiles => Files("-request.bin");

    public static TheoryData<string> ResponseFiles => Files("-response.bin");

    [Fact]
    public void Golden_folder_holds_the_captured_frames()
    {
        // Guards the theories below against passing vacuously when the files are not found.
        Assert.True(RequestFiles.Count >= 35, $"only {RequestFiles.Count} request frames in {GoldenDirectory}");
        Assert.True(ResponseFiles.Count >= 35, $"only {ResponseFiles.Count} response frames in {GoldenDirectory}");
    }

    [Theory]
    [MemberData(nameof(RequestFiles))]
    public void Request_decodes_and_reencodes_byte_identically(string file)
    {
        var (apiKey, version) = ParseName(file);
        var frame = File.ReadAllBytes(Path.Combine(GoldenDirectory, file));

        var (header, headerVersion, body) = KafkaFrame.DecodeRequest(frame);

        Assert.Equal((short)apiKey, header.RequestApiKey);
        Assert.Equal(version, header.RequestApiVersion);
        Assert.Equal(apiKey, body.ApiKey);
        Assert.Equal(header.ComputeSize(headerVersion) + body.ComputeSize(version), frame.Length);
        Assert.Equal(frame, KafkaFrame.Encode(header, headerVersion, body, version));
    }

    [Theory]
    [MemberData(nameof(ResponseFiles))]
    public void Response_decodes_and_reencodes_byte_identically(string file)
    {
        var (apiKey, version) = ParseName(file);
        var frame = File.ReadAllBytes(Path.Combine(GoldenDirectory, file));
        var request = File.ReadAllBytes(Path.Combine(GoldenDirectory, file.Replace("-response.bin", "-request.bin", StringComparison.Ordinal)));

        var (header, headerVersion, body) = KafkaFrame.DecodeResponse(apiKey, version, frame);

        Assert.Equal(BinaryPrimitives.ReadInt32BigEndian(request.AsSpan(4)), header.CorrelationId);
        Assert.Equal(apiKey, body.ApiKey);
        Assert.Equal(header.ComputeSize(headerVersion) + body.ComputeSize(version), frame.Length);
        Assert.Equal(frame, KafkaFrame.Encode(header, headerVersion, body, version));
    }

    [Fact]
    public void Flexible_ApiVersions_request_keeps_the_client_software_name_and_version()
    {
        var frame = File.ReadAllBytes(Path.Combine(GoldenDirectory, "ApiVersions-v3-request.bin"));

        var (header, headerVersion, body) = KafkaFrame.DecodeRequest(frame);

        Assert.Equal(2, headerVersion);
        Assert.Equal("rdkafka", header.ClientId);
        var request = Assert.IsType<ApiVersionsRequest>(body);
        Assert.Equal("librdkafka", request.ClientSoftwareName);
        Assert.Equal("2.0.2", request.ClientSoftwareVersion);
    }

    public static TheoryData<string> Codecs => ["none", "gzip", "snappy", "lz4", "zstd"];

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Record_batches_kcat_produced_decode_to_the_captured_records(string codec)
    {
        var produce = Assert.Single(Directory.GetFiles(GoldenDirectory, $"Produce-v*-{codec}-request.bin"));
        var fetch = Assert.Single(Directory.GetFiles(GoldenDirectory, $"Fetch-v*-{codec}-response.bin"));

        var request = Assert.IsType<ProduceRequest>(KafkaFrame.DecodeRequest(File.ReadAllBytes(produce)).Body);
        var (apiKey, version) = ParseName(Path.GetFileName(fetch));
        var response = Assert.IsType<FetchResponse>(KafkaFrame.DecodeResponse(apiKey, version, File.ReadAllBytes(fetch)).Body);

        var produced = DecodedRecord.ReadAll(Assert.Single(Assert.Single(request.TopicData).PartitionData).Records!.Value);
        var fetched = DecodedRecord.ReadAll(Assert.Single(Assert.Single(response.Responses).Partitions).Records!.Value);
        var expectedCodec = Enum.Parse<Samsa.Protocol.Compression.CompressionType>(codec, ignoreCase: true);
        foreach (var records in new[] { produced, fetched })
        {
            Assert.Equal(GoldenCapture.Records.Count, records.Count);
            for (var i = 0; i < records.Count; i++)
            {
                var line = GoldenCapture.Records[i];
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                Assert.Equal(expectedCodec, records[i].Compression);
                Assert.Equal(line[..colon], records[i].KeyText);
                Assert.Equal(line[(colon + 1)..], records[i].ValueText);
                var header = Assert.Single(records[i].Headers);
                Assert.Equal("golden", header.Key);
                Assert.Equal("1"u8.ToArray(), header.Value);
            }
        }
    }

    private static (ApiKey ApiKey, short Version) ParseName(string file)
    {
        var match = NamePattern().Match(file);
        Assert.True(match.Success, $"golden file name '{file}' is not ApiKey-vN[-codec]-request|response.bin");
        return (Enum.Parse<ApiKey>(match.Groups[1].Value), short.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^([A-Za-z]+)-v(\d+)(-[a-z0-9]+)?-(request|response)\.bin$")]
    private static partial Regex NamePattern();

    private static TheoryData<string> Files(string suffix)
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(GoldenDirectory, "*" + suffix).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path));
        }
        return data;
    }

    internal static string GoldenDirectory { get; } = FindGoldenDirectory();

    private static string FindGoldenDirectory()
    {
        // The frames live next to this file in the source tree; walk up from bin/ to find them.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "Golden"), Path.Combine(dir.FullName, "tests", "Samsa.Protocol.Tests", "Golden") })
            {
                if (File.Exists(Path.Combine(candidate, "README.md")) && File.Exists(Path.Combine(candidate, "GoldenFrameTests.cs")))
                {
                    return candidate;
                }
            }
        }
        throw new DirectoryNotFoundException($"tests/Samsa.Protocol.Tests/Golden not found above {AppContext.BaseDirectory}");
    }
}
