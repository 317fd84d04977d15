using Samsa.Protocol;

namespace Samsa.Testing;

/// <summary>A captured request/response pair (response null when not golden material) with the file names it is stored under.</summary>
/// <param name="Name">Base name, "{ApiKey}-v{version}" plus "-{scenario}" for per-codec Produce/Fetch.</param>
/// <param name="Scenario">The kcat scenario that produced it.</param>
/// <param name="Exchange">The recorded frames.</param>
public sealed record GoldenExchange(string Name, string Scenario, RecordedExchange Exchange)
{
    /// <summary>File name of the request frame.</summary>
    public string RequestFile => $"{Name}-request.bin";

    /// <summary>File name of the response frame.</summary>
    public string ResponseFile => $"{Name}-response.bin";
}

/// <summary>
/// Captures golden frames: kcat (librdkafka 2.0.2) against librdkafka's mock cluster, through a
/// <see cref="RecordingProxy"/>. Each scenario exercises part of the protocol: metadata, produce
/// and fetch with every codec, a consumer group, a transactional producer, offsets by timestamp.
/// </summary>
public static class GoldenCapture
{
    /// <summary>The compression codecs kcat -z accepts, in capture order.</summary>
    public static readonly IReadOnlyList<string> Codecs = ["none", "gzip", "snappy", "lz4", "zstd"];

    /// <summary>
    /// The record lines kcat produces per codec ("key:value"; every record also gets header golden=1).
    /// Values repeat themselves so every codec shrinks the batch: librdkafka sends a batch
    /// uncompressed when compression would not make it smaller.
    /// </summary>
    public static readonly IReadOnlyList<string> Records =
    [
        "k1:value-1 golden golden golden golden golden golden golden golden golden golden golden golden",
        "k2:value-2 with some more text, with some more text, with some more text, with some more text",
        "k3:value-3 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789",
    ];

    /// <summary>
    /// Runs every scenario and returns one exchange per (API key, version), plus one Produce and
    /// Fetch exchange per codec; the exchange with the largest response is kept for each.
    /// </summary>
    public static async Task<IReadOnlyList<GoldenExchange>> CaptureAsync(CancellationToken cancellationToken = default)
    {
        using var cluster = new MockCluster(1);
        await using var proxy = RecordingProxy.ForCluster(cluster);
        var bootstrap = proxy.BootstrapServers;
        var captured = new List<(string Scenario, RecordedExchange Exchange)>();

        void Take(string scenario)
        {
            foreach (var e in proxy.Exchanges())
            {
                // librdkafka 2.0.2's mock answers an ApiVersions version it does not support with a
                // body that is neither v0 nor the requested version (an int8 array count, no tags);
                // that response is not valid Kafka, so only the request is golden material.
                if (e.Response is not null && IsMockApiVersionsFallback(e))
                {
                    captured.Add((scenario, e with { Response = null }));
                }
                else if (e.Response is not null)
                {
                    captured.Add((scenario, e));
                }
            }
            proxy.Clear();
        }

        using (await Kcat.MetadataAsync(bootstrap))
        {
        }
        Take("metadata");

        foreach (var codec in Codecs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var topic = $"golden-{codec}";
            cluster.CreateTopic(topic, partitions: 1);
            await Kcat.ProduceAsync(bootstrap, topic, Records, partition: 0, keyDelimiter: ":", compression: codec,
                headers: [new("golden", "1")], extraArgs: ["-X", "linger.ms=50"]);
            await Kcat.ConsumeAsync(bootstrap, topic, Records.Count, "%k:%s\\n", partition: 0);
            Take(codec);
        }

        // Older versions of the main APIs: cap what the mock advertises so librdkafka steps down.
        // Some capped versions hit mock bugs (2.0.2 answers Produce v5 without LogStartOffset, which
        // kcat itself rejects); a run kcat does not accept is not golden material, so it is dropped.
        cluster.CreateTopic("golden-versions", partitions: 1);
        async Task Sweep(ApiKey api, short from, short to, short max, Func<short, Task<KcatResult>> run)
        {
            for (var v = from; v <= to; v++)
            {
                cluster.SetApiVersion(api, 0, v);
                var result = await run(v);
                if (result.ExitCode == 0)
                {
                    Take("versions");
                }
                else
                {
                    proxy.Clear();
                }
            }
            cluster.SetApiVersion(api, 0, max);
        }
        await Sweep(ApiKey.Produce, 3, 6, 7, v => Kcat.RunAsync(["-P", "-b", bootstrap, "-t", "golden-versions", "-p", "0", "-K", ":"],
            System.Text.Encoding.UTF8.GetBytes($"k{v}:produce-v{v}\n"), cancellationToken: cancellationToken));
        await Sweep(ApiKey.Fetch, 4, 10, 11, v => Kcat.RunAsync(["-C", "-b", bootstrap, "-t", "golden-versions", "-p", "0", "-o", "beginning", "-e", "-q"],
            cancellationToken: cancellationToken));
        await Sweep(ApiKey.Metadata, 0, 1, 2, v => Kcat.RunAsync(["-L", "-b", bootstrap], cancellationToken: cancellationToken));

        cluster.CreateTopic("golden-group", partitions: 2);
        await Kcat.ProduceAsync(bootstrap, "golden-group", ["g1", "g2"], partition: 0);
        await Kcat.RunAsync(
            ["-b", bootstrap, "-G", "golden-group-1", "-X", "auto.offset.reset=earliest", "-e", "-q", "-c", "2", "golden-group"],
            timeout: TimeSpan.FromSeconds(25), cancellationToken: cancellationToken);
        Take("group");

        cluster.CreateTopic("golden-txn", partitions: 1);
        await Kcat.ProduceAsync(bootstrap, "golden-txn", ["t1", "t2"], partition: 0, extraArgs: ["-X", "transactional.id=golden-txn-1"]);
        Take("transaction");

        await Kcat.RunAsync(["-Q", "-b", bootstrap, "-t", "golden-none:0:0"], timeout: TimeSpan.FromSeconds(15), cancellationToken: cancellationToken);
        Take("offsets");

        return Select(captured);
    }

    private static bool IsMockApiVersionsFallback(RecordedExchange e) =>
        e.Request.ApiKey == ApiKey.ApiVersions && e.Response!.Frame.Length >= 6
        && System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(e.Response.Frame.AsSpan(4)) == (short)ErrorCode.UnsupportedVersion;

    /// <summary>Writes request and response frames of <paramref name="exchanges"/> into <paramref name="directory"/>.</summary>
    public static void WriteTo(string directory, IReadOnlyList<GoldenExchange> exchanges)
    {
        Directory.CreateDirectory(directory);
        foreach (var g in exchanges)
        {
            File.WriteAllBytes(Path.Combine(directory, g.RequestFile), g.Exchange.Request.Frame);
            if (g.Exchange.Response is { } response)
            {
                File.WriteAllBytes(Path.Combine(directory, g.ResponseFile), response.Frame);
            }
        }
    }

    private static List<GoldenExchange> Select(List<(string Scenario, RecordedExchange Exchange)> captured)
    {
        var best = new Dictionary<string, GoldenExchange>();
        var order = new List<string>();
        foreach (var (scenario, e) in captured)
        {
            var perCodec = e.Request.ApiKey is ApiKey.Produce or ApiKey.Fetch && Codecs.Contains(scenario);
            var name = $"{e.Request.ApiKey}-v{e.Request.ApiVersion}" + (perCodec ? $"-{scenario}" : "");
            if (!best.TryGetValue(name, out var current))
            {
                order.Add(name);
                best[name] = new GoldenExchange(name, scenario, e);
            }
            else if ((e.Response?.Frame.Length ?? -1) > (current.Exchange.Response?.Frame.Length ?? -1))
            {
                best[name] = new GoldenExchange(name, scenario, e);
            }
        }
        var result = new List<GoldenExchange>();
        foreach (var name in order)
        {
            result.Add(best[name]);
        }
        return result;
    }
}
