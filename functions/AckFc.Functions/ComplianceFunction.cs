using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AckFc.Core.Compliance;
using AckFc.Core.Reporting;
using AckFc.Core.Settings;
using AckFc.Worker;

namespace AckFc.Functions;

/// <summary>
/// The scheduled compliance sweep (contracts §3). The report set is always written; the answer is a summary
/// (contracts §8). A sweep that could not read or do everything answers 404 + x-fc-status (failure destination,
/// metrics, retries) with that summary, and logs one Error line naming the regions and codes. A report set that could
/// not be written fails it the same way (<c>ReportNotPublished</c>), its Error line naming the store and the findings.
/// </summary>
public sealed class ComplianceFunction(SweepAndPublish sweeps) : ITimerFunction
{
    public const string Schedule = "CRON_TZ=Asia/Shanghai 0 0 3 * * *";

    [Function("compliance")]
    public async Task<ResponseBody> RunAsync([TimerTrigger(Schedule)] TimerInfo timer, FunctionContext context)
    {
        SweepRequest request;
        try
        {
            request = sweeps.Parse(Encoding.UTF8.GetBytes(timer.Payload), "payload", SweepIdOf(timer), "compliance sweep", timer.TriggerTime);
        }
        catch (BadRequestException e)
        {
            throw new InvalidEventException($"The timer payload is not a sweep request ({e.Field}): {e.Message}");
        }

        PublishedReport published;
        try
        {
            published = await sweeps.RunAsync(request, context);
        }
        catch (ReportPublishException e)
        {
            // The set is not complete, so it is not latest, and the invocation fails: the worker logs this one Error
            // line, which names the store and carries the findings, and Function Compute sees 404 + x-fc-status.
            var line = PublishFailureLine.For(e);
            var summary = SweepRun.Answer(new PublishedReport(e.Report, [], null), line, SweepRun.ReportNotPublished);
            throw new EventFailedException(SweepRun.ReportNotPublished, line, JsonSerializer.SerializeToUtf8Bytes(summary, FunctionsJsonContext.Default.SweepAnswer));
        }

        var failure = SweepRun.FailureOf(published.Report);
        var answer = JsonSerializer.SerializeToUtf8Bytes(SweepRun.Answer(published, failure), FunctionsJsonContext.Default.SweepAnswer);
        return failure is null ? answer : throw new EventFailedException(SweepRun.SweepIncomplete, failure, answer);
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
