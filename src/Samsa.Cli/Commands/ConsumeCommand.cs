using System.Globalization;
using Samsa.Cli.CommandLine;
using Samsa.Cli.Output;
using Samsa.Client.Admin;
using Samsa.Client.Consumer;
using Samsa.Client.Metadata;
using Samsa.Client.Serialization;

namespace Samsa.Cli.Commands;

/// <summary>
/// <c>samsa consume</c>: prints records, as text or one JSON object per line. Without -G it reads
/// the partitions directly (from the beginning unless -o says otherwise); with -G it joins the
/// group and starts at the committed offsets.
/// </summary>
internal sealed class ConsumeCommand : CliCommand
{
    internal static readonly OptionSpec Group = new('G', "group", "GROUP", "join this consumer group and start at its committed offsets (default: no group; read the partitions directly)");
    internal static readonly OptionSpec Offset = new('o', "offset", "WHERE", "beginning, end, stored, OFFSET or -N (N before the end) (default: beginning; stored with -G)");
    internal static readonly OptionSpec Exit = new('e', "exit", null, "exit once the end of every assigned partition is reached");
    internal static readonly OptionSpec Count = new('c', "count", "N", "exit after N records (default: no limit)");
    private static readonly OptionSpec KeyDelimiter = new('K', "key-delimiter", "DELIM", "print the key, DELIM, then the value (default: the value only)");

    public override string Name => "consume";

    public override string Summary => "consume records and print them";

    public override string Details =>
        "Without -G: -o defaults to beginning. With -G: committed offsets, else the earliest (auto.offset.reset).\n" +
        "--json prints one object per line: topic, partition, offset, timestamp, key, value, headers.\n" +
        "On a terminal a progress line on stderr shows the count, the rate and the lag.\n" +
        "example: samsa consume -b localhost:9092 -t orders -e --json";

    public override IReadOnlyList<OptionSpec> Options { get; } =
        [CommonOptions.Brokers, CommonOptions.Topic, CommonOptions.Partition, Group, Offset, Exit, Count, CommonOptions.Json, KeyDelimiter, CommonOptions.Property, CommonOptions.Timeout];

    public override async Task<int> RunAsync(ParsedArguments args, CliContext context)
    {
        var topics = AdminCommands.Topics(args, required: true);
        var group = args.Get(Group.Long);
        int? partition = args.Has(CommonOptions.Partition.Long) ? args.GetInt32(CommonOptions.Partition.Long, 0, 0) : null;
        var where = args.Get(Offset.Long) ?? (group is null ? "beginning" : "stored");
        var limit = args.GetInt64(Count.Long, long.MaxValue, 1);
        var exitAtEnd = args.Has(Exit.Long);
        if (group is not null && partition is not null)
            throw new CliUsageException("-p cannot be combined with -G (the group assigns partitions)");
        if (group is null && where == "stored")
            throw new CliUsageException("-o stored needs a group (-G GROUP)");
        if (group is not null && where is not ("stored" or "beginning" or "end"))
            throw new CliUsageException("with -G, -o must be stored, beginning or end");
        long? absolute = null;
        if (where is not ("beginning" or "end" or "stored"))
        {
            if (!long.TryParse(where, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
                throw new CliUsageException($"-o must be beginning, end, stored, an offset or -N, got '{where}'");
            absolute = n;
        }

        var brokers = CommonOptions.ResolveBrokers(args, context);
        var properties = CommonOptions.Properties(args);
        var flags = new Dictionary<string, string>();
        if (group is not null)
        {
            flags["group.id"] = group;
            if (!properties.ContainsKey("auto.offset.reset"))
                flags["auto.offset.reset"] = where == "end" ? "latest" : "earliest";
        }
        var config = ClientFactory.Consumer(brokers, properties, flags);

        // The topics are checked (and, without -G, the partitions listed) through the admin client:
        // a missing topic is a clear error now, where a consumer would wait for it forever.
        List<TopicPartition> assignment = [];
        await using (var admin = AdminCommands.Create(args, context, useProperties: false))
        {
            foreach (var t in await TopicCheck.ForConsumeAsync(admin, topics, partition, context.Cancellation).ConfigureAwait(false))
            {
                foreach (var p in t.Partitions)
                {
                    if (partition is null || p.Partition == partition)
                        assignment.Add(new TopicPartition(t.Name, p.Partition));
                }
            }
        }

        var formatter = new RecordFormatter(context.Out, args.Has(CommonOptions.Json.Long), args.Get(KeyDelimiter.Long));
        using var consumer = new KafkaConsumer<byte[]?, byte[]?>(config, Deserializers.ByteArray, Deserializers.ByteArray, ClientLogging.Create(context));
        if (group is null)
        {
            consumer.Assign(assignment);
            if (where == "beginning")
                consumer.SeekToBeginning(assignment);
            else if (where == "end")
                consumer.SeekToEnd(assignment);
            else if (absolute is { } n)
                SeekAbsolute(consumer, assignment, n);
        }
        else
        {
            consumer.Subscribe(topics);
            if (where == "beginning" || where == "end")
                await context.Error.WriteLineAsync($"samsa: note: with -G, -o {where} applies only where the group has no committed offset").ConfigureAwait(false);
        }

        var progress = new ProgressReporter(context, "records");
        var ends = new Dictionary<TopicPartition, long>();
        long consumed = 0;
        var headers = new List<KeyValuePair<string, ReadOnlyMemory<byte>?>>();
        try
        {
            while (consumed < limit)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                var batch = consumer.Poll(TimeSpan.FromMilliseconds(200));
                if (batch.Count > 0)
                    progress.Clear(); // records and progress share the terminal: records must not land mid-line
                for (var i = 0; i < batch.Count; i++)
                {
                    var r = batch[i];
                    headers.Clear();
                    foreach (var h in r.Headers)
                        headers.Add(new(h.Key, Bytes(h.Value)));
                    formatter.Write(r.Topic, r.Partition, r.Offset, r.Timestamp, Bytes(r.Key), Bytes(r.Value), headers);
                    if (++consumed >= limit)
                    {
                        RewindUnprinted(consumer, batch, i + 1);
                        break;
                    }
                }
                if (batch.Count > 0)
                    await context.Out.FlushAsync(context.Cancellation).ConfigureAwait(false);
                if (progress.IsDue)
                    progress.Report(consumed, limit == long.MaxValue ? null : limit, ProgressReporter.Lag(ConsumerLag.Total(consumer)));
                if (exitAtEnd && consumed < limit && AllAtEnd(consumer, ends))
                    break;
            }
        }
        finally
        {
            progress.Finish();
        }
        if (group is not null)
            consumer.Commit();
        if (context.Verbose || context.OutputIsTerminal)
            await context.Error.WriteLineAsync($"samsa: consumed {consumed} records").ConfigureAwait(false);
        return Cli.ExitOk;
    }

    // -c stopped inside a polled batch: the consumer's positions are already past the records not
    // printed, and committing them (here or by auto-commit on close) would skip those records for the
    // group. Seek each such partition back to its first unprinted record.
    private static void RewindUnprinted(KafkaConsumer<byte[]?, byte[]?> consumer, ConsumerRecords<byte[]?, byte[]?> batch, int firstUnprinted)
    {
        HashSet<TopicPartition>? rewound = null;
        for (var i = firstUnprinted; i < batch.Count; i++)
        {
            var r = batch[i];
            var tp = new TopicPartition(r.Topic, r.Partition);
            if ((rewound ??= []).Add(tp))
                consumer.Seek(tp, r.Offset);
        }
    }

    // A null array must stay null: the implicit byte[] -> ReadOnlyMemory conversion would turn it
    // into an empty value and print "" where Kafka holds null.
    private static ReadOnlyMemory<byte>? Bytes(byte[]? bytes) => bytes is null ? default(ReadOnlyMemory<byte>?) : new ReadOnlyMemory<byte>(bytes);

    private static void SeekAbsolute(KafkaConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> assignment, long n)
    {
        if (n >= 0)
        {
            foreach (var tp in assignment)
                consumer.Seek(tp, n);
            return;
        }
        var begin = consumer.BeginningOffsets(assignment);
        var end = consumer.EndOffsets(assignment);
        foreach (var tp in assignment)
            consumer.Seek(tp, Math.Max(begin[tp], end[tp] + n));
    }

    // True when every assigned partition's position reached the end offset seen when it was first
    // checked (kcat's -e: records produced meanwhile are not waited for).
    private static bool AllAtEnd(KafkaConsumer<byte[]?, byte[]?> consumer, Dictionary<TopicPartition, long> ends)
    {
        var assigned = consumer.Assignment;
        if (assigned.Count == 0)
            return false;
        List<TopicPartition>? unknown = null;
        foreach (var tp in assigned)
        {
            if (!ends.ContainsKey(tp))
                (unknown ??= []).Add(tp);
        }
        if (unknown is not null)
        {
            foreach (var (tp, end) in consumer.EndOffsets(unknown))
                ends[tp] = end;
        }
        foreach (var tp in assigned)
        {
            if (consumer.Position(tp) < ends[tp])
                return false;
        }
        return true;
    }
}
