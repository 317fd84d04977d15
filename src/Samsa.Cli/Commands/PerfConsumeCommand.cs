using Samsa.Cli.CommandLine;

namespace Samsa.Cli.Commands;

/// <summary><c>samsa perf consume</c>: measure consumer throughput, CPU and allocation</summary>
internal sealed class PerfConsumeCommand : CliCommand
{
    public override string Name => "perf consume";

    public override string Summary => "measure consumer throughput, CPU and allocation";

    public override IReadOnlyList<OptionSpec> Options { get; } = [CommonOptions.Brokers, CommonOptions.Property];

    public override Task<int> RunAsync(ParsedArguments args, CliContext context) =>
        throw new NotSupportedException("'samsa perf consume' is not available in this build yet");
}
