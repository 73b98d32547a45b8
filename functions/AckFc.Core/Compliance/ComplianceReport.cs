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

/// <summary>One cluster in the report.</summary>
public sealed record ClusterReport
{
    public required string ClusterId { get; init; }
    public required string Name { get; init; }
    public required string RegionId { get; init; }
    public string? ClusterSpec { get; init; }
    public string? ClusterType { get; init; }
    public string? Profile { get; init; }
    public string? State { get; init; }
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
    public required EncryptionSummary Encryption { get; init; }
    /// <summary>Worst of the findings: fail &gt; unknown &gt; waived &gt; pass; notApplicable when the cluster cannot encrypt.</summary>
    public required FindingStatus Status { get; init; }
    /// <summary>Why the cluster is notApplicable or unknown, when it is.</summary>
    public string? StatusReason { get; init; }
    public required IReadOnlyList<Finding> Findings { get; init; }
    /// <summary>
    /// Rules that passed, by id, when the sweep leaves passing findings out of <see cref="Findings"/> to keep fleet
    /// reports small (the default; <c>ACKFC_REPORT_PASSING_FINDINGS=true</c> keeps them). Null when they are listed.
    /// </summary>
    public IReadOnlyList<string>? PassedRules { get; init; }
}

/// <summary>Secret encryption of a cluster as reported. <see cref="Enabled"/> is null when it could not be read.</summary>
public sealed record EncryptionSummary(bool? Enabled, string? KmsKeyId)
{
    public static EncryptionSummary From(AckFc.AlibabaCloud.Cs.ClusterEncryption encryption) => new(
        encryption.State switch
        {
            AckFc.AlibabaCloud.Cs.EncryptionState.Enabled => true,
            AckFc.AlibabaCloud.Cs.EncryptionState.Disabled => false,
            _ => null,
        },
        encryption.KmsKeyId);
}

/// <summary>One rule's result for one cluster.</summary>
public sealed record Finding
{
    public required string RuleId { get; init; }
    public required FindingStatus Status { get; init; }
    public required Severity Severity { get; init; }
    /// <summary>A sentence a person understands, e.g. "Key key-… used by this cluster is deleted in 5 days".</summary>
    public required string Message { get; init; }
    public string? KmsKeyId { get; init; }
    /// <summary>For ACKFC-KEY-003: whole days left until <c>DeleteDate</c>, rounded down.</summary>
    public int? DaysUntilDeletion { get; init; }
    /// <summary>The waiver that applies or applied (an expired one stays visible with <c>expired: true</c>).</summary>
    public WaiverInfo? Waiver { get; init; }
    /// <summary>The Cloud Config managed rule that checks the same thing, if any.</summary>
    public string? CloudConfigRule { get; init; }
    /// <summary>For unknown: the cloud's error code.</summary>
    public string? ErrorCode { get; init; }
    /// <summary>For unknown: the cloud's request id.</summary>
    public string? RequestId { get; init; }
    /// <summary>Extra facts (key state, spec, delete date, …) as strings.</summary>
    public IReadOnlyDictionary<string, string>? Details { get; init; }
}

/// <summary>A waiver as shown on a finding.</summary>
public sealed record WaiverInfo(string Reason, string Owner, DateTimeOffset Expires, bool Expired);

/// <summary>What remediation can do. Never "disable encryption".</summary>
public enum RemediationKind
{
    [JsonStringEnumMemberName("enableEncryption")] EnableEncryption,
    [JsonStringEnumMemberName("cancelKeyDeletion")] CancelKeyDeletion,
    [JsonStringEnumMemberName("enableDeletionProtection")] EnableDeletionProtection,
    [JsonStringEnumMemberName("enableKey")] EnableKey,
}

public enum RemediationStatus
{
    /// <summary>Would be applied (report mode, or over the cap).</summary>
    [JsonStringEnumMemberName("planned")] Planned,
    [JsonStringEnumMemberName("applied")] Applied,
    /// <summary>Not needed any more when re-read, or not allowed now (state, cool-down, cap).</summary>
    [JsonStringEnumMemberName("skipped")] Skipped,
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>One remediation action, planned or applied.</summary>
public sealed record RemediationAction
{
    public required RemediationKind Kind { get; init; }
    public required RemediationStatus Status { get; init; }
    public required string RegionId { get; init; }
    public string? ClusterId { get; init; }
    public string? KmsKeyId { get; init; }
    /// <summary>The finding that calls for the action.</summary>
    public required string RuleId { get; init; }
    /// <summary>Why it was planned, skipped or failed.</summary>
    public required string Reason { get; init; }
    public string? RequestId { get; init; }
    public string? ErrorCode { get; init; }
}

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
