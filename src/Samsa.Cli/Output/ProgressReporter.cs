using System.Diagnostics;
using System.Globalization;

namespace Samsa.Cli.Output;

/// <summary>
/// Live progress (count, rate, and optionally lag) on stderr, rewritten in place about once a second,
/// only when stdout is a terminal: piped output stays clean and parseable.
/// </summary>
internal sealed class ProgressReporter
{
    private readonly TextWriter? _error;
    private readonly string _unit;
    private readonly long _startTicks = Stopwatch.GetTimestamp();
    private long _lastTicks;
    private bool _shown;

    public ProgressReporter(CliContext context, string unit)
    {
        _error = context.OutputIsTerminal ? context.Error : null;
        _unit = unit;
        _lastTicks = _startTicks;
    }

    /// <summary>True when progress is displayed at all.</summary>
    public bool Enabled => _error is not null;

    /// <summary>Shows the current count when at least a second passed since the last update.</summary>
    public void Report(long count, long? total = null, string? extra = null)
    {
        if (_error is null)
            return;
        var now = Stopwatch.GetTimestamp();
        if (Stopwatch.GetElapsedTime(_lastTicks, now).TotalSeconds < 1)
            return;
        _lastTicks = now;
        var seconds = Stopwatch.GetElapsedTime(_startTicks, now).TotalSeconds;
        var rate = seconds > 0 ? count / seconds : 0;
        var of = total is { } t ? string.Create(CultureInfo.InvariantCulture, $"/{t}") : "";
        _error.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r{count}{of} {_unit}, {rate:F0} {_unit}/s{(extra is null ? "" : ", " + extra)}   "));
        _error.Flush();
        _shown = true;
    }

    /// <summary>Ends the progress line so later output starts on a fresh line.</summary>
    public void Finish()
    {
        if (_error is not null && _shown)
        {
            _error.Write("\r\x1b[K");
            _error.Flush();
        }
    }
}
