using Samsa.Protocol;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Messages;
using Samsa.Testing;

namespace Samsa.IntegrationTests.Protocol;

/// <summary>
/// Re-runs the golden capture (kcat against the mock cluster through the recording proxy). Set
/// SAMSA_GOLDEN_OUT to a directory to also write the frames there, e.g.
/// SAMSA_GOLDEN_OUT=$PWD/tests/Samsa.Protocol.Tests/Golden dotnet test tests/Samsa.IntegrationTests --filter GoldenCapture
/// </summary>
public sealed class GoldenCaptureTests
{
    [Fact]
    public async Task Capture_records_metadata_produce_fetch_group_and_transaction_exchanges()
    {
        var exchanges = await GoldenCapture.CaptureAsync();

        if (Environment.GetEnvironmentVariable("SAMSA_GOLDEN_OUT") is { Length: > 0 } output)
        {
            GoldenCapture.WriteTo(output, exchanges);
        }
        var keys = exchanges.Select(e => e.Exchange.Request.ApiKey).ToHashSet();
        Assert.Superset(new HashSet<ApiKey> { ApiKey.ApiVersions, ApiKey.Metadata, ApiKey.Produce, ApiKey.Fetch }, keys);
        foreach (var codec in GoldenCapture.Codecs)
        {
            var produce = Assert.Single(exchanges, e => e.Exchange.Request.ApiKey == ApiKey.Produce && e.Scenario == codec);
            Assert.Single(exchanges, e => e.Exchange.Request.ApiKey == ApiKey.Fetch && e.Scenario == codec);
            // kcat really used the codec (librdkafka falls back to no compression when it does not pay).
            var request = Assert.IsType<ProduceRequest>(KafkaFrame.DecodeRequest(produce.Exchange.Request.Frame).Body);
            var records = DecodedRecord.ReadAll(request.TopicData[0].PartitionData[0].Records!.Value);
            Assert.Equal(GoldenCapture.Records.Count, records.Count);
            Assert.All(records, r => Assert.Equal(Enum.Parse<CompressionType>(codec, ignoreCase: true), r.Compression));
        }
    }
}
