using AckFc.Core.Compliance;
using AckFc.Core.Judging;
using AckFc.Core.Rules;

namespace AckFc.Core.Reporting;

/// <summary>Why a finding is in a digest.</summary>
internal enum DigestItemKind
{
    /// <summary>Still failing, worse than before.</summary>
    Escalated,
    /// <summary>Failing now, not before.</summary>
    New,
    /// <summary>Failing (listed when there are no changes to tell, or on the first sweep).</summary>
    Failing,
    /// <summary>Failed before, not any more.</summary>
    Resolved,
}

/// <summary>One line of a digest.</summary>
internal sealed record DigestItem(DigestItemKind Kind, string ClusterId, string ClusterName, string RegionId, Finding Finding, string? Why);

/// <summary>
/// The short story of a sweep that chat channels tell: a headline, the key countdowns, the worst items first,
/// how many more there are, and a link to the full report. Channels render it in their own markup.
/// </summary>
internal sealed record ReportDigest
{
    public required string SweepId { get; init; }
    public required DateTimeOffset FinishedAt { get; init; }
    public required bool Complete { get; init; }
    public required ReportSummary Summary { get; init; }
    /// <summary>True when there was no previous report to compare with.</summary>
    public required bool FirstReport { get; init; }
    public required int NewCount { get; init; }
    public required int ResolvedCount { get; init; }
    public required int EscalatedCount { get; init; }
    public required int ErrorCount { get; init; }
    /// <summary>The items shown, worst first, at most the configured cap.</summary>
    public required IReadOnlyList<DigestItem> Items { get; init; }
    /// <summary>Items left out by the cap ("… and N more").</summary>
    public required int More { get; init; }
    public Uri? ReportUrl { get; init; }

    /// <summary>One line for titles and notification previews.</summary>
    public string Headline
    {
        get
        {
            var failing = $"{Summary.Fail} of {Summary.Clusters} clusters failing";
            if (FirstReport || NewCount + ResolvedCount + EscalatedCount == 0)
            {
                return $"AckFc: {failing}";
            }

            var parts = new List<string>(3);
            if (NewCount > 0) parts.Add($"{NewCount} new");
            if (EscalatedCount > 0) parts.Add($"{EscalatedCount} escalated");
            if (ResolvedCount > 0) parts.Add($"{ResolvedCount} resolved");
            return $"AckFc: {string.Join(", ", parts)} · {failing}";
        }
    }

    /// <summary>Builds the digest of a report and its changes (null for the first sweep).</summary>
    public static ReportDigest Create(ComplianceReport report, ReportChanges? changes, int maxItems = 10, Uri? reportUrl = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxItems, 1);

        List<DigestItem> all;
        if (changes is { IsEmpty: false })
        {
            all =
            [
                .. ReportComparer.Worst([.. changes.Escalated, .. changes.New])
                    .Select(c => Item(changes.Escalated.Contains(c) ? DigestItemKind.Escalated : DigestItemKind.New, c)),
                .. changes.Resolved.Select(c => Item(DigestItemKind.Resolved, c)),
            ];
        }
        else
        {
            all =
            [
                .. ReportComparer.Worst(report.Clusters.SelectMany(c => c.Findings
                        .Where(f => f.Status == FindingStatus.Fail)
                        .Select(f => new FindingChange(c.ClusterId, c.Name, c.RegionId, f))))
                    .Select(c => Item(DigestItemKind.Failing, c)),
            ];
        }

        return new ReportDigest
        {
            SweepId = report.SweepId,
            FinishedAt = report.FinishedAt,
            Complete = report.Complete,
            Summary = report.Summary,
            FirstReport = changes is null,
            NewCount = changes?.New.Count ?? 0,
            ResolvedCount = changes?.Resolved.Count ?? 0,
            EscalatedCount = changes?.Escalated.Count ?? 0,
            ErrorCount = report.Errors.Count,
            Items = [.. all.Take(maxItems)],
            More = Math.Max(0, all.Count - maxItems),
            ReportUrl = reportUrl,
        };
    }

    private static DigestItem Item(DigestItemKind kind, FindingChange change) =>
        new(kind, change.ClusterId, change.ClusterName, change.RegionId, change.Finding, change.Why);

    /// <summary>How a countdown is said: "key-1 used by 3 clusters is deleted in 5 days".</summary>
    public static string Countdown(KeyCountdown key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var users = key.Clusters == 1 ? "1 cluster" : $"{key.Clusters} clusters";
        var when = key.DaysUntilDeletion <= 0 ? "today" : $"in {ReportComparer.Days(key.DaysUntilDeletion)}";
        return $"Key {key.KmsKeyId} used by {users} is deleted {when}";
    }

    /// <summary>The lower-case label of an item's kind.</summary>
    public static string Label(DigestItemKind kind) => kind switch
    {
        DigestItemKind.Escalated => "escalated",
        DigestItemKind.New => "new",
        DigestItemKind.Resolved => "resolved",
        _ => "failing",
    };
}
