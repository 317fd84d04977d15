using System.Text;
using System.Text.Json;
using Samsa.Protocol;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Records;
using Samsa.Testing;

namespace Samsa.IntegrationTests.Protocol;

/// <summary>
/// Every compression codec cross-checked both ways against librdkafka: kcat writes and Samsa's
/// record batch reader reads (over a raw Fetch), and Samsa's batch builder writes (over a raw
/// Produce) and kcat reads. The broker is librdkafka's mock cluster, which stores batches as sent.
/// </summary>
public sealed class CodecCrossCheckTests
{
    public static TheoryData<string> Codecs => ["none", "gzip", "snappy", "lz4", "zstd"];

    [Theory]
    [MemberData(nameof(Codecs))]
    public async Task Batches_kcat_writes_decode_to_the_same_keys_values_and_headers(string codec)
    {
        using var cluster = new MockCluster(1);
        var topic = $"kcat-writes-{codec}";
        cluster.CreateTopic(topic, partitions: 1);
        var lines = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            // Repetitive values so every codec really compresses (librdkafka would otherwise be free to send them plain).
            lines.Add($"key-{i}|value {i} " + string.Concat(Enumerable.Repeat("abcdefgh-", i % 7 + 3)) + " \u00e9\u00e8 end");
        }
        lines.Add("empty-value|");

        await Kcat.ProduceAsync(cluster.BootstrapServers, topic, lines, partition: 0, keyDelimiter: "|", compression: codec,
            headers: [new("h1", "v1"), new("trace", "t-42")], extraArgs: ["-X", "linger.ms=200"]);
        var records = await FetchAllAsync(cluster, topic, lines.Count);

        Assert.Equal(lines.Count, records.Count);
        var expectedCodec = Enum.Parse<CompressionType>(codec, ignoreCase: true);
        for (var i = 0; i < lines.Count; i++)
        {
            var separator = lines[i].IndexOf('|', StringComparison.Ordinal);
            Assert.Equal(i, records[i].Offset);
            Assert.Equal(expectedCodec, records[i].Compression);
            Assert.Equal(Encoding.UTF8.GetBytes(lines[i][..separator]), records[i].Key);
            Assert.Equal(Encoding.UTF8.GetBytes(lines[i][(separator + 1)..]), records[i].Value);
            Assert.Equal(["h1", "trace"], records[i].Headers.Select(h => h.Key));
            Assert.Equal(["v1"u8.ToArray(), "t-42"u8.ToArray()], records[i].Headers.Select(h => h.Value));
        }
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public async Task Batches_Samsa_writes_are_read_back_identically_by_kcat(string codec)
    {
        using var cluster = new MockCluster(1);
        var topic = $"samsa-writes-{codec}";
        cluster.CreateTopic(topic, partitions: 1);
        var compression = Enum.Parse<CompressionType>(codec, ignoreCase: true);
        using var builder = new RecordBatchBuilder(compression);
        var expected = new List<(string? Key, string? Value, (string, string)[] Headers)>();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < 30; i++)
        {
            var key = i == 3 ? null : $"k{i}";
            var value = i == 5 ? null : $"value {i} " + string.Concat(Enumerable.Repeat("xyz-", i % 5 + 2)) + "\u00fc";
            (string, string)[] headers = i % 2 == 0 ? [("a", $"h{i}"), ("b", "")] : [];
            var recordHeaders = headers.Select(h => new RecordHeader(h.Item1, Encoding.UTF8.GetBytes(h.Item2))).ToArray();
            builder.Append(timestamp + i, Encoding.UTF8.GetBytes(key ?? ""), Encoding.UTF8.GetBytes(value ?? ""), recordHeaders,
                keyIsNull: key is null, valueIsNull: value is null);
            expected.Add((key, value, headers));
        }
        var batch = builder.Build();

        await using (var connection = await RawKafkaConnection.ConnectAsync(cluster.Broker(1).Address))
        {
            var version = await NegotiateAsync(connection, ApiKey.Produce);
            var response = await connection.SendAsync<ProduceRequest, ProduceResponse>(new ProduceRequest
            {
                Acks = 1,
                TimeoutMs = 5000,
                TopicData = [new() { Name = topic, PartitionData = [new() { Index = 0, Records = batch }] }],
            }, version);
            var partition = Assert.Single(Assert.Single(response.Responses).PartitionResponses);
            Assert.Equal((short)ErrorCode.None, partition.ErrorCode);
            Assert.Equal(0, partition.BaseOffset);
        }
        // check.crcs makes librdkafka verify our CRC-32C as well.
        var consumed = await Kcat.ConsumeAsync(cluster.BootstrapServers, topic, expected.Count, format: null, partition: 0,
            extraArgs: ["-J", "-X", "check.crcs=true"]);

        var lines = consumed.Lines;
        Assert.Equal(expected.Count, lines.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            using var json = JsonDocument.Parse(lines[i]);
            var root = json.RootElement;
            Assert.Equal(i, root.GetProperty("offset").GetInt64());
            Assert.Equal(timestamp + i, root.GetProperty("ts").GetInt64());
            Assert.Equal(expected[i].Key, NullableString(root.GetProperty("key")));
            Assert.Equal(expected[i].Value, NullableString(root.GetProperty("payload")));
            var headers = new List<(string, string)>();
            if (root.TryGetProperty("headers", out var h))
            {
                for (var j = 0; j + 1 < h.GetArrayLength(); j += 2)
                {
                    headers.Add((h[j].GetString()!, h[j + 1].GetString()!));
                }
            }
            Assert.Equal(expected[i].Headers, headers);
        }
    }

    private static string? NullableString(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetString();

    /// <summary>ApiVersions v0 first, then the highest version both sides speak.</summary>
    private static async Task<short> NegotiateAsync(RawKafkaConnection connection, ApiKey api)
    {
        var versions = await connection.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest(), 0);
        Assert.Equal((short)ErrorCode.None, versions.ErrorCode);
        var broker = Assert.Single(versions.ApiKeys, k => k.ApiKey == (short)api);
        var ours = ApiVersionRanges.Get(api);
        return Math.Min(broker.MaxVersion, ours.Highest);
    }

    /// <summary>
    /// Fetches partition 0 from offset 0 until <paramref name="count"/> records arrived; the 2.0.2
    /// mock returns at most one batch per partition per Fetch, so this loops (bounded).
    /// </summary>
    private static async Task<List<DecodedRecord>> FetchAllAsync(MockCluster cluster, string topic, int count)
    {
        await using var connection = await RawKafkaConnection.ConnectAsync(cluster.Broker(1).Address);
        var version = await NegotiateAsync(connection, ApiKey.Fetch);
        var records = new List<DecodedRecord>();
        long offset = 0;
        for (var attempt = 0; attempt < 50 && records.Count < count; attempt++)
        {
            var response = await connection.SendAsync<FetchRequest, FetchResponse>(new FetchRequest
            {
                MaxWaitMs = 100,
                MinBytes = 1,
                MaxBytes = 16 * 1024 * 1024,
                Topics = [new() { Topic = topic, Partitions = [new() { Partition = 0, FetchOffset = offset, PartitionMaxBytes = 4 * 1024 * 1024 }] }],
            }, version);
            Assert.Equal((short)ErrorCode.None, response.ErrorCode);
            var partition = Assert.Single(Assert.Single(response.Responses).Partitions);
            Assert.Equal((short)ErrorCode.None, partition.ErrorCode);
            foreach (var r in DecodedRecord.ReadAll(partition.Records ?? default))
            {
                // A fetch may return a batch that starts before the requested offset.
                if (r.Offset >= offset)
                {
                    records.Add(r);
                }
            }
            offset = records.Count == 0 ? 0 : records[^1].Offset + 1;
        }
        return records;
    }
}
