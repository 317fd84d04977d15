using Samsa.Cli.CommandLine;

namespace Samsa.Cli.Commands;

/// <summary><c>samsa topics create</c>: create topics</summary>
internal sealed class TopicsCreateCommand : CliCommand
{
    public override string Name => "topics create";

    public override string Summary => "create topics";

    public override IReadOnlyList<OptionSpec> Options { get; } = [CommonOptions.Brokers, CommonOptions.Property];

    public override Task<int> RunAsync(ParsedArguments args, CliContext context) =>
        throw new NotSupportedException("'samsa topics create' is not available in this build yet");
}
