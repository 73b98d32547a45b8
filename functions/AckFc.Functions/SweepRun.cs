using System.Text;
using AckFc.Core.Compliance;
using AckFc.Core.Judging;
using AckFc.Core.Reporting;

namespace AckFc.Functions;

/// <summary>
/// The event answer of a sweep (contracts §8): what a timer's caller can use without the fleet report, which Function
/// Compute discards for async invocations and which is megabytes at fleet size. The full report is in the store.
/// </summary>
public sealed record SweepAnswer
{
    public required string SweepId { get; init; }
    public required SweepMode Mode { get; init; }
    public required bool Complete { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset FinishedAt { get; init; }
    public required IReadOnlyList<string> Regions { get; init; }
    public required ReportSummary Summary { get; init; }
    public required ActionCounts Actions { get; init; }
    /// <summary>The report's errors (the first <see cref="SweepRun.MaxAnswerErrors"/>); <see cref="ErrorCount"/> has them all.</summary>
    public required IReadOnlyList<ReportError> Errors { get; init; }
    public required int ErrorCount { get; init; }
    /// <summary>Where the report set went: every format and <c>latest</c>.</summary>
    public required IReadOnlyList<string> ReportFiles { get; init; }
    /// <summary>Set when the invocation counts as failed (answered 404 + <c>x-fc-status: 404</c>).</summary>
    public string? ErrorType { get; init; }
    public string? ErrorMessage { get; init; }
}

/// <summary>Remediation actions of a sweep by status.</summary>
public sealed record ActionCounts(int Planned, int Applied, int Skipped, int Failed);

/// <summary>The time rules of a sweep inside an invocation (used by <see cref="SweepAndPublish"/>) and its event answer.</summary>
public static class SweepRun
{
    public const int MaxAnswerErrors = 50;

    /// <summary>The error type of a sweep whose report set could not be written (the store failed).</summary>
    public const string ReportNotPublished = "ReportNotPublished";

    /// <summary>The error type of a sweep that could not read or do everything.</summary>
    public const string SweepIncomplete = "SweepIncomplete";

    /// <summary>Error scopes that make a sweep a failed invocation: something could not be read, or not done.</summary>
    public static readonly IReadOnlySet<string> FailingScopes = new HashSet<string>(StringComparer.Ordinal) { "region", "key", "cluster", "remediation", "deadline" };

    /// <summary>
    /// Time kept back from the sweep for publishing: max(30 s, 10 %) of the timeout, but at most half of it, so a 3 s
    /// invocation still sweeps for 1.5 s and a 900 s one keeps 90 s.
    /// </summary>
    public static TimeSpan ReserveFor(TimeSpan timeout)
    {
        var reserve = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(30).Ticks, timeout.Ticks / 10));
        return TimeSpan.FromTicks(Math.Min(reserve.Ticks, timeout.Ticks / 2));
    }

    /// <summary>Kept after publishing to write the answer: 1 s, or a tenth of a short timeout.</summary>
    public static TimeSpan AnswerMarginFor(TimeSpan timeout) => TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, timeout.Ticks / 10));

    /// <summary>The summary answer; with <paramref name="failure"/> set when the sweep counts as failed.</summary>
    public static SweepAnswer Answer(PublishedReport published, string? failure = null, string errorType = SweepIncomplete)
    {
        ArgumentNullException.ThrowIfNull(published);
        var report = published.Report;
        return new SweepAnswer
        {
            SweepId = report.SweepId,
            Mode = report.Mode,
            Complete = report.Complete,
            StartedAt = report.StartedAt,
            FinishedAt = report.FinishedAt,
            Regions = report.Regions,
            Summary = report.Summary,
            Actions = new ActionCounts(
                report.Actions.Count(a => a.Status == RemediationStatus.Planned),
                report.Actions.Count(a => a.Status == RemediationStatus.Applied),
                report.Actions.Count(a => a.Status == RemediationStatus.Skipped),
                report.Actions.Count(a => a.Status == RemediationStatus.Failed)),
            Errors = [.. report.Errors.Take(MaxAnswerErrors)],
            ErrorCount = report.Errors.Count,
            ReportFiles = published.Files,
            ErrorType = failure is null ? null : errorType,
            ErrorMessage = failure,
        };
    }

    /// <summary>
    /// Why the sweep counts as failed, naming each region with the actions and codes that failed (one line an SLS
    /// alert can match), or null when nothing failed but notifications.
    /// </summary>
    public static string? FailureOf(ComplianceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var failing = report.Errors.Where(e => FailingScopes.Contains(e.Scope)).ToList();
        if (failing.Count == 0 && report.Complete)
        {
            return null;
        }

        var text = new StringBuilder($"Sweep {report.SweepId} is incomplete ({failing.Count} errors; the report set was written): ");
        var groups = failing.GroupBy(e => e.RegionId ?? e.Scope, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        foreach (var (group, i) in groups.Take(20).Select((g, i) => (g, i)))
        {
            if (i > 0)
            {
                text.Append("; ");
            }

            var codes = group.Select(e => e.Action is null ? e.Code : $"{e.Action} {e.Code}").Distinct(StringComparer.Ordinal).Take(5);
            text.Append(group.Key).Append(": ").Append(string.Join(", ", codes));
        }

        if (groups.Count > 20)
        {
            text.Append($"; and {groups.Count - 20} more");
        }

        if (failing.Count == 0)
        {
            text.Append("the report says complete: false");
        }

        return text.Append('.').ToString();
    }
}
