using Samsa.Cli.CommandLine;

namespace Samsa.Cli.Commands;

/// <summary><c>samsa topics delete</c>: delete topics</summary>
internal sealed class TopicsDeleteCommand : CliCommand
{
    public override string Name => "topics delete";

    public override string Summary => "delete topics";

    public override IReadOnlyList<OptionSpec> Options { get; } = [CommonOptions.Brokers, CommonOptions.Property];

    public override Task<int> RunAsync(ParsedArguments args, CliContext context) =>
        throw new NotSupportedException("'samsa topics delete' is not available in this build yet");
}
