using AckFc.Core.Rules;

namespace AckFc.Core.Judging;

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
