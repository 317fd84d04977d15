using Samsa.Cli.CommandLine;

namespace Samsa.Cli.Commands;

/// <summary>One <c>samsa</c> command (or sub-command such as <c>topics create</c>).</summary>
internal abstract class CliCommand
{
    /// <summary>The words that select the command, e.g. <c>topics create</c>.</summary>
    public abstract string Name { get; }

    /// <summary>One line saying what the command does.</summary>
    public abstract string Summary { get; }

    /// <summary>Positional arguments shown after the options in usage, e.g. <c>[TOPIC...]</c>.</summary>
    public virtual string Positionals => "";

    /// <summary>Further lines of help (examples, notes).</summary>
    public virtual string Details => "";

    /// <summary>The options the command accepts (the global ones are added by the caller).</summary>
    public abstract IReadOnlyList<OptionSpec> Options { get; }

    /// <summary>Runs the command; returns the process exit code.</summary>
    public abstract Task<int> RunAsync(ParsedArguments args, CliContext context);

    /// <summary>The command's usage text.</summary>
    public string Usage(IReadOnlyList<OptionSpec> globalOptions)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append("usage: samsa ").Append(Name).Append(" [options]");
        if (Positionals.Length > 0)
            sb.Append(' ').Append(Positionals);
        sb.Append('\n').Append(Summary).Append("\n\noptions:\n");
        var all = new List<OptionSpec>(Options);
        all.AddRange(globalOptions);
        var width = 0;
        foreach (var o in all)
            width = Math.Max(width, o.Display.Length);
        foreach (var o in all)
            sb.Append("  ").Append(o.Display.PadRight(width + 2)).Append(o.Help).Append('\n');
        if (Details.Length > 0)
            sb.Append('\n').Append(Details.TrimEnd()).Append('\n');
        return sb.ToString();
    }
}
