using Microsoft.Extensions.Logging;

namespace Samsa.Cli;

/// <summary>Client logs go to stderr only with --verbose; otherwise the tool prints its own one-line errors.</summary>
internal static class ClientLogging
{
    public static ILoggerFactory? Create(CliContext context)
    {
        if (!context.Verbose)
            return null;
        return LoggerFactory.Create(b => b
            .SetMinimumLevel(LogLevel.Debug)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            })
            .AddFilter(l => l >= LogLevel.Debug));
    }
}
