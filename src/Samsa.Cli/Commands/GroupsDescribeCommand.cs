using Samsa.Cli.CommandLine;

namespace Samsa.Cli.Commands;

/// <summary><c>samsa groups describe</c>: show a group's members, committed offsets and lag per partition</summary>
internal sealed class GroupsDescribeCommand : CliCommand
{
    public override string Name => "groups describe";

    public override string Summary => "show a group's members, committed offsets and lag per partition";

    public override IReadOnlyList<OptionSpec> Options { get; } = [CommonOptions.Brokers, CommonOptions.Property];

    public override Task<int> RunAsync(ParsedArguments args, CliContext context) =>
        throw new NotSupportedException("'samsa groups describe' is not available in this build yet");
}
