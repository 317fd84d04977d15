using System.Globalization;
using System.Text.Json;
using Samsa.Cli.CommandLine;
using Samsa.Cli.Output;
using Samsa.Client.Admin;

namespace Samsa.Cli.Commands;

/// <summary><c>samsa metadata</c>: brokers, controller, topics, partitions, leaders and replicas (kcat -L).</summary>
internal sealed class MetadataCommand : CliCommand
{
    public override string Name => "metadata";

    public override string Summary => "show brokers, topics, partitions, leaders and replicas";

    public override IReadOnlyList<OptionSpec> Options { get; } =
        [CommonOptions.Brokers, CommonOptions.Topic with { Help = "only these topics, comma-separated (default: every topic)" }, CommonOptions.Json,
            CommonOptions.Property, CommonOptions.Timeout];

    public override string Details => "example: samsa metadata -b localhost:9092 -t orders --json";

    public override async Task<int> RunAsync(ParsedArguments args, CliContext context)
    {
        var topics = AdminCommands.Topics(args, required: false);
        await using var admin = AdminCommands.Create(args, context);
        var metadata = await admin.DescribeMetadataAsync(topics.Count == 0 ? null : topics, context.Cancellation).ConfigureAwait(false);
        if (args.Has(CommonOptions.Json.Long))
            JsonOutput.WriteLine(context.Out, w => WriteJson(w, metadata));
        else
            WriteText(context.Out, metadata);
        return Cli.ExitOk;
    }

    internal static void WriteJson(Utf8JsonWriter w, ClusterMetadata m)
    {
        w.WriteStartObject();
        w.WriteString("cluster_id", m.Cluster.ClusterId);
        w.WriteNumber("controller_id", m.Cluster.ControllerId);
        w.WriteStartArray("brokers");
        foreach (var b in m.Cluster.Brokers)
        {
            w.WriteStartObject();
            w.WriteNumber("id", b.Id);
            w.WriteString("host", b.Host);
            w.WriteNumber("port", b.Port);
            w.WriteString("rack", b.Rack);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("topics");
        foreach (var t in m.Topics)
            WriteTopic(w, t);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    internal static void WriteTopic(Utf8JsonWriter w, TopicDescription t, Func<int, (long Earliest, long Latest)?>? offsets = null)
    {
        w.WriteStartObject();
        w.WriteString("name", t.Name);
        w.WriteString("topic_id", t.TopicId == Guid.Empty ? null : t.TopicId.ToString());
        w.WriteBoolean("internal", t.IsInternal);
        w.WriteStartArray("partitions");
        foreach (var p in t.Partitions)
        {
            w.WriteStartObject();
            w.WriteNumber("partition", p.Partition);
            w.WriteNumber("leader", p.Leader);
            w.WriteNumber("leader_epoch", p.LeaderEpoch);
            JsonOutput.WriteIntArray(w, "replicas", p.Replicas);
            JsonOutput.WriteIntArray(w, "isr", p.Isr);
            w.WriteString("error", p.Error?.ToString());
            if (offsets?.Invoke(p.Partition) is { } o)
            {
                w.WriteNumber("earliest_offset", o.Earliest);
                w.WriteNumber("latest_offset", o.Latest);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    internal static void WriteText(TextWriter o, ClusterMetadata m)
    {
        var ic = CultureInfo.InvariantCulture;
        o.WriteLine(string.Create(ic, $"cluster {m.Cluster.ClusterId ?? "(no id)"}, controller {m.Cluster.ControllerId}"));
        o.WriteLine(string.Create(ic, $" {m.Cluster.Brokers.Count} brokers:"));
        foreach (var b in m.Cluster.Brokers)
        {
            var tags = (b.Id == m.Cluster.ControllerId ? " (controller)" : "") + (b.Rack is null ? "" : $" rack {b.Rack}");
            o.WriteLine(string.Create(ic, $"  broker {b.Id} at {b.Address}{tags}"));
        }
        o.WriteLine(string.Create(ic, $" {m.Topics.Count} topics:"));
        foreach (var t in m.Topics)
            WriteTopicText(o, t, null);
    }

    internal static void WriteTopicText(TextWriter o, TopicDescription t, Func<int, (long Earliest, long Latest)?>? offsets)
    {
        var ic = CultureInfo.InvariantCulture;
        o.WriteLine(string.Create(ic, $"  topic \"{t.Name}\" with {t.Partitions.Count} partitions{(t.IsInternal ? " (internal)" : "")}:"));
        foreach (var p in t.Partitions)
        {
            var line = string.Create(ic,
                $"    partition {p.Partition}, leader {p.Leader}, replicas: {string.Join(',', p.Replicas)}, isrs: {string.Join(',', p.Isr)}");
            if (offsets?.Invoke(p.Partition) is { } off)
                line += string.Create(ic, $", offsets {off.Earliest}..{off.Latest}");
            if (p.Error is { } e)
                line += $", error {e}";
            o.WriteLine(line);
        }
    }
}
