using System.Globalization;

namespace Samsa.Cli.CommandLine;

/// <summary>The options and positional arguments of one command line, checked against its specs.</summary>
internal sealed class ParsedArguments
{
    private readonly Dictionary<string, List<string>> _values;

    public ParsedArguments(string command, Dictionary<string, List<string>> values, IReadOnlyList<string> positionals)
    {
        Command = command;
        _values = values;
        Positionals = positionals;
    }

    /// <summary>The command these arguments belong to, e.g. <c>topics create</c>; used in errors.</summary>
    public string Command { get; }

    /// <summary>Arguments that are not options, in order.</summary>
    public IReadOnlyList<string> Positionals { get; }

    /// <summary>True when the option was given at least once.</summary>
    public bool Has(string longName) => _values.ContainsKey(longName);

    /// <summary>The option's last value, or null when it was not given.</summary>
    public string? Get(string longName) =>
        _values.TryGetValue(longName, out var list) && list.Count > 0 ? list[^1] : null;

    /// <summary>Every value given for a repeatable option, in order.</summary>
    public IReadOnlyList<string> GetAll(string longName) =>
        _values.TryGetValue(longName, out var list) ? list : [];

    /// <summary>The option as a 32-bit integer within bounds, or <paramref name="defaultValue"/>.</summary>
    public int GetInt32(string longName, int defaultValue, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = Get(longName);
        if (text is null)
            return defaultValue;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            throw new CliUsageException($"--{longName} needs an integer{RangeText(min, max)}, got '{text}'");
        return v;
    }

    /// <summary>The option as a 64-bit integer within bounds, or <paramref name="defaultValue"/>.</summary>
    public long GetInt64(string longName, long defaultValue, long min = long.MinValue, long max = long.MaxValue)
    {
        var text = Get(longName);
        if (text is null)
            return defaultValue;
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            throw new CliUsageException($"--{longName} needs an integer{RangeText(min, max)}, got '{text}'");
        return v;
    }

    /// <summary>The option's value; a usage error naming the option when it is missing.</summary>
    public string Require(string longName, char? shortName = null)
    {
        var v = Get(longName);
        if (string.IsNullOrEmpty(v))
        {
            var flag = shortName is { } s ? $"-{s}/--{longName}" : $"--{longName}";
            throw new CliUsageException($"'samsa {Command}' needs {flag}");
        }
        return v;
    }

    private static string RangeText(long min, long max) => (min, max) switch
    {
        (long.MinValue or int.MinValue, long.MaxValue or int.MaxValue) => "",
        (_, long.MaxValue or int.MaxValue) => $" >= {min}",
        _ => $" between {min} and {max}",
    };
}
