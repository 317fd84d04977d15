using Samsa.Cli.CommandLine;

namespace Samsa.Cli.Commands;

/// <summary><c>samsa broker</c>: run an embedded Kafka-compatible cluster until Ctrl-C or stdin closes</summary>
internal sealed class BrokerCommand : CliCommand
{
    public override string Name => "broker";

    public override string Summary => "run an embedded Kafka-compatible cluster until Ctrl-C or stdin closes";

    public override IReadOnlyList<OptionSpec> Options { get; } = [CommonOptions.Brokers, CommonOptions.Property];

    public override Task<int> RunAsync(ParsedArguments args, CliContext context) =>
        throw new NotSupportedException("'samsa broker' is not available in this build yet");
}
