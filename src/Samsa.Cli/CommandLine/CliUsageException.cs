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
}
