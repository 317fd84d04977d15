namespace Samsa.Cli;

/// <summary>
/// What a command may touch: its standard streams, the environment and cancellation. Tests build one
/// over string readers and writers so the whole CLI runs in-process.
/// </summary>
internal sealed class CliContext
{
    public CliContext(TextReader input, TextWriter output, TextWriter error, Func<string, string?> getEnvironmentVariable,
        bool outputIsTerminal, CancellationToken cancellation, TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
        In = input;
        Out = output;
        Error = error;
        GetEnvironmentVariable = getEnvironmentVariable;
        OutputIsTerminal = outputIsTerminal;
        Cancellation = cancellation;
    }

    /// <summary>Standard input (records to produce; the broker command watches it for EOF).</summary>
    public TextReader In { get; }

    /// <summary>Standard output: results only, so it stays parseable when piped.</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error: errors, progress and status lines.</summary>
    public TextWriter Error { get; }

    /// <summary>Reads an environment variable (injected so tests do not depend on the process).</summary>
    public Func<string, string?> GetEnvironmentVariable { get; }

    /// <summary>True when stdout is a terminal; live progress is shown only then.</summary>
    public bool OutputIsTerminal { get; }

    /// <summary>The clock for progress and throttling (a fake one in tests).</summary>
    public TimeProvider Time { get; }

    /// <summary>Cancelled on Ctrl-C (or by a test).</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>Set by <c>--verbose</c>: stack traces and client logs are shown.</summary>
    public bool Verbose { get; set; }
}
