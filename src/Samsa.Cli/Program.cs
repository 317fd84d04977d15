using System.Text;
using Samsa.Cli;
using Samsa.Cli.Output;

// The `samsa` tool. Ctrl-C cancels the running command (it then cleans up and exits 130); stdout is
// buffered so consuming millions of records is not bound by console writes. Live progress (written
// to stderr with carriage returns) is shown only when both streams are terminals, so neither a
// pipe nor a log file ever receives it.
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (cts.IsCancellationRequested)
        return; // second Ctrl-C: let the runtime end the process
    e.Cancel = true;
    cts.Cancel();
};
var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) { AutoFlush = false };
var stderr = new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true };
var stdin = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false), false, 1 << 16);
var code = await Cli.RunAsync(args, stdin, stdout, stderr, environment: null,
    outputIsTerminal: ProgressReporter.IsWanted(Console.IsOutputRedirected, Console.IsErrorRedirected), cancellationToken: cts.Token).ConfigureAwait(false);
await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
return code;
