using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AckFc.Core.Compliance;
using AckFc.Core.Reporting;
using AckFc.Worker;

namespace AckFc.Functions;

/// <summary>The scheduled compliance sweep (contracts §3). A failed sweep throws, so Function Compute sees 404 + x-fc-status and retries.</summary>
public sealed class ComplianceFunction(IComplianceService compliance, IReportPublisher publisher) : ITimerFunction
{
    public const string Schedule = "CRON_TZ=Asia/Shanghai 0 0 3 * * *";

    [Function("compliance")]
    public async Task<ResponseBody> RunAsync([TimerTrigger(Schedule)] TimerInfo timer, FunctionContext context)
    {
        SweepPayload payload;
        try
        {
            payload = Payloads.ParseSweep(Encoding.UTF8.GetBytes(timer.Payload));
        }
        catch (BadRequestException e)
        {
            throw new InvalidEventException($"The timer payload is not a sweep request ({e.Field}): {e.Message}");
        }

        var report = await compliance.SweepAsync(
            new SweepRequest(payload.Mode, payload.Regions, SweepIdOf(timer), "compliance sweep", timer.TriggerTime, context.Deadline),
            context.CancellationToken);
        var published = await publisher.PublishAsync(report, context.CancellationToken);
        // Streamed onto the connection: the answer of a fleet-sized sweep is not copied into memory first.
        return ResponseBody.Json(published.Report, ReportJsonContext.Default.ComplianceReport);
    }

    /// <summary>The same trigger (name and time) always gets the same id, so Function Compute's retry is recognised.</summary>
    public static string SweepIdOf(TimerInfo timer)
    {
        var time = timer.TriggerTime.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var name = new string([.. timer.TriggerName.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_').Take(32)]);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(timer.TriggerName + "|" + timer.TriggerTime.ToUnixTimeSeconds())))[..8];
        return $"{(name.Length == 0 ? "timer" : name)}-{time}-{hash}";
    }
}
