using System.Diagnostics;

namespace Samsa.Cli.Perf;

/// <summary>
/// Wall time, process CPU time and managed bytes allocated between <see cref="Start"/> and
/// <see cref="Stop"/>. CPU covers the whole process (client threads included), which is what a user
/// pays for; the allocation count is precise (<c>GC.GetTotalAllocatedBytes(true)</c>).
/// </summary>
internal sealed class ResourceMeter
{
    private long _startTicks;
    private TimeSpan _startCpu;
    private long _startAlloc;

    /// <summary>Seconds between start and stop.</summary>
    public double Seconds { get; private set; }

    /// <summary>Process CPU seconds between start and stop.</summary>
    public double CpuSeconds { get; private set; }

    /// <summary>Managed bytes allocated between start and stop.</summary>
    public long AllocatedBytes { get; private set; }

    public void Start()
    {
        _startAlloc = GC.GetTotalAllocatedBytes(true);
        using (var p = Process.GetCurrentProcess())
            _startCpu = p.TotalProcessorTime;
        _startTicks = Stopwatch.GetTimestamp();
    }

    /// <summary>Seconds since start, while running.</summary>
    public double Elapsed => Stopwatch.GetElapsedTime(_startTicks).TotalSeconds;

    public void Stop()
    {
        Seconds = Stopwatch.GetElapsedTime(_startTicks).TotalSeconds;
        using (var p = Process.GetCurrentProcess())
            CpuSeconds = (p.TotalProcessorTime - _startCpu).TotalSeconds;
        AllocatedBytes = GC.GetTotalAllocatedBytes(true) - _startAlloc;
    }
}
