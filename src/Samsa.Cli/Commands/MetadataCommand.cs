using Samsa.Cli.CommandLine;

namespace Samsa.Cli.Commands;

/// <summary><c>samsa metadata</c>: show brokers, topics, partitions, leaders and replicas</summary>
internal sealed class MetadataCommand : CliCommand
{
    public override string Name => "metadata";

    public override string Summary => "show brokers, topics, partitions, leaders and replicas";

    public override IReadOnlyList<OptionSpec> Options { get; } = [CommonOptions.Brokers, CommonOptions.Property];

    public override Task<int> RunAsync(ParsedArguments args, CliContext context) =>
        throw new NotSupportedException("'samsa metadata' is not available in this build yet");
}
