using System.Globalization;

namespace Samsa.Cli.Output;

/// <summary>
/// Live progress on stderr (count, rate, and what the command adds: lag for consumers, records in
/// flight for producers), rewritten in place at most once a second and only when the output is a
/// terminal: piped output stays clean and parseable. Callers ask <see cref="IsDue"/> first so the
/// extra text (lag means walking the assignment) is built once a second, not once a record.
/// </summary>
internal sealed class ProgressReporter
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly TextWriter? _terminal;
    private readonly TimeProvider _time;
    private readonly string _unit;
    private readonly long _startTicks;
    private long _lastTicks;
    private bool _shown;

    public ProgressReporter(CliContext context, string unit)
        : this(context.OutputIsTerminal ? context.Error : null, unit, context.Time)
    {
    }

    /// <param name="terminal">Where progress goes; null when the output is not a terminal (nothing is shown).</param>
    /// <param name="unit">What is counted, e.g. <c>records</c>.</param>
    /// <param name="time">The clock that paces updates and measures the rate.</param>
    public ProgressReporter(TextWriter? terminal, string unit, TimeProvider time)
    {
        _terminal = terminal;
        _unit = unit;
        _time = time;
        _startTicks = time.GetTimestamp();
        _lastTicks = _startTicks;
    }

    /// <summary>
    /// Whether the process may show live progress: only when stdout is a terminal (a person is
    /// watching) and stderr is too (the carriage-return line must not land in a pipe or a log file).
    /// </summary>
    public static bool IsWanted(bool outputRedirected, bool errorRedirected) => !outputRedirected && !errorRedirected;

    /// <summary>True when progress is displayed at all.</summary>
    public bool Enabled => _terminal is not null;

    /// <summary>True when progress is displayed and a second has passed since the last update.</summary>
    public bool IsDue => _terminal is not null && _time.GetElapsedTime(_lastTicks) >= Interval;

    /// <summary>Rewrites the progress line when it is due; <paramref name="extra"/> is appended after the rate.</summary>
    public void Report(long count, long? total = null, string? extra = null)
    {
        if (!IsDue)
            return;
        var now = _time.GetTimestamp();
        _lastTicks = now;
        var line = Format(_unit, count, total, _time.GetElapsedTime(_startTicks, now), extra);
        _terminal!.Write("\r" + line + "\x1b[K");
        _terminal.Flush();
        _shown = true;
    }

    /// <summary>Erases the progress line (before other output, and at the end) so text starts on a clean line.</summary>
    public void Clear()
    {
        if (_terminal is not null && _shown)
        {
            _terminal.Write("\r\x1b[K");
            _terminal.Flush();
            _shown = false;
        }
    }

    /// <summary>Ends progress: erases the line.</summary>
    public void Finish() => Clear();

    /// <summary>The progress text, e.g. <c>1200/5000 records, 600 records/s, lag 3800</c>.</summary>
    internal static string Format(string unit, long count, long? total, TimeSpan elapsed, string? extra)
    {
        var seconds = elapsed.TotalSeconds;
        var rate = seconds > 0 ? count / seconds : 0;
        var of = total is { } t ? string.Create(CultureInfo.InvariantCulture, $"/{t}") : "";
        var tail = extra is null ? "" : ", " + extra;
        return string.Create(CultureInfo.InvariantCulture, $"{count}{of} {unit}, {rate:F0} {unit}/s{tail}");
    }

    /// <summary>A consumer's lag for the progress line; <c>lag ?</c> until every partition's lag is known.</summary>
    internal static string Lag(long? lag) =>
        lag is { } l ? string.Create(CultureInfo.InvariantCulture, $"lag {l}") : "lag ?";

    /// <summary>A producer's records sent but not yet acknowledged (or failed).</summary>
    internal static string InFlight(long inFlight) =>
        string.Create(CultureInfo.InvariantCulture, $"{inFlight} in flight");
}
