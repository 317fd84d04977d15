using System.Diagnostics;
using System.Globalization;
using System.Text;
using Samsa.Cli.CommandLine;
using Samsa.Client.Admin;
using Samsa.Client.Consumer;
using Samsa.Client.Producer;
using Samsa.Client.Serialization;
using Samsa.Protocol;
using Samsa.Protocol.Errors;

namespace Samsa.Cli.Commands;

/// <summary>
/// <c>samsa demo</c>: the newcomer's first command. Starts an embedded cluster in-process (or uses
/// -b), creates a topic, produces a few keyed records with a header, reads them back as a consumer
/// group, shows the group's lag, and says what to try next. Every step names the API it used.
/// </summary>
internal sealed class DemoCommand : CliCommand
{
    private static readonly OptionSpec Records = new(null, "records", "N", "records to produce (default 5)");

    public override string Name => "demo";

    public override string Summary => "start an embedded cluster, produce and consume a few records, and show what happened";

    public override string Details =>
        "Without -b (or SAMSA_BROKERS) nothing else is needed: the cluster runs inside this process.\n" +
        "example: samsa demo\n" +
        "example: samsa demo -b localhost:9092 -t demo --records 20";

    public override IReadOnlyList<OptionSpec> Options { get; } =
        [CommonOptions.Brokers with { Help = "use this cluster (default: $SAMSA_BROKERS, else an embedded one)" },
            CommonOptions.Topic with { Help = "topic to create and use (default samsa-demo)" }, Records];

    public override async Task<int> RunAsync(ParsedArguments args, CliContext context)
    {
        var count = args.GetInt32(Records.Long, 5, 1, 10000);
        var topic = args.Get(CommonOptions.Topic.Long) ?? "samsa-demo";
        const string group = "samsa-demo-group";
        var o = context.Out;
        var ic = CultureInfo.InvariantCulture;
        var clock = Stopwatch.StartNew();

        var external = CommonOptions.TryResolveBrokers(args, context);
        await o.WriteLineAsync(external is null
            ? "1. Starting an embedded Kafka-compatible cluster in this process (Samsa.Broker.EmbeddedCluster)..."
            : $"1. Using the cluster at {external}...").ConfigureAwait(false);
        await using var scope = await EmbeddedClusterScope.StartAsync(args, context, []).ConfigureAwait(false);
        await o.WriteLineAsync($"   bootstrap servers: {scope.BootstrapServers}").ConfigureAwait(false);

        await o.WriteLineAsync($"2. Creating topic '{topic}' with 3 partitions (AdminClient.CreateTopicsAsync)...").ConfigureAwait(false);
        var admin = new AdminClient(new AdminOptions { BootstrapServers = scope.BootstrapServers, DefaultApiTimeout = TimeSpan.FromSeconds(15) });
        await using (admin.ConfigureAwait(false))
        {
            try
            {
                await admin.CreateTopicsAsync([new NewTopic(topic, 3)], cancellationToken: context.Cancellation).ConfigureAwait(false);
                await o.WriteLineAsync("   created").ConfigureAwait(false);
            }
            catch (KafkaException e) when (e.Code == ErrorCode.TopicAlreadyExists)
            {
                await o.WriteLineAsync("   it already exists; using it").ConfigureAwait(false);
            }
            await o.FlushAsync(context.Cancellation).ConfigureAwait(false);

            await o.WriteLineAsync(string.Create(ic, $"3. Producing {count} keyed records with a header (KafkaProducer.ProduceAsync, acks=all, idempotent)...")).ConfigureAwait(false);
            var producerConfig = ClientFactory.Producer(scope.BootstrapServers, [], []);
            var producer = new KafkaProducer<string, string>(producerConfig);
            await using (producer.ConfigureAwait(false))
            {
                for (var i = 1; i <= count; i++)
                {
                    var record = new ProducerRecord<string, string>($"user-{(i % 3) + 1}", $"hello from samsa #{i}")
                    {
                        Headers = new Headers().Add("source", "samsa-demo"),
                    };
                    var r = await producer.ProduceAsync(topic, record, context.Cancellation).ConfigureAwait(false);
                    await o.WriteLineAsync(string.Create(ic,
                        $"   key={record.Key,-7} value=\"{record.Value}\" -> partition {r.Partition}, offset {r.Offset}")).ConfigureAwait(false);
                }
            }
            await o.WriteLineAsync("   same key, same partition: that is how Kafka keeps per-key order").ConfigureAwait(false);
            await o.FlushAsync(context.Cancellation).ConfigureAwait(false);

            await o.WriteLineAsync($"4. Consuming them back as group '{group}' (KafkaConsumer.Subscribe + Poll, then Commit)...").ConfigureAwait(false);
            var consumerConfig = ClientFactory.Consumer(scope.BootstrapServers, [],
                [new("group.id", group), new("auto.offset.reset", "earliest")]);
            var received = 0;
            using (var consumer = new KafkaConsumer<string?, string?>(consumerConfig, Deserializers.Utf8, Deserializers.Utf8))
            {
                consumer.Subscribe([topic]);
                var deadline = Stopwatch.StartNew();
                while (received < count && deadline.Elapsed < TimeSpan.FromSeconds(30))
                {
                    context.Cancellation.ThrowIfCancellationRequested();
                    foreach (var r in consumer.Poll(TimeSpan.FromMilliseconds(200)))
                    {
                        received++;
                        var headers = new StringBuilder();
                        foreach (var h in r.Headers)
                            headers.Append(h.Key).Append('=').Append(h.GetValueAsString());
                        await o.WriteLineAsync(string.Create(ic,
                            $"   partition {r.Partition}, offset {r.Offset}: key={r.Key,-7} value=\"{r.Value}\" headers: {headers}")).ConfigureAwait(false);
                    }
                }
                consumer.Commit();
            }
            if (received < count)
                throw new KafkaException(string.Create(ic, $"demo: only {received} of {count} records came back within 30 s"));
            await o.FlushAsync(context.Cancellation).ConfigureAwait(false);

            await o.WriteLineAsync("5. The group's committed offsets and lag (AdminClient.ListConsumerGroupOffsetsAsync + ListOffsetsAsync):").ConfigureAwait(false);
            var d = (await admin.DescribeGroupsAsync([group], context.Cancellation).ConfigureAwait(false))[0];
            var rows = await GroupsDescribeCommand.LagAsync(admin, d, context.Cancellation).ConfigureAwait(false);
            foreach (var row in rows)
                await o.WriteLineAsync(string.Create(ic, $"   {row.Partition}: committed {row.Committed}, end {row.End}, lag {row.Lag}")).ConfigureAwait(false);
        }

        await o.WriteLineAsync(string.Create(ic, $"Done in {clock.Elapsed.TotalSeconds:F1} s. Next:")).ConfigureAwait(false);
        await o.WriteLineAsync("   samsa broker --topic orders:3                      # a cluster that keeps running (prints BOOTSTRAP ...)").ConfigureAwait(false);
        await o.WriteLineAsync("   export SAMSA_BROKERS=127.0.0.1:PORT").ConfigureAwait(false);
        await o.WriteLineAsync("   seq 10 | samsa produce -t orders                   # one record per line").ConfigureAwait(false);
        await o.WriteLineAsync("   samsa consume -t orders -e --json                  # read them back").ConfigureAwait(false);
        await o.WriteLineAsync("   samsa perf produce --records 1000000 --record-size 100").ConfigureAwait(false);
        return Cli.ExitOk;
    }
}
