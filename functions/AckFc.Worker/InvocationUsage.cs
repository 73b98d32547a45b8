using Microsoft.Extensions.Logging;

namespace AckFc.Worker;

/// <summary>
/// What one event invocation cost the process: wall time, bytes allocated, collections and the peak working set.
/// Function Compute bills memory size by duration, so these are the figures to size the function by. Allocation and
/// collection counts are process-wide: exact for a timer sweep, an upper bound while webhook calls run beside it.
/// </summary>
internal sealed partial class InvocationUsage
{
    private readonly TimeProvider time;
    private readonly long started;
    private readonly long allocated;
    private readonly int gen0;
    private readonly int gen2;

    private InvocationUsage(TimeProvider time)
    {
        this.time = time;
        started = time.GetTimestamp();
        allocated = GC.GetTotalAllocatedBytes();
        gen0 = GC.CollectionCount(0);
        gen2 = GC.CollectionCount(2);
    }

    public static InvocationUsage Start(TimeProvider time) => new(time);

    public void Log(ILogger logger, string requestId)
    {
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        LogUsage(
            logger,
            requestId,
            Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 1),
            Math.Round((GC.GetTotalAllocatedBytes() - allocated) / 1048576.0, 1),
            GC.CollectionCount(0) - gen0,
            GC.CollectionCount(2) - gen2,
            PeakWorkingSetMb());
    }

    /// <summary>The process's peak working set, or -1 where the system does not tell it (no /proc in the root).</summary>
    private static double PeakWorkingSetMb()
    {
        try
        {
            using var process = System.Diagnostics.Process.GetCurrentProcess();
            return Math.Round(process.PeakWorkingSet64 / 1048576.0, 1);
        }
        catch (InvalidOperationException)
        {
            // A figure for the log only: its absence must never fail the invocation it describes.
            return -1;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Invocation {RequestId} took {DurationMs} ms, allocated {AllocatedMb} MB ({Gen0Collections} gen0 and {Gen2Collections} gen2 collections); peak working set {PeakWorkingSetMb} MB")]
    private static partial void LogUsage(ILogger logger, string requestId, double durationMs, double allocatedMb, int gen0Collections, int gen2Collections, double peakWorkingSetMb);
}
