namespace Samsa.Cli.CommandLine;

/// <summary>
/// One option a command accepts: a kcat-style short flag (<c>-b</c>), a spelled-out long flag
/// (<c>--brokers</c>), whether it takes a value and whether it may be repeated.
/// </summary>
internal sealed record OptionSpec(char? Short, string Long, string? ValueName, string Help, bool Repeatable = false)
{
    /// <summary>True when the option is followed by a value.</summary>
    public bool TakesValue => ValueName is not null;

    /// <summary>How the option is shown in usage text, e.g. <c>-b, --brokers LIST</c>.</summary>
    public string Display
    {
        get
        {
            var name = Short is { } s ? $"-{s}, --{Long}" : $"    --{Long}";
            return ValueName is null ? name : $"{name} {ValueName}";
        }
    }
}
