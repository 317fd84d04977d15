using Samsa.Cli.CommandLine;

namespace Samsa.Cli.Commands;

/// <summary><c>samsa perf produce</c>: measure producer throughput, latency, CPU and allocation</summary>
internal sealed class PerfProduceCommand : CliCommand
{
    public override string Name => "perf produce";

    public override string Summary => "measure producer throughput, latency, CPU and allocation";

    public override IReadOnlyList<OptionSpec> Options { get; } = [CommonOptions.Brokers, CommonOptions.Property];

    public override Task<int> RunAsync(ParsedArguments args, CliContext context) =>
        throw new NotSupportedException("'samsa perf produce' is not available in this build yet");
}
