using System.Diagnostics;
using Samsa.Cli.CommandLine;
using Samsa.Cli.Output;
using Samsa.Cli.Perf;
using Samsa.Client.Consumer;
using Samsa.Client.Metadata;
using Samsa.Client.Producer;
using Samsa.Client.Serialization;

namespace Samsa.Cli.Commands;

/// <summary>
/// <c>samsa perf consume</c>: Kafka's ConsumerPerformance for Samsa. Reads N records from the
/// beginning of every partition (or as group -G), without deserializing them, and reports
/// throughput, poll latency (time each poll waited for records), process CPU and managed bytes
/// allocated per record.
/// </summary>
internal sealed class PerfConsumeCommand : CliCommand
{
    private static readonly OptionSpec Idle = new(null, "timeout", "MS", "fail when no record arrives for this long (default 10000)");
    private static readonly OptionSpec Single = new(null, "single", null, "read with Consume() (one record per call) instead of Poll() (up to max.poll.records)");

    private static readonly OptionSpec PerfGroup = ConsumeCommand.Group with { Help = "consume as this group (default: no group; every partition from the beginning)" };

    public override string Name => "perf consume";

    public override string Summary => "measure consumer throughput, CPU and allocation";

    public override string Details =>
        "Without -b (or SAMSA_BROKERS) an embedded cluster runs in this process and is filled first; its CPU is then included.\n" +
        "latency_ms is the time each poll waited before returning records.\n" +
        "example: samsa perf consume -b localhost:9092 -t perf --records 1000000 --json";

    public override IReadOnlyList<OptionSpec> Options { get; } =
        [PerfProduceCommand.PerfBrokers, PerfProduceCommand.PerfTopic, PerfProduceCommand.Records, PerfProduceCommand.RecordSize, PerfProduceCommand.Partitions,
            PerfGroup, Idle, Single, CommonOptions.Property, CommonOptions.Json];

    public override async Task<int> RunAsync(ParsedArguments args, CliContext context)
    {
        var topic = args.Get(CommonOptions.Topic.Long) ?? "samsa-perf";
        args.Require(PerfProduceCommand.Records.Long);
        var records = args.GetInt64(PerfProduceCommand.Records.Long, 0, 1);
        var size = args.GetInt32(PerfProduceCommand.RecordSize.Long, 100, 0, 64 * 1024 * 1024);
        var partitions = args.GetInt32(PerfProduceCommand.Partitions.Long, 1, 1, 10000);
        var idle = TimeSpan.FromMilliseconds(args.GetInt32(Idle.Long, 10000, 1));
        var group = args.Get(ConsumeCommand.Group.Long);
        var json = args.Has(CommonOptions.Json.Long);
        var single = args.Has(Single.Long);
        var properties = CommonOptions.Properties(args);

        await using var scope = await EmbeddedClusterScope.StartAsync(args, context, [$"{topic}:{partitions}"]).ConfigureAwait(false);
        if (scope.IsEmbedded)
        {
            if (!json)
                await context.Error.WriteLineAsync($"samsa: no -b given: filling an embedded cluster at {scope.BootstrapServers} with {records} records").ConfigureAwait(false);
            await FillAsync(scope.BootstrapServers, topic, records, size, context).ConfigureAwait(false);
        }

        var flags = new Dictionary<string, string>();
        if (group is not null)
        {
            flags["group.id"] = group;
            flags["auto.offset.reset"] = "earliest";
        }
        var config = ClientFactory.Consumer(scope.BootstrapServers, properties, flags);
        List<TopicPartition> assignment = [];
        await using (var admin = AdminCommands.Create(args, context, scope.BootstrapServers, useProperties: false))
        {
            foreach (var t in await TopicCheck.ForConsumeAsync(admin, [topic], null, context.Cancellation).ConfigureAwait(false))
            {
                foreach (var p in t.Partitions)
                    assignment.Add(new TopicPartition(t.Name, p.Partition));
            }
        }

        var histogram = new LatencyHistogram();
        var progress = new ProgressReporter(context, "records");
        var meter = new ResourceMeter();
        long count = 0, bytes = 0;
        try
        {
            using (var consumer = new KafkaConsumer<object?, object?>(config, Deserializers.Ignore, Deserializers.Ignore, ClientLogging.Create(context)))
            {
                if (group is null)
                {
                    consumer.Assign(assignment);
                    consumer.SeekToBeginning(assignment);
                }
                else
                {
                    consumer.Subscribe([topic]);
                }
                meter.Start();
                var lastProgress = Stopwatch.GetTimestamp();
                while (count < records)
                {
                    context.Cancellation.ThrowIfCancellationRequested();
                    var start = Stopwatch.GetTimestamp();
                    int n;
                    if (single)
                    {
                        var r = consumer.Consume(TimeSpan.FromMilliseconds(100));
                        n = r is null ? 0 : 1;
                        if (r is not null) bytes += Math.Max(0, r.SerializedKeySize) + Math.Max(0, r.SerializedValueSize);
                    }
                    else
                    {
                        var batch = consumer.Poll(TimeSpan.FromMilliseconds(100));
                        n = batch.Count;
                        for (var i = 0; i < batch.Count; i++)
                        {
                            var r = batch[i];
                            bytes += Math.Max(0, r.SerializedKeySize) + Math.Max(0, r.SerializedValueSize);
                        }
                    }
                    if (n == 0)
                    {
                        if (Stopwatch.GetElapsedTime(lastProgress).TotalMilliseconds > idle.TotalMilliseconds)
                        {
                            throw new Protocol.Errors.KafkaException(
                                $"only {count} of {records} records arrived from '{topic}'; none in the last {idle.TotalMilliseconds:F0} ms (--timeout)");
                        }
                        continue;
                    }
                    histogram.Record((long)Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                    lastProgress = Stopwatch.GetTimestamp();
                    count += n;
                    if (progress.IsDue)
                        progress.Report(count, records, ProgressReporter.Lag(ConsumerLag.Total(consumer)));
                }
                meter.Stop();
            }
        }
        finally
        {
            progress.Finish();
        }

        var result = PerfResult.From("consume", count, bytes, meter, histogram, 0);
        await context.Out.WriteLineAsync(json ? result.ToJson() : result.ToText()).ConfigureAwait(false);
        return Cli.ExitOk;
    }

    private static async Task FillAsync(string bootstrap, string topic, long records, int size, CliContext context)
    {
        var config = ClientFactory.Producer(bootstrap, [], [new("acks", "1"), new("linger.ms", "5")]);
        var payload = new byte[size];
        Array.Fill(payload, (byte)'x');
        var record = new ProducerRecord<byte[]?, byte[]?>(null, payload);
        var producer = new KafkaProducer<byte[]?, byte[]?>(config);
        await using (producer.ConfigureAwait(false))
        {
            await producer.ProduceAsync(topic, record, context.Cancellation).ConfigureAwait(false);
            for (long i = 1; i < records; i++)
                producer.Produce(topic, record);
            await producer.FlushAsync(context.Cancellation).ConfigureAwait(false);
        }
    }
}
