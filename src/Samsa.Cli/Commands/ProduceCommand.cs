using System.Text;
using Samsa.Cli.CommandLine;
using Samsa.Cli.Output;
using Samsa.Client.Producer;

namespace Samsa.Cli.Commands;

/// <summary>
/// <c>samsa produce</c>: one record per stdin line. Exits 0 only when every record was acknowledged;
/// otherwise says how many failed and why, and exits 1.
/// </summary>
internal sealed class ProduceCommand : CliCommand
{
    internal static readonly OptionSpec KeyDelimiter = new('K', "key-delimiter", "DELIM", "text before the first DELIM is the key (default: no key)");
    internal static readonly OptionSpec Compression = new('z', "compression", "CODEC", "none, gzip, snappy, lz4 or zstd (default none)");
    internal static readonly OptionSpec Acks = new(null, "acks", "0|1|all", "acknowledgements to wait for (default all)");
    internal static readonly OptionSpec Header = new('H', "header", "NAME=VALUE", "header added to every record (repeatable; default: none)", Repeatable: true);

    private static readonly OptionSpec Topic = CommonOptions.Topic with { Help = "topic to write to (required)" };
    private static readonly OptionSpec Partition = CommonOptions.Partition with { Help = "partition to write to (default: by key hash; sticky for records without a key)" };

    public override string Name => "produce";

    public override string Summary => "produce one record per stdin line";

    public override string Details =>
        "Exits 0 only when every record is acknowledged; otherwise says how many failed and why, and exits 1.\n" +
        "A topic that does not exist is created only if the cluster creates topics on first use.\n" +
        "example: printf 'k1:hello\\nk2:world\\n' | samsa produce -b localhost:9092 -t orders -K :";

    public override IReadOnlyList<OptionSpec> Options { get; } =
        [CommonOptions.Brokers, Topic, Partition, KeyDelimiter, Compression, Acks, Header, CommonOptions.Property, CommonOptions.Timeout];

    public override async Task<int> RunAsync(ParsedArguments args, CliContext context)
    {
        var topic = args.Require(CommonOptions.Topic.Long, 't');
        int? partition = args.Has(CommonOptions.Partition.Long) ? args.GetInt32(CommonOptions.Partition.Long, 0, 0) : null;
        var delimiter = args.Get(KeyDelimiter.Long);
        if (delimiter is { Length: 0 })
            throw new CliUsageException("-K needs a non-empty delimiter");
        var headers = ParseHeaders(args.GetAll(Header.Long));
        var flags = new Dictionary<string, string> { ["compression.type"] = ClientFactory.Compression(args.Get(Compression.Long)) };
        if (args.Get(Acks.Long) is { } acks)
            flags["acks"] = ClientFactory.Acks(acks);
        if (!args.Has(Compression.Long))
            flags.Remove("compression.type");
        var brokers = CommonOptions.ResolveBrokers(args, context);
        var config = ClientFactory.Producer(brokers, CommonOptions.Properties(args), flags);
        // The check waits no longer than the producer itself would for the topic (max.block.ms).
        await using (var admin = AdminCommands.Create(args, context, brokers, useProperties: false, maxTimeout: config.MaxBlock))
            await TopicCheck.ForProduceAsync(admin, topic, partition, context.Cancellation).ConfigureAwait(false);

        var outcome = new DeliveryCounter();
        var progress = new ProgressReporter(context, "acked");
        long sent = 0;
        var producer = new KafkaProducer<byte[]?, byte[]?>(config, loggerFactory: ClientLogging.Create(context));
        try
        {
            while (await context.In.ReadLineAsync(context.Cancellation).ConfigureAwait(false) is { } line)
            {
                byte[]? key = null;
                var value = line;
                if (delimiter is not null)
                {
                    var at = line.IndexOf(delimiter, StringComparison.Ordinal);
                    if (at >= 0)
                    {
                        key = Encoding.UTF8.GetBytes(line[..at]);
                        value = line[(at + delimiter.Length)..];
                    }
                }
                var record = new ProducerRecord<byte[]?, byte[]?>(key, Encoding.UTF8.GetBytes(value)) { Partition = partition, Headers = headers };
                producer.Produce(topic, record, outcome);
                sent++;
                if (progress.IsDue)
                {
                    var acked = outcome.Acknowledged;
                    progress.Report(acked, extra: ProgressReporter.InFlight(sent - acked - outcome.Failed));
                }
            }
            await producer.FlushAsync(context.Cancellation).ConfigureAwait(false);
        }
        finally
        {
            await producer.DisposeAsync().ConfigureAwait(false);
            progress.Finish();
        }

        if (outcome.Failed > 0 || outcome.Acknowledged != sent)
        {
            var failed = sent - outcome.Acknowledged;
            await context.Error.WriteLineAsync(
                $"samsa: error: {failed} of {sent} records were not delivered to '{topic}'; first error: {outcome.FirstError?.Message ?? "not acknowledged before close"}")
                .ConfigureAwait(false);
            return Cli.ExitFailure;
        }
        if (context.OutputIsTerminal || context.Verbose)
            await context.Error.WriteLineAsync($"samsa: produced {sent} records to '{topic}'").ConfigureAwait(false);
        return Cli.ExitOk;
    }

    internal static Headers? ParseHeaders(IReadOnlyList<string> specs)
    {
        if (specs.Count == 0)
            return null;
        var headers = new Headers();
        foreach (var h in specs)
        {
            var eq = h.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw new CliUsageException($"-H needs NAME=VALUE, got '{h}'");
            headers.Add(h[..eq], h[(eq + 1)..]);
        }
        return headers;
    }

    /// <summary>Counts deliveries on the producer's network thread; keeps the first error.</summary>
    private sealed class DeliveryCounter : IDeliveryHandler
    {
        private long _acknowledged;
        private long _failed;
        private Exception? _firstError;

        public long Acknowledged => Interlocked.Read(ref _acknowledged);

        public long Failed => Interlocked.Read(ref _failed);

        public Exception? FirstError => Volatile.Read(ref _firstError);

        public void OnDelivery(in DeliveryResult result, Exception? error)
        {
            if (error is null)
            {
                Interlocked.Increment(ref _acknowledged);
                return;
            }
            Interlocked.Increment(ref _failed);
            Interlocked.CompareExchange(ref _firstError, error, null);
        }
    }
}
