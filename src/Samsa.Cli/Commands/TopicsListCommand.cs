using Samsa.Cli.CommandLine;

namespace Samsa.Cli.Commands;

/// <summary><c>samsa topics list</c>: list topics</summary>
internal sealed class TopicsListCommand : CliCommand
{
    public override string Name => "topics list";

    public override string Summary => "list topics";

    public override IReadOnlyList<OptionSpec> Options { get; } = [CommonOptions.Brokers, CommonOptions.Property];

    public override Task<int> RunAsync(ParsedArguments args, CliContext context) =>
        throw new NotSupportedException("'samsa topics list' is not available in this build yet");
}
