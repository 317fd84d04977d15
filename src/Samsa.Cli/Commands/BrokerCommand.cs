using Samsa.Broker;
using Samsa.Cli.CommandLine;

namespace Samsa.Cli.Commands;

/// <summary>
/// <c>samsa broker</c>: runs the embedded cluster. The first line on stdout is
/// <c>BOOTSTRAP host:port,...</c> (scripts read it, as with librdkafka's mock cluster tool); it runs
/// until Ctrl-C or until stdin closes, so a parent process that dies takes the cluster with it.
/// </summary>
internal sealed class BrokerCommand : CliCommand
{
    private static readonly OptionSpec Count = new(null, "brokers", "N", "number of brokers (default 1)");
    private static readonly OptionSpec Port = new(null, "port", "P", "port of the first broker, the others follow (default: ephemeral)");
    private static readonly OptionSpec Topic = new('t', "topic", "NAME[:PARTITIONS[:REPLICAS]]", "create a topic at start (repeatable; default 1 partition)", Repeatable: true);
    private static readonly OptionSpec Data = new(null, "data", "DIR", "keep logs and offsets in DIR so they survive a restart (default: memory only)");
    private static readonly OptionSpec NoAutoCreate = new(null, "no-auto-create", null, "reject unknown topics instead of creating them on first use (auto.create.topics.enable=false)");

    public override string Name => "broker";

    public override string Summary => "run an embedded Kafka-compatible cluster until Ctrl-C or stdin closes";

    public override string Details =>
        "The first output line is 'BOOTSTRAP host:port,...'. For development and tests, not production.\n" +
        "example: samsa broker --brokers 3 --topic orders:6";

    public override IReadOnlyList<OptionSpec> Options { get; } = [Count, Port, Topic, Data, NoAutoCreate];

    public override async Task<int> RunAsync(ParsedArguments args, CliContext context)
    {
        var options = new EmbeddedClusterOptions
        {
            Brokers = args.GetInt32(Count.Long, 1, 1, 64),
            Port = args.GetInt32(Port.Long, 0, 0, 65535),
            Topics = args.GetAll(Topic.Long).ToArray(),
            DataDirectory = args.Get(Data.Long),
            AutoCreateTopics = !args.Has(NoAutoCreate.Long),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw CliUsageException.From("", e);
        }

        await using var cluster = await EmbeddedCluster.StartAsync(options, context.Cancellation).ConfigureAwait(false);
        await context.Out.WriteLineAsync($"BOOTSTRAP {cluster.BootstrapServers}").ConfigureAwait(false);
        await context.Out.FlushAsync(context.Cancellation).ConfigureAwait(false);
        await context.Error.WriteLineAsync(
            $"samsa: embedded cluster with {options.Brokers} broker(s) on {cluster.BootstrapServers}; Ctrl-C or close stdin to stop").ConfigureAwait(false);

        await WaitForStdinEndAsync(context).ConfigureAwait(false);
        await context.Error.WriteLineAsync("samsa: stopping the embedded cluster").ConfigureAwait(false);
        return Cli.ExitOk;
    }

    // Reads stdin to its end (lines are ignored) or until cancelled. ReadLineAsync on a console
    // stream does not always honour cancellation, so race it against the token.
    private static async Task WaitForStdinEndAsync(CliContext context)
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = context.Cancellation.Register(() => cancelled.TrySetResult()).ConfigureAwait(false);
        var reading = Task.Run(async () =>
        {
            while (await context.In.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is not null)
            {
            }
        }, CancellationToken.None);
        await Task.WhenAny(reading, cancelled.Task).ConfigureAwait(false);
    }
}
