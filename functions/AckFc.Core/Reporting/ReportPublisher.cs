using System.Text.Json;
using AckFc.Core.Compliance;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AckFc.Core.Reporting;

/// <summary>
/// Stores every format of a sweep's report, compares it with the previous report and notifies the channels when
/// something changed (or always, when so configured). A republish of the same sweep id (a retried timer) compares
/// with what the first publication compared with, and notifies only channels that have not taken it yet.
/// </summary>
internal sealed partial class ReportPublisher(
    IReportStore store,
    Notifier notifier,
    IOptions<ReportingOptions> options,
    TimeProvider timeProvider,
    ILogger<ReportPublisher> logger) : IReportPublisher
{
    public async Task<PublishedReport> PublishAsync(ComplianceReport report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        var settings = options.Value;

        var (state, comparedWith, changes) = await CompareWithPreviousAsync(report, cancellationToken);
        var reportUrl = ReportUrl(settings, report.SweepId);
        var digest = ReportDigest.Create(report, changes, settings.DigestMaxItems, reportUrl);

        var due = settings.NotifyAlways
                  || (changes is null ? report.Clusters.Any(c => c.Findings.Any(f => f.Status == FindingStatus.Fail)) : !changes.IsEmpty);
        var alreadyNotified = (state?.NotifiedChannels ?? []).ToHashSet(StringComparer.Ordinal);
        var published = report;
        var delivered = new List<string>(alreadyNotified);
        DateTimeOffset? notifiedAt = state?.NotifiedAt;
        if (due)
        {
            var outcome = await notifier.NotifyAsync(new Notification(report, changes, digest), alreadyNotified, cancellationToken);
            delivered.AddRange(outcome.Delivered);
            if (outcome.Delivered.Count > 0)
            {
                notifiedAt = timeProvider.GetUtcNow();
            }

            if (outcome.Errors.Count > 0)
            {
                published = report with { Errors = [.. report.Errors, .. outcome.Errors] };
            }
        }
        else
        {
            LogNothingToTell(logger, report.SweepId);
        }

        var files = Render(published, changes, digest with { ErrorCount = published.Errors.Count });
        var newState = new ReportSetState
        {
            SweepId = report.SweepId,
            ComparedWith = comparedWith,
            PublishedAt = timeProvider.GetUtcNow(),
            Publications = (state?.Publications ?? 0) + 1,
            NotificationDue = due || (state?.NotificationDue ?? false),
            NotifiedChannels = [.. delivered.Distinct(StringComparer.Ordinal)],
            NotifiedAt = notifiedAt,
        };
        var paths = await store.SaveAsync(published, files, newState, cancellationToken);
        LogPublished(logger, report.SweepId, paths.Count, changes?.New.Count ?? 0, changes?.Resolved.Count ?? 0, changes?.Escalated.Count ?? 0);
        return new PublishedReport(published, paths, changes);
    }

    /// <summary>
    /// This sweep's earlier publication state (a retried timer) and its changes since the report it is compared with.
    /// A method of its own so the previous report, as big as this one, can be collected before the files are written.
    /// </summary>
    private async Task<(ReportSetState? State, string? ComparedWith, ReportChanges? Changes)> CompareWithPreviousAsync(
        ComplianceReport report, CancellationToken cancellationToken)
    {
        var state = await store.LoadStateAsync(report.SweepId, cancellationToken);
        if (state is not null)
        {
            LogRepublish(logger, report.SweepId, state.Publications + 1);
            var compared = state.ComparedWith is { } earlier ? await store.LoadAsync(earlier, cancellationToken) : null;
            return (state, state.ComparedWith, compared is null ? null : ReportComparer.Compare(compared, report));
        }

        var previous = await store.LoadLatestAsync(cancellationToken);
        if (previous is not null && string.Equals(previous.SweepId, report.SweepId, StringComparison.Ordinal))
        {
            // latest.json is this very sweep but its set state is gone: assume it was told, never tell twice.
            state = new ReportSetState { SweepId = report.SweepId, PublishedAt = timeProvider.GetUtcNow(), NotifiedChannels = [.. notifier.Channels.Select(c => c.Name)] };
            return (state, null, null);
        }

        return (null, previous?.SweepId, previous is null ? null : ReportComparer.Compare(previous, report));
    }

    /// <summary>Every format of the set, by file name; each is rendered straight into its file when the store writes it.</summary>
    internal static IReadOnlyList<ReportFile> Render(ComplianceReport report, ReportChanges? changes, ReportDigest digest) =>
    [
        new(FileReportStore.ReportFileName, (stream, ct) => JsonSerializer.SerializeAsync(stream, report, ReportJsonContext.Default.ComplianceReport, ct)),
        ReportFile.Text("report.html", html => HtmlReportRenderer.Write(html, report, changes)),
        new("report.md", MarkdownReportRenderer.Render(digest)),
        ReportFile.Text("report.csv", csv => CsvReportRenderer.Write(csv, report)),
        ReportFile.Text("report.ocsf.jsonl", ocsf => OcsfReportRenderer.Write(ocsf, report, changes)),
    ];

    private static Uri? ReportUrl(ReportingOptions settings, string sweepId) =>
        settings.ReportUrl is { } template
            ? new Uri(template.Replace("{sweepId}", Uri.EscapeDataString(sweepId), StringComparison.Ordinal))
            : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Sweep {SweepId} published again (publication {Publication}): already notified channels are not notified twice")]
    private static partial void LogRepublish(ILogger logger, string sweepId, int publication);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sweep {SweepId}: nothing new, resolved or escalated; no notification")]
    private static partial void LogNothingToTell(ILogger logger, string sweepId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sweep {SweepId} published: {Files} files, {New} new, {Resolved} resolved, {Escalated} escalated")]
    private static partial void LogPublished(ILogger logger, string sweepId, int files, int @new, int resolved, int escalated);
}
