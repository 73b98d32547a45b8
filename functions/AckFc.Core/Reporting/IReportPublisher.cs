using AckFc.Core.Compliance;
using AckFc.Core.Judging;

namespace AckFc.Core.Reporting;

/// <summary>Where a published report went and what changed since the previous sweep.</summary>
/// <param name="Report">The report as published: notification failures are added to its errors.</param>
/// <param name="Files">The files written (JSON, HTML, Markdown, CSV, OCSF, latest.json).</param>
/// <param name="Changes">Findings new, resolved or escalated since the previous report (null for the first sweep).</param>
public sealed record PublishedReport(ComplianceReport Report, IReadOnlyList<string> Files, ReportChanges? Changes);

/// <summary>The difference between two sweeps.</summary>
public sealed record ReportChanges(
    IReadOnlyList<FindingChange> New,
    IReadOnlyList<FindingChange> Resolved,
    IReadOnlyList<FindingChange> Escalated)
{
    public bool IsEmpty => New.Count == 0 && Resolved.Count == 0 && Escalated.Count == 0;
}

/// <summary>One finding that changed: which cluster, which rule, and the finding now (or last seen, when resolved).</summary>
public sealed record FindingChange(string ClusterId, string ClusterName, string RegionId, Finding Finding, string? Why = null);

/// <summary>After a sweep: store every format, compare with the previous report, notify the channels.</summary>
public interface IReportPublisher
{
    /// <summary>
    /// Writes the report in every format under the report store, compares it with the previous one and notifies
    /// the configured channels. A failed notification never throws: it is added to the report's errors.
    /// Publishing the same sweep id again (a retried timer) rewrites the files and does not notify twice.
    /// When the store fails (after the client's retries) it throws <see cref="ReportPublishException"/>, carrying the
    /// report and the store's location; the set is then not latest.
    /// </summary>
    Task<PublishedReport> PublishAsync(ComplianceReport report, CancellationToken cancellationToken = default);
}
