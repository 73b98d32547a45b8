using AckFc.Core.Compliance;

namespace AckFc.Core.Reporting;

/// <summary>
/// One file of a report set, by its file name (e.g. <c>report.html</c>). The content is rendered when the store writes
/// the file, so a fleet-sized set holds one format in memory at a time, not all five.
/// </summary>
public sealed class ReportFile
{
    private readonly Func<string> render;

    public ReportFile(string name, string content)
        : this(name, () => content)
    {
    }

    public ReportFile(string name, Func<string> render)
    {
        Name = name;
        this.render = render;
    }

    public string Name { get; }

    /// <summary>Renders the content (each call renders again).</summary>
    public string Render() => render();
}

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
}

/// <summary>
/// Keeps report sets: one set of files per sweep plus the latest report. The file store writes under
/// <c>ACKFC_REPORT_DIR</c>; an object-storage store can implement the same interface.
/// </summary>
public interface IReportStore
{
    /// <summary>The report most recently saved (<c>latest.json</c>), or null when there is none yet.</summary>
    Task<ComplianceReport?> LoadLatestAsync(CancellationToken cancellationToken = default);

    /// <summary>The report of a sweep, or null when no set of that sweep id is kept.</summary>
    Task<ComplianceReport?> LoadAsync(string sweepId, CancellationToken cancellationToken = default);

    /// <summary>The publication state of a sweep's set, or null when the sweep was never published.</summary>
    Task<ReportSetState?> LoadStateAsync(string sweepId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the files and the state of the report's set (replacing the set of the same sweep id), then the latest
    /// report, then applies retention. Each file is written atomically. Returns where the files went.
    /// </summary>
    Task<IReadOnlyList<string>> SaveAsync(
        ComplianceReport report, IReadOnlyList<ReportFile> files, ReportSetState state, CancellationToken cancellationToken = default);
}
