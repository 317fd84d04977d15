using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Samsa.Testing;

/// <summary>The outcome of one kcat run.</summary>
/// <param name="Arguments">The arguments kcat was started with (for error messages).</param>
/// <param name="ExitCode">Process exit code; -1 when it was killed on timeout.</param>
/// <param name="StdoutBytes">Everything kcat wrote to stdout, as bytes (values may be binary).</param>
/// <param name="Stderr">Everything kcat wrote to stderr.</param>
/// <param name="TimedOut">True when kcat was killed because it ran past its timeout.</param>
public sealed record KcatResult(IReadOnlyList<string> Arguments, int ExitCode, byte[] StdoutBytes, string Stderr, bool TimedOut)
{
    /// <summary>stdout decoded as UTF-8.</summary>
    public string Stdout => Encoding.UTF8.GetString(StdoutBytes);

    /// <summary>stdout split on '\n' (a trailing empty line dropped).</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            var text = Stdout;
            if (text.Length == 0)
            {
                return [];
            }
            var lines = text.Split('\n');
            return text.EndsWith('\n') ? lines[..^1] : lines;
        }
    }

    /// <summary>Throws <see cref="KcatException"/> unless kcat exited with 0 in time.</summary>
    public KcatResult EnsureSuccess()
    {
        if (TimedOut || ExitCode != 0)
        {
            throw new KcatException(this);
        }
        return this;
    }
}

/// <summary>kcat failed or timed out; the message carries the arguments, exit code and stderr.</summary>
public sealed class KcatException : Exception
{
    /// <summary>Creates the exception for <paramref name="result"/>.</summary>
    public KcatException(KcatResult result)
        : base($"kcat {string.Join(' ', result.Arguments)} " +
               (result.TimedOut ? "timed out and was killed" : $"exited with {result.ExitCode}") +
               $"; stderr: {Truncate(result.Stderr)}")
    {
        Result = result;
    }

    /// <summary>The failed run.</summary>
    public KcatResult Result { get; }

    private static string Truncate(string s) => s.Length <= 2000 ? s.Trim() : s[..2000] + "...";
}

/// <summary>
/// Runs kcat 1.7 (librdkafka's command-line producer/consumer, Debian package kcat) as a
/// third-party client in tests. Every run is bounded: on timeout the process tree is killed.
/// </summary>
public static class Kcat
{
    /// <summary>Where kcat is looked for unless the SAMSA_KCAT environment variable names another path.</summary>
    public const string DefaultPath = "/usr/bin/kcat";

    /// <summary>Default bound for one kcat run.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    /// <summary>The kcat executable used.</summary>
    public static string ExecutablePath => Environment.GetEnvironmentVariable("SAMSA_KCAT") is { Length: > 0 } p ? p : DefaultPath;

    /// <summary>True when the kcat executable exists.</summary>
    public static bool IsAvailable => File.Exists(ExecutablePath);

    /// <summary>Throws a message that says how to install kcat when it is missing.</summary>
    public static void EnsureAvailable()
    {
        if (!IsAvailable)
        {
            throw new InvalidOperationException($"kcat not found at {ExecutablePath}; install it with `apt-get install -y kcat` (or set SAMSA_KCAT).");
        }
    }

    /// <summary>
    /// Runs kcat with <paramref name="arguments"/>, writes <paramref name="stdin"/> and closes it,
    /// and collects the output. Does not throw on a non-zero exit; see <see cref="KcatResult.EnsureSuccess"/>.
    /// </summary>
    public static async Task<KcatResult> RunAsync(
        IReadOnlyList<string> arguments, ReadOnlyMemory<byte> stdin = default, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        EnsureAvailable();
        var psi = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in arguments)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {ExecutablePath}");
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutCts.CancelAfter(timeout ?? DefaultTimeout);

        var stdoutTask = ReadAllAsync(process.StandardOutput.BaseStream);
        var stderrTask = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var timedOut = false;
        try
        {
            try
            {
                if (!stdin.IsEmpty)
                {
                    await process.StandardInput.BaseStream.WriteAsync(stdin, timeoutCts.Token);
                }
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // kcat exited before reading all input (e.g. a bad argument); its stderr says why.
            }
            await process.WaitForExitAsync(timeoutCts.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = !cancellationToken.IsCancellationRequested;
            Kill(process);
            if (!timedOut)
            {
                throw;
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                Kill(process);
            }
        }

        // Output pipes close when the process dies; bound the wait anyway.
        await Task.WhenAll(stdoutTask, stderrTask).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        return new KcatResult(arguments.ToArray(), timedOut ? -1 : process.ExitCode, await stdoutTask, await stderrTask, timedOut);
    }

    /// <summary>
    /// Produces one record per line with kcat -P and waits for delivery (kcat exits non-zero on
    /// delivery failure). With <paramref name="keyDelimiter"/>, each line is "key{delimiter}value".
    /// </summary>
    /// <param name="bootstrap">Bootstrap servers.</param>
    /// <param name="topic">Topic.</param>
    /// <param name="lines">Records, one per line (no '\n' inside).</param>
    /// <param name="partition">Target partition, or null for kcat's partitioner.</param>
    /// <param name="keyDelimiter">Key/value delimiter (-K), or null for value-only records.</param>
    /// <param name="compression">none, gzip, snappy, lz4 or zstd (-z), or null for the default (none).</param>
    /// <param name="headers">Headers added to every record (-H name=value).</param>
    /// <param name="extraArgs">More kcat arguments, e.g. "-X", "linger.ms=100".</param>
    /// <param name="timeout">Bound for the run.</param>
    public static async Task<KcatResult> ProduceAsync(
        string bootstrap, string topic, IEnumerable<string> lines, int? partition = null, string? keyDelimiter = null,
        string? compression = null, IEnumerable<KeyValuePair<string, string>>? headers = null,
        IEnumerable<string>? extraArgs = null, TimeSpan? timeout = null)
    {
        var args = new List<string> { "-P", "-b", bootstrap, "-t", topic };
        if (partition is { } p)
        {
            args.Add("-p");
            args.Add(p.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        if (keyDelimiter is not null)
        {
            args.Add("-K");
            args.Add(keyDelimiter);
        }
        if (compression is not null)
        {
            args.Add("-z");
            args.Add(compression);
        }
        if (headers is not null)
        {
            foreach (var (name, value) in headers)
            {
                args.Add("-H");
                args.Add($"{name}={value}");
            }
        }
        if (extraArgs is not null)
        {
            args.AddRange(extraArgs);
        }

        var input = new StringBuilder();
        foreach (var line in lines)
        {
            if (line.Contains('\n', StringComparison.Ordinal))
            {
                throw new ArgumentException("a record line must not contain '\\n'", nameof(lines));
            }
            input.Append(line).Append('\n');
        }
        var result = await RunAsync(args, Encoding.UTF8.GetBytes(input.ToString()), timeout);
        return result.EnsureSuccess();
    }

    /// <summary>
    /// Consumes <paramref name="count"/> records with kcat -C from the beginning (or
    /// <paramref name="offset"/>), formatted by <paramref name="format"/> (-f, e.g. "%k=%s\n";
    /// %K/%S print key/value lengths, %h headers, %p partition, %o offset). Stops at the end of the
    /// partitions (-e) if fewer records exist. Pass a null format with extraArgs "-J" for one JSON
    /// object per record.
    /// </summary>
    public static async Task<KcatResult> ConsumeAsync(
        string bootstrap, string topic, int count, string? format = "%s\\n", int? partition = null,
        string offset = "beginning", IEnumerable<string>? extraArgs = null, TimeSpan? timeout = null)
    {
        var args = new List<string>
        {
            "-C", "-b", bootstrap, "-t", topic, "-o", offset, "-e", "-q",
            "-c", count.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (format is not null)
        {
            args.Add("-f");
            args.Add(format);
        }
        if (partition is { } p)
        {
            args.Add("-p");
            args.Add(p.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        if (extraArgs is not null)
        {
            args.AddRange(extraArgs);
        }
        var result = await RunAsync(args, default, timeout);
        return result.EnsureSuccess();
    }

    /// <summary>kcat -L -J: cluster metadata as JSON (optionally for one topic).</summary>
    public static async Task<JsonDocument> MetadataAsync(string bootstrap, string? topic = null, IEnumerable<string>? extraArgs = null, TimeSpan? timeout = null)
    {
        var args = new List<string> { "-L", "-J", "-b", bootstrap };
        if (topic is not null)
        {
            args.Add("-t");
            args.Add(topic);
        }
        if (extraArgs is not null)
        {
            args.AddRange(extraArgs);
        }
        var result = (await RunAsync(args, default, timeout)).EnsureSuccess();
        return JsonDocument.Parse(result.StdoutBytes);
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}
