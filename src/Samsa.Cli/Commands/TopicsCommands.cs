using Samsa.Cli.CommandLine;
using Samsa.Cli.Output;
using Samsa.Client.Admin;
using Samsa.Client.Consumer;
using Samsa.Client.Metadata;
using Samsa.Protocol;
using Samsa.Protocol.Errors;

namespace Samsa.Cli.Commands;

/// <summary><c>samsa topics list</c>: topic names, one per line.</summary>
internal sealed class TopicsListCommand : CliCommand
{
    private static readonly OptionSpec Internal = new(null, "internal", null, "include internal topics");

    public override string Name => "topics list";

    public override string Summary => "list topics";

    public override string Details => "example: samsa topics list -b localhost:9092";

    public override IReadOnlyList<OptionSpec> Options { get; } = [.. AdminCommands.Common, CommonOptions.Json, Internal];

    public override async Task<int> RunAsync(ParsedArguments args, CliContext context)
    {
        await using var admin = AdminCommands.Create(args, context);
        var names = await admin.ListTopicsAsync(args.Has(Internal.Long), context.Cancellation).ConfigureAwait(false);
        if (args.Has(CommonOptions.Json.Long))
        {
            JsonOutput.WriteLine(context.Out, w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("topics");
                foreach (var n in names)
                    w.WriteStringValue(n);
                w.WriteEndArray();
                w.WriteEndObject();
            });
        }
        else
        {
            foreach (var n in names)
                context.Out.WriteLine(n);
        }
        return Cli.ExitOk;
    }
}

/// <summary><c>samsa topics describe</c>: partitions, leaders, replicas and earliest/latest offsets.</summary>
internal sealed class TopicsDescribeCommand : CliCommand
{
    public override string Name => "topics describe";

    public override string Summary => "show topics' partitions, leaders, replicas and offsets";

    public override string Details => "example: samsa topics describe -b localhost:9092 orders --json";

    public override string Positionals => "[TOPIC...]";

    public override IReadOnlyList<OptionSpec> Options { get; } = [.. AdminCommands.Common, CommonOptions.Topic, CommonOptions.Json];

    public override async Task<int> RunAsync(ParsedArguments args, CliContext context)
    {
        var topics = AdminCommands.Topics(args, required: true);
        await using var admin = AdminCommands.Create(args, context);
        var described = await admin.DescribeTopicsAsync(topics, context.Cancellation).ConfigureAwait(false);
        var earliest = new Dictionary<TopicPartition, OffsetSpec>();
        var latest = new Dictionary<TopicPartition, OffsetSpec>();
        foreach (var t in described)
        {
            foreach (var p in t.Partitions)
            {
                earliest[new TopicPartition(t.Name, p.Partition)] = OffsetSpec.Earliest;
                latest[new TopicPartition(t.Name, p.Partition)] = OffsetSpec.Latest;
            }
        }
        var first = await admin.ListOffsetsAsync(earliest, context.Cancellation).ConfigureAwait(false);
        var last = await admin.ListOffsetsAsync(latest, context.Cancellation).ConfigureAwait(false);
        foreach (var t in described)
        {
            (long, long)? Offsets(int p) =>
                first.TryGetValue(new(t.Name, p), out var a) && last.TryGetValue(new(t.Name, p), out var b) ? (a.Offset, b.Offset) : null;
            if (args.Has(CommonOptions.Json.Long))
                JsonOutput.WriteLine(context.Out, w => MetadataCommand.WriteTopic(w, t, Offsets));
            else
                MetadataCommand.WriteTopicText(context.Out, t, Offsets);
        }
        return Cli.ExitOk;
    }
}

/// <summary><c>samsa topics create</c>.</summary>
internal sealed class TopicsCreateCommand : CliCommand
{
    private static readonly OptionSpec Partitions = new('P', "partitions", "N", "partition count (default: the broker's)");
    private static readonly OptionSpec Replication = new('r', "replication-factor", "N", "replication factor (default: the broker's)");
    private static readonly OptionSpec Config = new('c', "config", "NAME=VALUE", "topic config (repeatable; default: the broker's), e.g. cleanup.policy=compact", Repeatable: true);
    private static readonly OptionSpec IfNotExists = new(null, "if-not-exists", null, "succeed when the topic already exists");

    public override string Name => "topics create";

    public override string Summary => "create topics";

    public override string Details => "example: samsa topics create -b localhost:9092 orders -P 6 -r 3 -c retention.ms=86400000";

    public override string Positionals => "[TOPIC...]";

    public override IReadOnlyList<OptionSpec> Options { get; } =
        [.. AdminCommands.Common, CommonOptions.Topic, Partitions, Replication, Config, IfNotExists];

    public override async Task<int> RunAsync(ParsedArguments args, CliContext context)
    {
        var topics = AdminCommands.Topics(args, required: true);
        var partitions = args.GetInt32(Partitions.Long, -1, 1);
        var replication = (short)args.GetInt32(Replication.Long, -1, 1, short.MaxValue);
        var configs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var c in args.GetAll(Config.Long))
        {
            var eq = c.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw new CliUsageException($"--config needs NAME=VALUE, got '{c}'");
            configs[c[..eq]] = c[(eq + 1)..];
        }
        await using var admin = AdminCommands.Create(args, context);
        var newTopics = topics.Select(t => new NewTopic(t, partitions, replication) { Configs = configs }).ToList();
        try
        {
            await admin.CreateTopicsAsync(newTopics, cancellationToken: context.Cancellation).ConfigureAwait(false);
        }
        catch (KafkaException e) when (e.Code == ErrorCode.TopicAlreadyExists && args.Has(IfNotExists.Long))
        {
        }
        foreach (var t in topics)
            context.Out.WriteLine($"created topic '{t}'");
        return Cli.ExitOk;
    }
}

/// <summary><c>samsa topics delete</c>.</summary>
internal sealed class TopicsDeleteCommand : CliCommand
{
    public override string Name => "topics delete";

    public override string Summary => "delete topics";

    public override string Details => "example: samsa topics delete -b localhost:9092 orders";

    public override string Positionals => "[TOPIC...]";

    public override IReadOnlyList<OptionSpec> Options { get; } = [.. AdminCommands.Common, CommonOptions.Topic];

    public override async Task<int> RunAsync(ParsedArguments args, CliContext context)
    {
        var topics = AdminCommands.Topics(args, required: true);
        await using var admin = AdminCommands.Create(args, context);
        await admin.DeleteTopicsAsync(topics, context.Cancellation).ConfigureAwait(false);
        foreach (var t in topics)
            context.Out.WriteLine($"deleted topic '{t}'");
        return Cli.ExitOk;
    }
}

/// <summary><c>samsa topics add-partitions</c>: CreatePartitions.</summary>
internal sealed class TopicsAddPartitionsCommand : CliCommand
{
    private static readonly OptionSpec Partitions = new('P', "partitions", "N", "the new total partition count (required)");

    public override string Name => "topics add-partitions";

    public override string Summary => "raise topics' partition count to a new total";

    public override string Details => "example: samsa topics add-partitions -b localhost:9092 orders -P 12";

    public override string Positionals => "[TOPIC...]";

    public override IReadOnlyList<OptionSpec> Options { get; } = [.. AdminCommands.Common, CommonOptions.Topic, Partitions];

    public override async Task<int> RunAsync(ParsedArguments args, CliContext context)
    {
        var topics = AdminCommands.Topics(args, required: true);
        args.Require(Partitions.Long, 'P');
        var total = args.GetInt32(Partitions.Long, -1, 1);
        await using var admin = AdminCommands.Create(args, context);
        await admin.CreatePartitionsAsync(topics.ToDictionary(t => t, _ => total), cancellationToken: context.Cancellation).ConfigureAwait(false);
        foreach (var t in topics)
            context.Out.WriteLine($"topic '{t}' now has {total} partitions");
        return Cli.ExitOk;
    }
}
