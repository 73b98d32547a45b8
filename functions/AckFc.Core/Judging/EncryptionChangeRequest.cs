namespace AckFc.Core.Judging;

/// <summary>A request to change a cluster's Secret encryption (from the webhook, or from remediation).</summary>
/// <param name="ClusterId">The cluster.</param>
/// <param name="KmsKeyId">Key id, alias (<c>alias/…</c>) or ARN to encrypt with; null when disabling.</param>
/// <param name="DisableEncryption">Turn encryption off (the policy decides whether that is ever allowed).</param>
/// <param name="DryRun">Decide and plan; call nothing that changes state.</param>
/// <param name="Reason">Why the caller wants it; goes into the audit record.</param>
/// <param name="Actor">Who asks: the webhook key id, or <c>compliance sweep</c>.</param>
/// <param name="RequestId">The invocation's request id.</param>
/// <param name="RegionId">The cluster's region when the caller knows it; otherwise the configured regions are tried.</param>
/// <param name="Deadline">
/// When the caller must have its answer (the invocation's deadline), if it has one. The reads before the change get at
/// most half of the time left, so the change and its follow-up always have room; the follow-up ends before it.
/// </param>
public sealed record EncryptionChangeRequest(
    string ClusterId,
    string? KmsKeyId,
    bool DisableEncryption,
    bool DryRun,
    string? Reason,
    string Actor,
    string RequestId,
    string? RegionId = null,
    DateTimeOffset? Deadline = null);
