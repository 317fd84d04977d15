using Samsa.Cli.CommandLine;

namespace Samsa.Cli.Commands;

/// <summary><c>samsa consume</c>: consume records and print them</summary>
internal sealed class ConsumeCommand : CliCommand
{
    public override string Name => "consume";

    public override string Summary => "consume records and print them";

    public override IReadOnlyList<OptionSpec> Options { get; } = [CommonOptions.Brokers, CommonOptions.Property];

    public override Task<int> RunAsync(ParsedArguments args, CliContext context) =>
        throw new NotSupportedException("'samsa consume' is not available in this build yet");
}
