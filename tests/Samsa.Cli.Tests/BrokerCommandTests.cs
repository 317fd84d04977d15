using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Samsa.Cli.Tests;

/// <summary>
/// <c>samsa broker</c> run in-process: BOOTSTRAP first, --port, --data, --no-auto-create, and it
/// stops when stdin closes or on Ctrl-C (the cancellation token).
/// </summary>
public class BrokerCommandTests
{
    private static readonly Dictionary<string, string> NoEnvironment = [];

    [Fact]
    public async Task Broker_command_prints_bootstrap_first_and_stops_when_stdin_closes()
    {
        var stdin = new BlockingReader();
        var output = new SynchronizedWriter();
        using var error = new StringWriter();
        var run = Cli.RunAsync(["broker", "--brokers", "1", "--topic", "b1:2"], stdin, output, error, NoEnvironment);
        var first = await output.FirstLineAsync(TimeSpan.FromSeconds(10));
        Assert.StartsWith("BOOTSTRAP 127.0.0.1:", first);
        var bootstrap = first["BOOTSTRAP ".Length..];

        var topics = await CliRunner.RunAsync("", "topics", "list", "-b", bootstrap);
        Assert.Contains("b1", topics.Lines);

        stdin.Close();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("stopping the embedded cluster", error.ToString());
    }

    [Fact]
    public async Task Broker_command_listens_on_the_given_port_and_can_refuse_unknown_topics()
    {
        // A port the OS just handed out and released: free unless another process grabs it in between.
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var stdin = new BlockingReader();
        var output = new SynchronizedWriter();
        using var error = new StringWriter();
        var run = Cli.RunAsync(["broker", "--port", port.ToString(CultureInfo.InvariantCulture), "--no-auto-create"],
            stdin, output, error, NoEnvironment);
        var first = await output.FirstLineAsync(TimeSpan.FromSeconds(10));
        Assert.Equal($"BOOTSTRAP 127.0.0.1:{port}", first);

        var produced = await CliRunner.RunAsync("x\n", "produce", "-b", $"127.0.0.1:{port}", "-t", "never-made");
        Assert.Equal(Cli.ExitFailure, produced.ExitCode);
        Assert.Contains("topic 'never-made' does not exist", produced.Stderr);

        stdin.Close();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Broker_command_stops_on_ctrl_c()
    {
        using var ctrlC = new CancellationTokenSource();
        var output = new SynchronizedWriter();
        using var error = new StringWriter();
        var run = Cli.RunAsync(["broker"], new BlockingReader(), output, error, NoEnvironment, cancellationToken: ctrlC.Token);
        Assert.StartsWith("BOOTSTRAP 127.0.0.1:", await output.FirstLineAsync(TimeSpan.FromSeconds(10)));
        await ctrlC.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("stopping the embedded cluster", error.ToString());
    }

    [Fact]
    public async Task Broker_command_with_data_keeps_records_across_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "samsa-cli-data-" + Guid.NewGuid().ToString("N"));
        try
        {
            var first = await StartAsync("--data", data, "--topic", "kept:1");
            Assert.Equal(0, (await CliRunner.RunAsync("one\ntwo\n", "produce", "-b", first.Bootstrap, "-t", "kept")).ExitCode);
            Assert.Equal(0, await first.StopAsync());

            var second = await StartAsync("--data", data);
            var consumed = await CliRunner.RunAsync("", "consume", "-b", second.Bootstrap, "-t", "kept", "-e");
            Assert.True(consumed.ExitCode == 0, consumed.Stderr);
            Assert.Equal(["one", "two"], consumed.Lines);
            Assert.Equal(0, await second.StopAsync());
        }
        finally
        {
            if (Directory.Exists(data))
                Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Starts <c>samsa broker</c> with <paramref name="args"/> and waits for its BOOTSTRAP line.</summary>
    private static async Task<RunningBroker> StartAsync(params string[] args)
    {
        var stdin = new BlockingReader();
        var output = new SynchronizedWriter();
        var run = Cli.RunAsync(["broker", .. args], stdin, output, TextWriter.Null, NoEnvironment);
        var first = await output.FirstLineAsync(TimeSpan.FromSeconds(10));
        Assert.StartsWith("BOOTSTRAP ", first);
        return new RunningBroker(first["BOOTSTRAP ".Length..], stdin, run);
    }

    private sealed record RunningBroker(string Bootstrap, BlockingReader Stdin, Task<int> Run)
    {
        public Task<int> StopAsync()
        {
            Stdin.Close();
            return Run.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    [Theory]
    [InlineData("--port", "70000", "--port needs an integer between 0 and 65535, got '70000'")]
    [InlineData("--brokers", "0", "--brokers needs an integer between 1 and 64, got '0'")]
    [InlineData("--topic", "orders:x", "Topic 'orders:x' has an invalid partition count 'x'.")]
    public async Task Broker_command_rejects_bad_options_as_usage_errors(string flag, string value, string expected)
    {
        var r = await CliRunner.RunAsync("", "broker", flag, value);
        Assert.Equal(Cli.ExitUsage, r.ExitCode);
        var line = Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.Contains(expected, line);
        Assert.Equal("", r.Stdout);
    }

    /// <summary>A stdin whose lines never come; <see cref="Close"/> ends it (EOF).</summary>
    internal sealed class BlockingReader : TextReader
    {
        private readonly TaskCompletionSource<string?> _eof = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken) => new(_eof.Task.WaitAsync(cancellationToken));

        public override string? ReadLine() => _eof.Task.GetAwaiter().GetResult();

        public override void Close() => _eof.TrySetResult(null);
    }

    /// <summary>A thread-safe stdout that lets a test wait for the first line.</summary>
    internal sealed class SynchronizedWriter : StringWriter
    {
        private readonly TaskCompletionSource<string> _firstLine = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _lock = new();

        public override void Write(char value)
        {
            lock (_lock)
            {
                base.Write(value);
                var text = GetStringBuilder().ToString();
                var nl = text.IndexOf('\n', StringComparison.Ordinal);
                if (nl >= 0)
                    _firstLine.TrySetResult(text[..nl]);
            }
        }

        public override void Write(string? value)
        {
            foreach (var c in value ?? "")
                Write(c);
        }

        public override void Write(char[] buffer, int index, int count)
        {
            for (var i = 0; i < count; i++)
                Write(buffer[index + i]);
        }

        public override Task WriteLineAsync(string? value)
        {
            Write(value);
            Write('\n');
            return Task.CompletedTask;
        }

        public Task<string> FirstLineAsync(TimeSpan timeout) => _firstLine.Task.WaitAsync(timeout);
    }
}
