using System.Diagnostics;
using Samsa.Cli.CommandLine;
using Samsa.Cli.Output;
using Samsa.Cli.Perf;
using Samsa.Client.Producer;

namespace Samsa.Cli.Commands;

/// <summary>
/// <c>samsa perf produce</c>: Kafka's ProducerPerformance for Samsa. Sends N records of a fixed
/// size through the callback API (no Task per record), then reports throughput, latency from send
/// to acknowledgement, process CPU time and managed bytes allocated per record.
/// </summary>
internal sealed class PerfProduceCommand : CliCommand
{
    internal static readonly OptionSpec Records = new(null, "records", "N", "number of records (required)");
    internal static readonly OptionSpec RecordSize = new(null, "record-size", "BYTES", "value size (default 100)");
    private static readonly OptionSpec Throughput = new(null, "throughput", "RATE", "send at most RATE records/s (default: as fast as possible)");
    internal static readonly OptionSpec Partitions = new(null, "partitions", "N", "partitions of the topic on the embedded cluster (default 1; ignored with -b)");

    internal static readonly OptionSpec PerfBrokers = CommonOptions.Brokers with { Help = "cluster to measure (default: $SAMSA_BROKERS, else an embedded one)" };
    internal static readonly OptionSpec PerfTopic = CommonOptions.Topic with { Help = "topic (default samsa-perf)" };
    private static readonly OptionSpec PayloadFile = new(null, "payload-file", "FILE",
        "values to send, one per line, used in turn (default: one random value of --record-size)");

    public override string Name => "perf produce";

    public override string Summary => "measure producer throughput, latency, CPU and allocation";

    public override string Details =>
        "Without -b (or SAMSA_BROKERS) an embedded cluster runs in this process; its CPU is then included.\n" +
        "Reports records/s, MB/s, latency (avg, max, p50/p95/p99/p99.9) from send to acknowledgement, CPU and bytes allocated per record.\n" +
        "example: samsa perf produce -b localhost:9092 -t perf --records 1000000 --record-size 100 -X acks=1 --json";

    public override IReadOnlyList<OptionSpec> Options { get; } =
        [PerfBrokers, PerfTopic, Records, RecordSize, PayloadFile, Throughput, ProduceCommand.Compression, Partitions, CommonOptions.Property, CommonOptions.Json];

    public override async Task<int> RunAsync(ParsedArguments args, CliContext context)
    {
        var topic = args.Get(CommonOptions.Topic.Long) ?? "samsa-perf";
        args.Require(Records.Long);
        var count = args.GetInt64(Records.Long, 0, 1);
        var size = args.GetInt32(RecordSize.Long, 100, 0, 64 * 1024 * 1024);
        long? rate = args.Has(Throughput.Long) ? args.GetInt64(Throughput.Long, 0, 1) : null;
        var partitions = args.GetInt32(Partitions.Long, 1, 1, 10000);
        var flags = new Dictionary<string, string>();
        if (args.Get(ProduceCommand.Compression.Long) is { } z)
            flags["compression.type"] = ClientFactory.Compression(z);
        var properties = CommonOptions.Properties(args);
        var json = args.Has(CommonOptions.Json.Long);

        await using var scope = await EmbeddedClusterScope.StartAsync(args, context, [$"{topic}:{partitions}"]).ConfigureAwait(false);
        var config = ClientFactory.Producer(scope.BootstrapServers, properties, flags);
        await using (var admin = AdminCommands.Create(args, context, scope.BootstrapServers, useProperties: false, maxTimeout: config.MaxBlock))
            await TopicCheck.ForProduceAsync(admin, topic, null, context.Cancellation).ConfigureAwait(false);
        if (scope.IsEmbedded && !json)
            await context.Error.WriteLineAsync($"samsa: no -b given: using an embedded cluster at {scope.BootstrapServers} (its CPU counts too)").ConfigureAwait(false);

        // One payload of random letters, reused: what Kafka's perf tool does without a payload file.
        // A payload file gives distinct values (compression then sees realistic data, not one
        // value repeated); they are used in turn, as the peer benchmarks do.
        var records = await PayloadRecordsAsync(args.Get(PayloadFile.Long), size, context.Cancellation).ConfigureAwait(false);
        var histogram = new LatencyHistogram();
        var pool = new TimedDeliveryPool(histogram);
        var progress = new ProgressReporter(context, "acked");
        var throttler = rate is { } r ? new ThroughputThrottler(r, context.Time) : null;
        var meter = new ResourceMeter();

        var producer = new KafkaProducer<byte[]?, byte[]?>(config, loggerFactory: ClientLogging.Create(context));
        try
        {
            // Warm the metadata so the first record's latency is not the topic lookup.
            await producer.ProduceAsync(topic, records[0], context.Cancellation).ConfigureAwait(false);
            meter.Start();
            for (long i = 0; i < count; i++)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                producer.Produce(topic, records[i % records.Length], pool.Rent());
                if (throttler is not null && throttler.ShouldThrottle(i + 1, out var wait))
                    await Task.Delay(wait, context.Time, context.Cancellation).ConfigureAwait(false);
                if ((i & 0xFF) == 0 && progress.IsDue)
                {
                    var acked = histogram.Count;
                    progress.Report(acked, count, ProgressReporter.InFlight(i + 1 - acked));
                }
            }
            await producer.FlushAsync(context.Cancellation).ConfigureAwait(false);
            meter.Stop();
        }
        finally
        {
            await producer.DisposeAsync().ConfigureAwait(false);
            progress.Finish();
        }

        var result = PerfResult.From("produce", count, PayloadBytes(records, count), meter, histogram, pool.Errors);
        await context.Out.WriteLineAsync(json ? result.ToJson() : result.ToText()).ConfigureAwait(false);
        if (pool.Errors > 0)
        {
            await context.Error.WriteLineAsync($"samsa: error: {pool.Errors} records failed; first error: {pool.FirstError?.Message}").ConfigureAwait(false);
            return Cli.ExitFailure;
        }
        return Cli.ExitOk;
    }

    private static async Task<ProducerRecord<byte[]?, byte[]?>[]> PayloadRecordsAsync(string? file, int size, CancellationToken cancellationToken)
    {
        if (file is null)
        {
            var payload = new byte[size];
            var random = new Random(42);
            for (var i = 0; i < payload.Length; i++)
                payload[i] = (byte)('A' + random.Next(26));
            return [new ProducerRecord<byte[]?, byte[]?>(null, payload)];
        }
        string[] lines;
        try
        {
            lines = await File.ReadAllLinesAsync(file, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new CliUsageException($"cannot read --payload-file {file}: {e.Message}");
        }
        var records = new List<ProducerRecord<byte[]?, byte[]?>>(lines.Length);
        foreach (var line in lines)
        {
            if (line.Length > 0)
                records.Add(new ProducerRecord<byte[]?, byte[]?>(null, System.Text.Encoding.UTF8.GetBytes(line)));
        }
        if (records.Count == 0)
            throw new CliUsageException($"--payload-file {file} has no non-empty lines");
        return [.. records];
    }

    /// <summary>Value bytes of <paramref name="count"/> records taking the payloads in turn.</summary>
    private static long PayloadBytes(ProducerRecord<byte[]?, byte[]?>[] records, long count)
    {
        long cycle = 0, partial = 0;
        var rest = count % records.Length;
        for (var i = 0; i < records.Length; i++)
        {
            cycle += records[i].Value!.Length;
            if (i < rest)
                partial += records[i].Value!.Length;
        }
        return count / records.Length * cycle + partial;
    }

    /// <summary>
    /// Delivery handlers that remember when their record was sent, recycled after each delivery so
    /// the steady state allocates nothing per record.
    /// </summary>
    private sealed class TimedDeliveryPool
    {
        private readonly LatencyHistogram _histogram;
        private readonly Stack<TimedDelivery> _free = new();
        private readonly Lock _lock = new();
        private long _errors;
        private Exception? _firstError;

        public TimedDeliveryPool(LatencyHistogram histogram) => _histogram = histogram;

        public long Errors => Interlocked.Read(ref _errors);

        public Exception? FirstError => Volatile.Read(ref _firstError);

        public TimedDelivery Rent()
        {
            TimedDelivery? d;
            lock (_lock)
                _free.TryPop(out d);
            d ??= new TimedDelivery(this);
            d.StartTicks = Stopwatch.GetTimestamp();
            return d;
        }

        public void Complete(TimedDelivery d, Exception? error)
        {
            var micros = (long)Stopwatch.GetElapsedTime(d.StartTicks).TotalMicroseconds;
            _histogram.Record(micros);
            if (error is not null)
            {
                Interlocked.Increment(ref _errors);
                Interlocked.CompareExchange(ref _firstError, error, null);
            }
            lock (_lock)
                _free.Push(d);
        }
    }

    private sealed class TimedDelivery(TimedDeliveryPool pool) : IDeliveryHandler
    {
        public long StartTicks;

        public void OnDelivery(in DeliveryResult result, Exception? error) => pool.Complete(this, error);
    }
}
