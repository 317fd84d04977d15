namespace Samsa.Cli.CommandLine;

/// <summary>
/// A small hand-written parser (no System.CommandLine dependency). Accepts kcat-style short flags
/// with the value attached or separate (<c>-bhost:9092</c>, <c>-b host:9092</c>), long flags with
/// <c>=</c> or a space (<c>--brokers=host:9092</c>), and <c>--</c> to end options.
/// </summary>
internal static class ArgumentParser
{
    /// <summary>Parses <paramref name="args"/> against <paramref name="specs"/>.</summary>
    /// <exception cref="CliUsageException">An unknown option, a missing value or a repeated single option.</exception>
    public static ParsedArguments Parse(string command, IReadOnlyList<string> args, IReadOnlyList<OptionSpec> specs)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var positionals = new List<string>();
        var onlyPositionals = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (onlyPositionals || arg.Length < 2 || arg[0] != '-' || IsNegativeNumber(arg))
            {
                positionals.Add(arg);
                continue;
            }
            if (arg == "--")
            {
                onlyPositionals = true;
                continue;
            }

            OptionSpec? spec;
            string? attached = null;
            string shown;
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var name = arg[2..];
                var eq = name.IndexOf('=', StringComparison.Ordinal);
                if (eq >= 0)
                {
                    attached = name[(eq + 1)..];
                    name = name[..eq];
                }
                shown = "--" + name;
                spec = Find(specs, s => s.Long == name);
            }
            else
            {
                shown = arg[..2];
                spec = Find(specs, s => s.Short == arg[1]);
                if (arg.Length > 2)
                    attached = arg[2..];
            }

            if (spec is null)
                throw new CliUsageException($"unknown option '{shown}' for 'samsa {command}' (see 'samsa {command} --help')");

            string value;
            if (spec.TakesValue)
            {
                if (attached is not null)
                {
                    value = attached;
                }
                else if (i + 1 < args.Count)
                {
                    value = args[++i];
                }
                else
                {
                    throw new CliUsageException($"option '{shown}' needs a value ({spec.ValueName})");
                }
            }
            else
            {
                if (attached is not null)
                    throw new CliUsageException($"option '{shown}' takes no value, got '{arg}'");
                value = "true";
            }

            if (!values.TryGetValue(spec.Long, out var list))
            {
                list = [];
                values[spec.Long] = list;
            }
            else if (!spec.Repeatable && spec.TakesValue)
            {
                throw new CliUsageException($"option '{shown}' was given more than once");
            }
            list.Add(value);
        }
        return new ParsedArguments(command, values, positionals);
    }

    private static OptionSpec? Find(IReadOnlyList<OptionSpec> specs, Func<OptionSpec, bool> match)
    {
        foreach (var s in specs)
        {
            if (match(s))
                return s;
        }
        return null;
    }

    // "-o -2" style offsets relative to the end: a dash followed only by digits is a value, not a flag.
    private static bool IsNegativeNumber(string arg)
    {
        for (var i = 1; i < arg.Length; i++)
        {
            if (!char.IsAsciiDigit(arg[i]))
                return false;
        }
        return true;
    }
}
