using System.Text.Json;
using AckFc.Core.Compliance;
using AckFc.Core.Rules;
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
        var started = timeProvider.GetTimestamp();
        try
        {
            var published = await PublishCoreAsync(report, cancellationToken);
            LogPublished(
                logger, report.SweepId, published.Files.Count, store.Location, Math.Round(timeProvider.GetElapsedTime(started).TotalMilliseconds, 1),
                published.Changes?.New.Count ?? 0, published.Changes?.Resolved.Count ?? 0, published.Changes?.Escalated.Count ?? 0);
            return published;
        }
        catch (Exception e) when (e is not ReportPublishException)
        {
            // Whatever stopped it (OSS after its retries, a full disk, the deadline), the caller gets the report back
            // with where it was to go, so the sweep's findings still reach the log. Nothing is logged here: the caller
            // writes the one Error line.
            throw new ReportPublishException(report, store.Location, e);
        }
    }

    private async Task<PublishedReport> PublishCoreAsync(ComplianceReport report, CancellationToken cancellationToken)
    {
        var settings = options.Value;

        var fullScope = !IsPartialScope(report, settings);
        // The trend (a list and a few small reads) goes on while the previous report is read and compared.
        var trendRead = ReadTrendAsync(report, fullScope, cancellationToken);
        var (state, comparedWith, changes) = await CompareWithPreviousAsync(report, cancellationToken);
        // An explicit ACKFC_REPORT_URL template wins; otherwise an object store hands out a time-limited link.
        var reportUrl = ReportUrl(settings, report.SweepId) ?? store.LinkTo(report, "report.html", settings.ReportLinkLifetime);
        var digest = ReportDigest.Create(report, changes, settings.DigestMaxItems, reportUrl);

        var due = settings.NotifyAlways
                  || (changes is null ? report.Clusters.Any(c => c.Findings.Any(f => f.Status == FindingStatus.Fail)) : !changes.IsEmpty);
        var markers = await store.LoadMarkersAsync(report.SweepId, cancellationToken);
        var alreadyNotified = (state?.NotifiedChannels ?? []).Concat(DeliveredChannels(markers)).ToHashSet(StringComparer.Ordinal);
        var published = report;
        var delivered = new List<string>(alreadyNotified);
        DateTimeOffset? notifiedAt = state?.NotifiedAt;
        if (due)
        {
            var notification = new Notification(report, changes, digest);
            var errors = new List<ReportError>();
            foreach (var channel in notifier.Channels.Where(c => !alreadyNotified.Contains(c.Name)))
            {
                switch (await NotifyOnceAsync(channel, notification, markers, cancellationToken))
                {
                    case (true, _):
                        delivered.Add(channel.Name);
                        notifiedAt = timeProvider.GetUtcNow();
                        break;
                    case (false, { } error):
                        errors.Add(error);
                        break;
                    default:
                        // Another instance publishing this sweep right now delivers to this channel: nothing to say.
                        break;
                }
            }

            if (errors.Count > 0)
            {
                published = report with { Errors = [.. report.Errors, .. errors] };
            }
        }
        else
        {
            LogNothingToTell(logger, report.SweepId);
        }

        var files = Render(published, changes, digest with { ErrorCount = published.Errors.Count }, await trendRead);
        var newState = new ReportSetState
        {
            SweepId = report.SweepId,
            ComparedWith = comparedWith,
            PublishedAt = timeProvider.GetUtcNow(),
            Publications = (state?.Publications ?? 0) + 1,
            NotificationDue = due || (state?.NotificationDue ?? false),
            NotifiedChannels = [.. delivered.Distinct(StringComparer.Ordinal)],
            NotifiedAt = notifiedAt,
            ReplacesLatest = fullScope,
        };
        try
        {
            var paths = await store.SaveAsync(published, files, newState, cancellationToken);
            return new PublishedReport(published, paths, changes);
        }
        catch (Exception e) when (e is not ReportPublishException)
        {
            // The report as published so far: notification errors included.
            throw new ReportPublishException(published, store.Location, e);
        }
    }

    /// <summary>
    /// Notifies one channel at most once per sweep, whatever crashes: the intent marker of this attempt is created
    /// before the first byte is sent and the delivery marker as soon as the channel took it. An intent with neither a
    /// delivery nor a failure marker means an earlier run stopped mid-delivery: whether the message arrived is unknown,
    /// and it is not sent again (at most once), but said in the report's errors. A definite failure (all attempts
    /// refused) is recorded and the next publication tries again. Another instance publishing the same sweep at the
    /// same moment (its intent marker created between our read of the markers and our create) delivers instead of us:
    /// neither delivered nor an error here. Returns whether this call delivered, and the error if any.
    /// </summary>
    private async Task<(bool Delivered, ReportError? Error)> NotifyOnceAsync(
        NotificationChannel channel, Notification notification, IReadOnlyCollection<string> markers, CancellationToken cancellationToken)
    {
        var sweepId = notification.Report.SweepId;
        var intentPrefix = IntentMarker(channel.Name, 0)[..^1];
        var rounds = markers.Where(m => m.StartsWith(intentPrefix, StringComparison.Ordinal))
            .Select(m => int.TryParse(m.AsSpan(intentPrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0)
            .DefaultIfEmpty(0).Max();
        if (rounds > 0 && !markers.Contains(FailedMarker(channel.Name, rounds)))
        {
            LogInterrupted(logger, sweepId, channel.DisplayName);
            return (false, Interrupted(channel));
        }

        var round = rounds + 1;
        if (!await store.TryCreateMarkerAsync(sweepId, IntentMarker(channel.Name, round), cancellationToken))
        {
            // Another instance publishing the same sweep took this round a moment ago: it delivers, not us.
            LogDeliveredElsewhere(logger, sweepId, channel.DisplayName);
            return (false, null);
        }

        var error = await notifier.SendAsync(channel, notification, cancellationToken);
        await store.TryCreateMarkerAsync(sweepId, error is null ? DeliveredMarker(channel.Name) : FailedMarker(channel.Name, round), cancellationToken);
        return (error is null, error);
    }

    private static ReportError Interrupted(NotificationChannel channel) => new()
    {
        Scope = "notification",
        Action = channel.Name,
        Code = "NotificationInterrupted",
        Message = $"An earlier publication of this sweep started notifying {channel.DisplayName} and stopped before recording the outcome; "
                  + "whether the message arrived is unknown, and it is not sent again (a channel is never notified twice).",
    };

    internal static string IntentMarker(string channel, int round) => $"notify-intent.{channel}.{round}";

    internal static string FailedMarker(string channel, int round) => $"notify-failed.{channel}.{round}";

    internal static string DeliveredMarker(string channel) => $"notified.{channel}";

    private static IEnumerable<string> DeliveredChannels(IReadOnlyCollection<string> markers) =>
        markers.Where(m => m.StartsWith("notified.", StringComparison.Ordinal)).Select(m => m["notified.".Length..]);

    /// <summary>
    /// A sweep of fewer regions than the configured fleet (a <c>regions</c> payload, <c>POST /sweeps</c> for one
    /// region): kept as a set, compared with the latest report on the regions both cover, but not the fleet's latest.
    /// </summary>
    internal static bool IsPartialScope(ComplianceReport report, ReportingOptions settings) =>
        settings.ConfiguredRegions.Count > 0 && !settings.ConfiguredRegions.All(r => report.Regions.Contains(r, StringComparer.Ordinal));

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

    /// <summary>
    /// The earlier sweeps of the HTML report's trend: up to <see cref="ReportTrend.Length"/> − 1 full-scope sweeps before
    /// this one, from the store's index (never their reports). A failed read is a warning, not a failed publication: the
    /// page says the trend could not be read this time.
    /// </summary>
    private async Task<ReportTrend> ReadTrendAsync(ComplianceReport report, bool fullScope, CancellationToken cancellationToken)
    {
        var current = TrendPoint.Of(report, fullScope);
        try
        {
            var earlier = await store.LoadTrendAsync(ReportTrend.Length - 1, before: current.SweepTime, cancellationToken);
            return new ReportTrend(earlier, current);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogTrendUnavailable(logger, report.SweepId, ex.GetType().Name, ex.Message);
            return ReportTrend.Failed(current);
        }
    }

    /// <summary>Every format of the set, by file name; each is rendered straight into its file when the store writes it.</summary>
    internal static IReadOnlyList<ReportFile> Render(ComplianceReport report, ReportChanges? changes, ReportDigest digest, ReportTrend? trend = null) =>
    [
        new(FileReportStore.ReportFileName, (stream, ct) => JsonSerializer.SerializeAsync(stream, report, ReportJsonContext.Default.ComplianceReport, ct)),
        ReportFile.Text("report.html", html => HtmlReportRenderer.Write(html, report, changes, trend)),
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Sweep {SweepId}: an earlier run started notifying {Channel} and did not record the outcome; not sent again (at most once)")]
    private static partial void LogInterrupted(ILogger logger, string sweepId, string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweep {SweepId}: another instance is publishing this sweep at the same time and notifies {Channel}; this one does not (a duplicated or retried timer)")]
    private static partial void LogDeliveredElsewhere(ILogger logger, string sweepId, string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweep {SweepId}: the trend of earlier sweeps could not be read ({Error}: {Reason}); the report is published without it")]
    private static partial void LogTrendUnavailable(ILogger logger, string sweepId, string error, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sweep {SweepId}: nothing new, resolved or escalated; no notification")]
    private static partial void LogNothingToTell(ILogger logger, string sweepId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sweep {SweepId} published: {Files} files to {Store} in {ElapsedMs} ms, {New} new, {Resolved} resolved, {Escalated} escalated")]
    private static partial void LogPublished(ILogger logger, string sweepId, int files, string store, double elapsedMs, int @new, int resolved, int escalated);
}
