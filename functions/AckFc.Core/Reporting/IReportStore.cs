using AckFc.Core.Compliance;

namespace AckFc.Core.Reporting;

/// <summary>What was done with a report set: what it was compared with and which channels heard about it.</summary>
public sealed record ReportSetState
{
    public required string SweepId { get; init; }
    /// <summary>The sweep id of the previous report the changes were computed against (null for the first sweep).</summary>
    public string? ComparedWith { get; init; }
    public required DateTimeOffset PublishedAt { get; init; }
    /// <summary>How many times this sweep id was published (a retried timer publishes again).</summary>
    public int Publications { get; init; } = 1;
    /// <summary>Whether this sweep called for a notification.</summary>
    public bool NotificationDue { get; init; }
    /// <summary>Channels that accepted the notification; a republish never notifies them again.</summary>
    public IReadOnlyList<string> NotifiedChannels { get; init; } = [];
    public DateTimeOffset? NotifiedAt { get; init; }
    /// <summary>
    /// False for a partial-scope sweep (fewer regions than the configured fleet): its set is kept, but it does not
    /// replace the fleet's latest report, so the next full sweep is compared with a full one.
    /// </summary>
    public bool ReplacesLatest { get; init; } = true;
}

/// <summary>
/// Keeps report sets: one set of files per sweep plus the latest report. The file store writes under
/// <c>ACKFC_REPORT_DIR</c>; an object-storage store can implement the same interface.
/// </summary>
public interface IReportStore
{
    /// <summary>
    /// Where the store keeps its sets, for people reading a log line: <c>oss://{bucket}/{prefix}</c> or the directory.
    /// Never credentials, never a signed URL.
    /// </summary>
    string Location => "the report store";

    /// <summary>The report most recently saved (<c>latest.json</c>), or null when there is none yet.</summary>
    Task<ComplianceReport?> LoadLatestAsync(CancellationToken cancellationToken = default);

    /// <summary>The report of a sweep, or null when no set of that sweep id is kept.</summary>
    Task<ComplianceReport?> LoadAsync(string sweepId, CancellationToken cancellationToken = default);

    /// <summary>The publication state of a sweep's set, or null when the sweep was never published.</summary>
    Task<ReportSetState?> LoadStateAsync(string sweepId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the files and the state of the report's set (replacing the set of the same sweep id), then the latest
    /// report (unless <see cref="ReportSetState.ReplacesLatest"/> is false), then applies retention. Each file is
    /// written atomically. Returns where the files went.
    /// </summary>
    Task<IReadOnlyList<string>> SaveAsync(
        ComplianceReport report, IReadOnlyList<ReportFile> files, ReportSetState state, CancellationToken cancellationToken = default);

    /// <summary>Creates the marker <paramref name="name"/> of a sweep once. False when it already exists (create-only).</summary>
    /// <remarks>
    /// Markers record what happened to a sweep before its set state is written (a notification's intent and each
    /// delivery), so a crash in between cannot make a retried timer do it again. Names are short ASCII
    /// (<c>notify-intent.slack.1</c>, <c>notified.slack</c>); creation is atomic and never overwrites.
    /// </remarks>
    Task<bool> TryCreateMarkerAsync(string sweepId, string name, CancellationToken cancellationToken = default);

    /// <summary>The names of the markers a sweep has (empty when none).</summary>
    Task<IReadOnlyCollection<string>> LoadMarkersAsync(string sweepId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The counts of the last <paramref name="count"/> full-scope sweeps published before <paramref name="before"/>
    /// (all of them when null), oldest first: the HTML report's trend. Read from small index or summary objects, never
    /// from the reports themselves. Partial-scope sweeps are left out, and so are sets published before the store kept
    /// their counts. A store that keeps no trend throws <see cref="NotSupportedException"/>.
    /// </summary>
    Task<IReadOnlyList<TrendPoint>> LoadTrendAsync(int count, DateTimeOffset? before = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"{GetType().Name} keeps no trend of earlier sweeps.");

    /// <summary>
    /// A link a person can open to one file of the report's set for <paramref name="lifetime"/> (a presigned URL on
    /// object storage), or null when the store has no such link (a directory).
    /// </summary>
    Uri? LinkTo(ComplianceReport report, string fileName, TimeSpan lifetime) => null;
}
