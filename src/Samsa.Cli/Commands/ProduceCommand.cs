using Samsa.Cli.CommandLine;

namespace Samsa.Cli.Commands;

/// <summary><c>samsa produce</c>: produce one record per stdin line</summary>
internal sealed class ProduceCommand : CliCommand
{
    public override string Name => "produce";

    public override string Summary => "produce one record per stdin line";

    public override IReadOnlyList<OptionSpec> Options { get; } = [CommonOptions.Brokers, CommonOptions.Property];

    public override Task<int> RunAsync(ParsedArguments args, CliContext context) =>
        throw new NotSupportedException("'samsa produce' is not available in this build yet");
}
