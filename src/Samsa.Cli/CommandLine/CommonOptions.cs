namespace Samsa.Cli.CommandLine;

/// <summary>Options shared by several commands, spelled the same everywhere.</summary>
internal static class CommonOptions
{
    public static readonly OptionSpec Brokers = new('b', "brokers", "HOST:PORT[,...]", "bootstrap brokers (default: $SAMSA_BROKERS)");
    public static readonly OptionSpec Topic = new('t', "topic", "TOPIC", "topic(s), comma-separated; or give them as arguments (one is required)");
    public static readonly OptionSpec Partition = new('p', "partition", "N", "only this partition (default: every partition)");
    public static readonly OptionSpec Property = new('X', "property", "NAME=VALUE", "client property by its Kafka name (repeatable), e.g. -X client.id=me", Repeatable: true);
    public static readonly OptionSpec Json = new(null, "json", null, "print JSON instead of text (for scripts)");
    public static readonly OptionSpec Timeout = new(null, "timeout", "MS", "give up after this many milliseconds (default 30000)");

    public static readonly OptionSpec Verbose = new('v', "verbose", null, "show client logs and stack traces");
    public static readonly OptionSpec Help = new('h', "help", null, "show this help");

    /// <summary>Options every command accepts.</summary>
    public static readonly IReadOnlyList<OptionSpec> Global = [Verbose, Help];

    /// <summary>Environment variable read when <c>-b</c> is not given.</summary>
    public const string BrokersVariable = "SAMSA_BROKERS";

    /// <summary>
    /// The bootstrap list from <c>-b</c>, else from <c>SAMSA_BROKERS</c>, else a usage error saying
    /// how to give one.
    /// </summary>
    public static string ResolveBrokers(ParsedArguments args, CliContext context)
    {
        var b = args.Get(Brokers.Long);
        if (string.IsNullOrWhiteSpace(b))
            b = context.GetEnvironmentVariable(BrokersVariable);
        if (string.IsNullOrWhiteSpace(b))
        {
            throw new CliUsageException(
                $"no brokers given: pass -b HOST:PORT[,HOST:PORT...] or set {BrokersVariable} " +
                "(for a local cluster run 'samsa broker' in another terminal)");
        }
        foreach (var part in b.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = part.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(part.AsSpan(colon + 1), out var port) || port is <= 0 or > 65535)
                throw new CliUsageException($"broker address '{part}' is not HOST:PORT");
        }
        return b.Trim();
    }

    /// <summary>The brokers when given by <c>-b</c> or the environment; null otherwise.</summary>
    public static string? TryResolveBrokers(ParsedArguments args, CliContext context)
    {
        var b = args.Get(Brokers.Long);
        if (string.IsNullOrWhiteSpace(b))
            b = context.GetEnvironmentVariable(BrokersVariable);
        return string.IsNullOrWhiteSpace(b) ? null : ResolveBrokers(args, context);
    }

    /// <summary>The <c>-X name=value</c> pairs, in order; later ones win.</summary>
    public static Dictionary<string, string> Properties(ParsedArguments args)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in args.GetAll(Property.Long))
        {
            var eq = p.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw new CliUsageException($"-X needs NAME=VALUE, got '{p}'");
            result[p[..eq].Trim()] = p[(eq + 1)..];
        }
        return result;
    }

    /// <summary>The overall timeout from <c>--timeout</c>.</summary>
    public static TimeSpan ResolveTimeout(ParsedArguments args) =>
        TimeSpan.FromMilliseconds(args.GetInt32(Timeout.Long, 30000, 1));
}
