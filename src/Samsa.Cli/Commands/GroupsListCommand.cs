using Samsa.Cli.CommandLine;

namespace Samsa.Cli.Commands;

/// <summary><c>samsa groups list</c>: list consumer groups</summary>
internal sealed class GroupsListCommand : CliCommand
{
    public override string Name => "groups list";

    public override string Summary => "list consumer groups";

    public override IReadOnlyList<OptionSpec> Options { get; } = [CommonOptions.Brokers, CommonOptions.Property];

    public override Task<int> RunAsync(ParsedArguments args, CliContext context) =>
        throw new NotSupportedException("'samsa groups list' is not available in this build yet");
}
