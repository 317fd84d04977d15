namespace Samsa.Cli.CommandLine;

/// <summary>
/// The command line itself is wrong (unknown option, missing value, bad number). Reported as one
/// line on stderr with exit code 2, never with a stack trace.
/// </summary>
internal sealed class CliUsageException : Exception
{
    public CliUsageException(string message) : base(message) { }

    public CliUsageException() { }

    public CliUsageException(string message, Exception inner) : base(message, inner) { }

    /// <summary>A configuration error as one usage line, without .NET's "(Parameter 'x')" suffix.</summary>
    public static CliUsageException From(string prefix, ArgumentException e)
    {
        var message = e.ParamName is { } p ? e.Message.Replace($" (Parameter '{p}')", "", StringComparison.Ordinal) : e.Message;
        return new CliUsageException(prefix + message, e);
    }
}
