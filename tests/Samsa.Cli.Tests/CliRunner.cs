namespace Samsa.Cli.Tests;

/// <summary>The outcome of one in-process CLI run.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public IReadOnlyList<string> Lines =>
        Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Runs <c>samsa</c> in-process with captured streams and no process environment.</summary>
internal static class CliRunner
{
    public static async Task<CliRun> RunAsync(string stdin, params string[] args) =>
        await RunAsync(stdin, null, TimeSpan.FromSeconds(25), args);

    public static Task<CliRun> RunAsync(string stdin, IReadOnlyDictionary<string, string>? env, TimeSpan bound, params string[] args) =>
        RunAsync(stdin, env, bound, terminal: false, time: null, args);

    /// <summary>
    /// Runs as if stdout were a terminal (<paramref name="terminal"/>) under <paramref name="time"/>:
    /// with a clock that steps a second per reading, every progress check is due.
    /// </summary>
    public static async Task<CliRun> RunAsync(string stdin, IReadOnlyDictionary<string, string>? env, TimeSpan bound, bool terminal,
        TimeProvider? time, params string[] args)
    {
        using var input = new StringReader(stdin);
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var cts = new CancellationTokenSource(bound);
        var code = await Cli.RunAsync(args, input, output, error, env ?? new Dictionary<string, string>(), terminal, time, cts.Token);
        return new CliRun(code, output.ToString(), error.ToString());
    }
}
