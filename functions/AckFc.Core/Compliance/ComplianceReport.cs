using AckFc.Core.Judging;
using AckFc.Core.Rules;

namespace AckFc.Core.Compliance;

/// <summary>What a sweep does about what it finds.</summary>
public enum SweepMode
{
    /// <summary>Judge and report; change nothing.</summary>
    [JsonStringEnumMemberName("report")] Report,
    /// <summary>Judge, report, and apply the remediation the policy enables (at most its cap).</summary>
    [JsonStringEnumMemberName("remediate")] Remediate,
}

/// <summary>The sweep report, contracts §5 (<c>schemaVersion</c> 1). Extend compatibly; never rename.</summary>
public sealed record ComplianceReport
{
    public int SchemaVersion { get; init; } = 1;
    public required string SweepId { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset FinishedAt { get; init; }
    /// <summary>False when a region could not be listed or the deadline cut the sweep short.</summary>
    public required bool Complete { get; init; }
    public required SweepMode Mode { get; init; }
    public required IReadOnlyList<string> Regions { get; init; }
    /// <summary>SHA-256 of the policy file the sweep judged with.</summary>
    public required string PolicyVersion { get; init; }
    /// <summary>The timer's trigger time, when a timer started the sweep.</summary>
    public DateTimeOffset? TriggerTime { get; init; }
    public required ReportSummary Summary { get; init; }
    /// <summary>Every cluster ACK listed, exactly once.</summary>
    public required IReadOnlyList<ClusterReport> Clusters { get; init; }
    /// <summary>Remediation planned or applied.</summary>
    public IReadOnlyList<RemediationAction> Actions { get; init; } = [];
    /// <summary>What could not be read, with the cloud's code and request id.</summary>
    public IReadOnlyList<ReportError> Errors { get; init; } = [];
}

/// <summary>Counts of clusters by status, and of failed findings by severity.</summary>
public sealed record ReportSummary
{
    public int Clusters { get; init; }
    public int Fail { get; init; }
    public int Pass { get; init; }
    public int Unknown { get; init; }
    public int NotApplicable { get; init; }
    public int Waived { get; init; }
    /// <summary>Failed findings by severity name (<c>critical</c>, <c>high</c>, …).</summary>
    public IReadOnlyDictionary<string, int> FailedFindingsBySeverity { get; init; } = new Dictionary<string, int>();
    /// <summary>Keys in use that are pending deletion, soonest first.</summary>
    public IReadOnlyList<KeyCountdown> KeysPendingDeletion { get; init; } = [];

    /// <summary>Builds the summary from the cluster list.</summary>
    public static ReportSummary From(IReadOnlyList<ClusterReport> clusters)
    {
        var bySeverity = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var countdown = new Dictionary<string, KeyCountdown>(StringComparer.Ordinal);
        foreach (var finding in clusters.SelectMany(c => c.Findings))
        {
            if (finding.Status == FindingStatus.Fail)
            {
                var name = JsonNames.Of(finding.Severity);
                bySeverity[name] = bySeverity.GetValueOrDefault(name) + 1;
            }

            if (finding.RuleId == RuleCatalog.KeyPendingDeletion && finding.DaysUntilDeletion is { } days && finding.KmsKeyId is { } key)
            {
                countdown[key] = countdown.TryGetValue(key, out var existing)
                    ? existing with { Clusters = existing.Clusters + 1 }
                    : new KeyCountdown(key, days, 1);
            }
        }

        return new ReportSummary
        {
            Clusters = clusters.Count,
            Fail = clusters.Count(c => c.Status == FindingStatus.Fail),
            Pass = clusters.Count(c => c.Status == FindingStatus.Pass),
            Unknown = clusters.Count(c => c.Status == FindingStatus.Unknown),
            NotApplicable = clusters.Count(c => c.Status == FindingStatus.NotApplicable),
            Waived = clusters.Count(c => c.Status == FindingStatus.Waived),
            FailedFindingsBySeverity = bySeverity,
            KeysPendingDeletion = [.. countdown.Values.OrderBy(k => k.DaysUntilDeletion).ThenBy(k => k.KmsKeyId, StringComparer.Ordinal)],
        };
    }
}

/// <summary>A key in use that is pending deletion: how many days are left and how many clusters use it.</summary>
public sealed record KeyCountdown(string KmsKeyId, int DaysUntilDeletion, int Clusters);

/// <summary>Something the sweep could not read or do.</summary>
public sealed record ReportError
{
    /// <summary><c>region</c>, <c>cluster</c>, <c>key</c>, <c>remediation</c>, <c>notification</c>, <c>deadline</c>.</summary>
    public required string Scope { get; init; }
    public string? RegionId { get; init; }
    public string? ClusterId { get; init; }
    public string? KmsKeyId { get; init; }
    public string? Action { get; init; }
    public required string Code { get; init; }
    public required string Message { get; init; }
    public string? RequestId { get; init; }
}

/// <summary>The JSON spelling of enum values, for text outside System.Text.Json (CSV, HTML, Markdown).</summary>
public static class JsonNames
{
    public static string Of(Severity value) => value switch
    {
        Severity.Info => "info",
        Severity.Low => "low",
        Severity.Medium => "medium",
        Severity.High => "high",
        _ => "critical",
    };

    public static string Of(FindingStatus value) => value switch
    {
        FindingStatus.Pass => "pass",
        FindingStatus.Fail => "fail",
        FindingStatus.Unknown => "unknown",
        FindingStatus.NotApplicable => "notApplicable",
        _ => "waived",
    };
}
