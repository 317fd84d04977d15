using Samsa.Cli.CommandLine;

namespace Samsa.Cli.Commands;

/// <summary><c>samsa topics describe</c>: show a topic's partitions, leaders, replicas and offsets</summary>
internal sealed class TopicsDescribeCommand : CliCommand
{
    public override string Name => "topics describe";

    public override string Summary => "show a topic's partitions, leaders, replicas and offsets";

    public override IReadOnlyList<OptionSpec> Options { get; } = [CommonOptions.Brokers, CommonOptions.Property];

    public override Task<int> RunAsync(ParsedArguments args, CliContext context) =>
        throw new NotSupportedException("'samsa topics describe' is not available in this build yet");
}
