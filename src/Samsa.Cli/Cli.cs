using System.Reflection;
using Samsa.Cli.CommandLine;
using Samsa.Cli.Commands;

namespace Samsa.Cli;

/// <summary>
/// The <c>samsa</c> command line: picks the command, parses its options and turns every failure into
/// one line on stderr with a non-zero exit code (2 for a bad command line, 1 for a failed operation,
/// 130 when interrupted). Runs fully in-process so tests call it like a function.
/// </summary>
public static class Cli
{
    /// <summary>Exit code for success.</summary>
    public const int ExitOk = 0;

    /// <summary>Exit code when the operation failed (broker error, unreachable cluster, records not acknowledged).</summary>
    public const int ExitFailure = 1;

    /// <summary>Exit code when the command line is wrong.</summary>
    public const int ExitUsage = 2;

    /// <summary>Exit code when interrupted by Ctrl-C.</summary>
    public const int ExitInterrupted = 130;

    internal static IReadOnlyList<CliCommand> Commands { get; } =
    [
        new DemoCommand(),
        new ProduceCommand(),
        new ConsumeCommand(),
        new MetadataCommand(),
        new TopicsListCommand(),
        new TopicsDescribeCommand(),
        new TopicsCreateCommand(),
        new TopicsDeleteCommand(),
        new TopicsAddPartitionsCommand(),
        new GroupsListCommand(),
        new GroupsDescribeCommand(),
        new PerfProduceCommand(),
        new PerfConsumeCommand(),
        new BrokerCommand(),
    ];

    /// <summary>
    /// Runs one command line. <paramref name="environment"/> replaces the process environment when
    /// given (tests); <paramref name="outputIsTerminal"/> enables live progress; <paramref name="time"/>
    /// replaces the system clock (tests).
    /// </summary>
    public static async Task<int> RunAsync(
        IReadOnlyList<string> args, TextReader input, TextWriter output, TextWriter error,
        IReadOnlyDictionary<string, string>? environment = null,
        bool outputIsTerminal = false,
        TimeProvider? time = null,
        CancellationToken cancellationToken = default)
    {
        Func<string, string?> getEnv = environment is null
            ? Environment.GetEnvironmentVariable
            : name => environment.TryGetValue(name, out var v) ? v : null;
        var context = new CliContext(input, output, error, getEnv, outputIsTerminal, cancellationToken, time);
        foreach (var a in args)
        {
            if (a is "--verbose" or "-v")
                context.Verbose = true;
        }

        try
        {
            return await DispatchAsync(args, context).ConfigureAwait(false);
        }
        catch (CliUsageException e)
        {
            await error.WriteLineAsync($"samsa: {e.Message}").ConfigureAwait(false);
            return ExitUsage;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("samsa: interrupted").ConfigureAwait(false);
            return ExitInterrupted;
        }
        catch (Exception e)
        {
            await error.WriteLineAsync($"samsa: error: {Describe(e)}").ConfigureAwait(false);
            if (context.Verbose)
                await error.WriteLineAsync(e.ToString()).ConfigureAwait(false);
            return ExitFailure;
        }
        finally
        {
            await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            await error.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task<int> DispatchAsync(IReadOnlyList<string> args, CliContext context)
    {
        if (args.Count == 0)
        {
            await context.Error.WriteAsync(TopUsage()).ConfigureAwait(false);
            return ExitUsage;
        }
        if (args[0] is "-h" or "--help" or "help")
        {
            await context.Out.WriteAsync(TopUsage()).ConfigureAwait(false);
            return ExitOk;
        }
        if (args[0] is "--version" or "version")
        {
            await context.Out.WriteLineAsync($"samsa {Version}").ConfigureAwait(false);
            return ExitOk;
        }

        var (command, parsed) = Parse(args);
        if (parsed.Has(CommonOptions.Help.Long))
        {
            await context.Out.WriteAsync(command.Usage(CommonOptions.Global)).ConfigureAwait(false);
            return ExitOk;
        }
        return await command.RunAsync(parsed, context).ConfigureAwait(false);
    }

    /// <summary>Finds the command and parses its options, without running anything.</summary>
    /// <exception cref="CliUsageException">Unknown command or sub-command, or options that do not parse.</exception>
    internal static (CliCommand Command, ParsedArguments Arguments) Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0)
            throw new CliUsageException("missing command (run 'samsa --help' for the list)");
        CliCommand? command = null;
        var consumed = 0;
        if (args.Count >= 2)
            command = Find($"{args[0]} {args[1]}");
        if (command is not null)
        {
            consumed = 2;
        }
        else
        {
            command = Find(args[0]);
            consumed = 1;
        }
        if (command is null)
        {
            var group = GroupOf(args[0]);
            if (group.Count > 0)
            {
                var names = string.Join(", ", group.Select(c => c.Name[(args[0].Length + 1)..]));
                var what = args.Count >= 2 && !args[1].StartsWith('-') ? $"unknown sub-command '{args[1]}'" : "missing sub-command";
                throw new CliUsageException($"{what} for 'samsa {args[0]}'; expected one of: {names}");
            }
            throw new CliUsageException($"unknown command '{args[0]}' (run 'samsa --help' for the list)");
        }

        var options = new List<OptionSpec>(command.Options);
        options.AddRange(CommonOptions.Global);
        var rest = args.Skip(consumed).ToList();
        return (command, ArgumentParser.Parse(command.Name, rest, options));
    }

    private static CliCommand? Find(string name)
    {
        foreach (var c in Commands)
        {
            if (c.Name == name)
                return c;
        }
        return null;
    }

    private static List<CliCommand> GroupOf(string word) =>
        Commands.Where(c => c.Name.StartsWith(word + " ", StringComparison.Ordinal)).ToList();

    /// <summary>The tool's version (the assembly's informational version).</summary>
    public static string Version =>
        typeof(Cli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    internal static string TopUsage()
    {
        var sb = new System.Text.StringBuilder();
        sb.Append("samsa - a pure-managed Apache Kafka client for .NET, as a command-line tool\n\n");
        sb.Append("usage: samsa COMMAND [options]    (samsa COMMAND --help for its options)\n\ncommands:\n");
        var width = Commands.Max(c => c.Name.Length);
        foreach (var c in Commands)
            sb.Append("  ").Append(c.Name.PadRight(width + 2)).Append(c.Summary).Append('\n');
        sb.Append("\nBrokers come from -b HOST:PORT[,...] or $SAMSA_BROKERS; 'demo' and 'perf' start an\n");
        sb.Append("embedded cluster when neither is given. Start here: samsa demo\n");
        sb.Append("\nexit codes: 0 done, 1 the operation failed, 2 bad command line, 130 interrupted.\n");
        sb.Append("Errors are one line on stderr; --verbose adds client logs and stack traces.\n");
        return sb.ToString();
    }

    /// <summary>The one-line message for an error: the exception's message and its causes' messages.</summary>
    internal static string Describe(Exception e)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } agg)
            e = agg.InnerExceptions[0];
        var text = e.Message;
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (!text.Contains(inner.Message, StringComparison.Ordinal))
                text += ": " + inner.Message;
        }
        return text.ReplaceLineEndings(" ");
    }
}
