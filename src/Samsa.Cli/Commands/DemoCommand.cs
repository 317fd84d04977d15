using Samsa.Cli.CommandLine;

namespace Samsa.Cli.Commands;

/// <summary><c>samsa demo</c>: start an embedded cluster, produce and consume a few records, and show what happened</summary>
internal sealed class DemoCommand : CliCommand
{
    public override string Name => "demo";

    public override string Summary => "start an embedded cluster, produce and consume a few records, and show what happened";

    public override IReadOnlyList<OptionSpec> Options { get; } = [CommonOptions.Brokers, CommonOptions.Property];

    public override Task<int> RunAsync(ParsedArguments args, CliContext context) =>
        throw new NotSupportedException("'samsa demo' is not available in this build yet");
}
