using System.Globalization;
using Samsa.Cli.CommandLine;
using Samsa.Cli.Output;
using Samsa.Client.Admin;
using Samsa.Client.Consumer;
using Samsa.Client.Metadata;
using Samsa.Protocol;
using Samsa.Protocol.Errors;

namespace Samsa.Cli.Commands;

/// <summary><c>samsa groups list</c>.</summary>
internal sealed class GroupsListCommand : CliCommand
{
    public override string Name => "groups list";

    public override string Summary => "list consumer groups";

    public override string Details => "Text output: group, protocol type, state, coordinator (tab-separated).\nexample: samsa groups list -b localhost:9092";

    public override IReadOnlyList<OptionSpec> Options { get; } = [.. AdminCommands.Common, CommonOptions.Json];

    public override async Task<int> RunAsync(ParsedArguments args, CliContext context)
    {
        await using var admin = AdminCommands.Create(args, context);
        var groups = await admin.ListGroupsAsync(context.Cancellation).ConfigureAwait(false);
        if (args.Has(CommonOptions.Json.Long))
        {
            JsonOutput.WriteLine(context.Out, w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("groups");
                foreach (var g in groups)
                {
                    w.WriteStartObject();
                    w.WriteString("group", g.GroupId);
                    w.WriteString("protocol_type", g.ProtocolType);
                    w.WriteString("state", g.State);
                    w.WriteNumber("coordinator", g.CoordinatorId);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            });
        }
        else
        {
            foreach (var g in groups)
            {
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{g.GroupId}\t{(g.ProtocolType.Length == 0 ? "-" : g.ProtocolType)}\t{g.State ?? "-"}\tcoordinator {g.CoordinatorId}"));
            }
        }
        return Cli.ExitOk;
    }
}

/// <summary><c>samsa groups describe</c>: state, members and, per partition, committed offset, end offset and lag.</summary>
internal sealed class GroupsDescribeCommand : CliCommand
{
    private static readonly OptionSpec Group = new('G', "group", "GROUP", "group id; or give groups as arguments (one is required)");

    public override string Name => "groups describe";

    public override string Summary => "show groups' members, committed offsets and lag per partition";

    public override string Details =>
        "lag = end offset - committed offset, per partition; a group that does not exist is an error.\n" +
        "example: samsa groups describe -b localhost:9092 orders-app --json";

    public override string Positionals => "[GROUP...]";

    public override IReadOnlyList<OptionSpec> Options { get; } = [.. AdminCommands.Common, Group, CommonOptions.Json];

    /// <summary>One row of the lag table.</summary>
    internal sealed record PartitionLag(TopicPartition Partition, long? Committed, long End, string? Member)
    {
        public long? Lag => Committed is { } c ? Math.Max(0, End - c) : null;
    }

    public override async Task<int> RunAsync(ParsedArguments args, CliContext context)
    {
        var ids = new List<string>();
        if (args.Get(Group.Long) is { } g)
            ids.Add(g);
        ids.AddRange(args.Positionals);
        if (ids.Count == 0)
            throw new CliUsageException("'samsa groups describe' needs a group (-G GROUP or GROUP...)");
        await using var admin = AdminCommands.Create(args, context);
        IReadOnlyList<GroupDescription> descriptions;
        try
        {
            descriptions = await admin.DescribeGroupsAsync(ids, context.Cancellation).ConfigureAwait(false);
        }
        catch (KafkaException e) when (e.Code == ErrorCode.UnsupportedVersion)
        {
            // Brokers without DescribeGroups (librdkafka's mock) still answer OffsetFetch: show offsets and lag.
            await context.Error.WriteLineAsync($"samsa: note: {e.Message}; showing committed offsets only").ConfigureAwait(false);
            descriptions = ids.Select(id => new GroupDescription(id, "Unknown", "", "", -1, [])).ToList();
        }
        catch (KafkaException e) when (e.Code == ErrorCode.GroupIdNotFound)
        {
            throw NoSuchGroup(e.Message);
        }

        // Every group is checked before anything is printed, so a typo in one fails the whole call cleanly.
        var described = new List<(GroupDescription Group, List<PartitionLag> Rows)>(descriptions.Count);
        foreach (var d in descriptions)
        {
            var rows = await LagAsync(admin, d, context.Cancellation).ConfigureAwait(false);
            // Kafka describes a group it has never heard of as Dead with no members; a broker without
            // DescribeGroups (Unknown) shows its existence only through committed offsets.
            if ((d.State == "Dead" && d.Members.Count == 0) || (d.State == "Unknown" && rows.Count == 0))
                throw NoSuchGroup($"consumer group '{d.GroupId}' does not exist");
            described.Add((d, rows));
        }
        foreach (var (d, rows) in described)
        {
            if (args.Has(CommonOptions.Json.Long))
                JsonOutput.WriteLine(context.Out, w => WriteJson(w, d, rows));
            else
                WriteText(context.Out, d, rows);
        }
        return Cli.ExitOk;
    }

    private static KafkaException NoSuchGroup(string message) =>
        new(ErrorCode.GroupIdNotFound, message + "; see 'samsa groups list'");

    private static readonly Comparer<TopicPartition> PartitionOrder = Comparer<TopicPartition>.Create((a, b) =>
    {
        var c = string.CompareOrdinal(a.Topic, b.Topic);
        return c != 0 ? c : a.Partition.CompareTo(b.Partition);
    });

    internal static async Task<List<PartitionLag>> LagAsync(AdminClient admin, GroupDescription d, CancellationToken ct)
    {
        var committed = await admin.ListConsumerGroupOffsetsAsync(d.GroupId, null, ct).ConfigureAwait(false);
        var owner = new Dictionary<TopicPartition, string>();
        foreach (var m in d.Members)
        {
            foreach (var tp in m.Assignment)
                owner[tp] = m.ClientId.Length > 0 ? $"{m.ClientId} ({m.MemberId})" : m.MemberId;
        }
        var partitions = new SortedSet<TopicPartition>(committed.Keys, PartitionOrder);
        partitions.UnionWith(owner.Keys);
        var specs = new Dictionary<TopicPartition, OffsetSpec>();
        foreach (var tp in partitions)
            specs[tp] = OffsetSpec.Latest;
        var ends = await admin.ListOffsetsAsync(specs, ct).ConfigureAwait(false);
        var rows = new List<PartitionLag>(partitions.Count);
        foreach (var tp in partitions)
        {
            rows.Add(new PartitionLag(tp,
                committed.TryGetValue(tp, out var c) ? c.Offset : null,
                ends.TryGetValue(tp, out var e) ? e.Offset : -1,
                owner.GetValueOrDefault(tp)));
        }
        return rows;
    }

    private static void WriteJson(System.Text.Json.Utf8JsonWriter w, GroupDescription d, List<PartitionLag> rows)
    {
        w.WriteStartObject();
        w.WriteString("group", d.GroupId);
        w.WriteString("state", d.State);
        w.WriteString("protocol_type", d.ProtocolType);
        w.WriteString("protocol", d.Protocol);
        w.WriteNumber("coordinator", d.CoordinatorId);
        w.WriteStartArray("members");
        foreach (var m in d.Members)
        {
            w.WriteStartObject();
            w.WriteString("member_id", m.MemberId);
            w.WriteString("group_instance_id", m.GroupInstanceId);
            w.WriteString("client_id", m.ClientId);
            w.WriteString("host", m.Host);
            w.WriteStartArray("assignment");
            foreach (var tp in m.Assignment)
            {
                w.WriteStartObject();
                w.WriteString("topic", tp.Topic);
                w.WriteNumber("partition", tp.Partition);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("partitions");
        long total = 0;
        foreach (var r in rows)
        {
            w.WriteStartObject();
            w.WriteString("topic", r.Partition.Topic);
            w.WriteNumber("partition", r.Partition.Partition);
            if (r.Committed is { } c)
                w.WriteNumber("committed_offset", c);
            else
                w.WriteNull("committed_offset");
            w.WriteNumber("end_offset", r.End);
            if (r.Lag is { } lag)
            {
                w.WriteNumber("lag", lag);
                total += lag;
            }
            else
            {
                w.WriteNull("lag");
            }
            w.WriteString("member", r.Member);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber("total_lag", total);
        w.WriteEndObject();
    }

    private static void WriteText(TextWriter o, GroupDescription d, List<PartitionLag> rows)
    {
        var ic = CultureInfo.InvariantCulture;
        o.WriteLine(string.Create(ic,
            $"group {d.GroupId}: {d.State}, protocol {(d.Protocol.Length == 0 ? "-" : d.Protocol)}, coordinator {d.CoordinatorId}, {d.Members.Count} members"));
        foreach (var m in d.Members)
            o.WriteLine(string.Create(ic, $"  member {m.MemberId} client {m.ClientId} host {m.Host}: {string.Join(' ', m.Assignment)}"));
        if (rows.Count == 0)
        {
            o.WriteLine("  no committed offsets");
            return;
        }
        o.WriteLine("  TOPIC                PARTITION  COMMITTED        END              LAG              MEMBER");
        long total = 0;
        foreach (var r in rows)
        {
            total += r.Lag ?? 0;
            o.WriteLine(string.Create(ic,
                $"  {r.Partition.Topic,-20} {r.Partition.Partition,9}  {(r.Committed is { } c ? c.ToString(ic) : "-"),-16} {r.End,-16} {(r.Lag is { } l ? l.ToString(ic) : "-"),-16} {r.Member ?? "-"}"));
        }
        o.WriteLine(string.Create(ic, $"  total lag {total}"));
    }
}
