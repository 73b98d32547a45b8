namespace AckFc.Core.Judging;

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
