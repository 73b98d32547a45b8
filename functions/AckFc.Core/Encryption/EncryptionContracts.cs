using AckFc.AlibabaCloud.Cs;
using AckFc.Core.Compliance;

namespace AckFc.Core.Encryption;

/// <summary>How a decision is enforced (policy, per rule).</summary>
public enum Enforcement
{
    /// <summary>A violation blocks the change.</summary>
    [JsonStringEnumMemberName("enforce")] Enforce,
    /// <summary>Decide and report; never block, never change.</summary>
    [JsonStringEnumMemberName("dryrun")] DryRun,
    /// <summary>A violation is reported but does not block.</summary>
    [JsonStringEnumMemberName("warn")] Warn,
}

/// <summary>One reason a change is not allowed (contracts §4).</summary>
public sealed record Violation(string RuleId, string Message, IReadOnlyDictionary<string, string>? Details = null);

/// <summary>The decision body of contracts §4.</summary>
public sealed record Decision
{
    public required bool Allowed { get; init; }
    public required Enforcement Enforcement { get; init; }
    public required IReadOnlyList<Violation> Violations { get; init; }
    public required string PolicyVersion { get; init; }
    /// <summary>The invocation's request id.</summary>
    public required string RequestId { get; init; }
}

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

/// <summary>What happened to a change request. The webhook maps it to an HTTP status (contracts §4).</summary>
public enum ChangeOutcome
{
    /// <summary>200: applied and verified.</summary>
    [JsonStringEnumMemberName("applied")] Applied,
    /// <summary>200: already in the desired state; nothing was called.</summary>
    [JsonStringEnumMemberName("noChange")] NoChange,
    /// <summary>200: dry run; the decision and plan, nothing was called.</summary>
    [JsonStringEnumMemberName("dryRun")] DryRun,
    /// <summary>202: ACK accepted the change; the cluster was still updating when we stopped following it.</summary>
    [JsonStringEnumMemberName("accepted")] Accepted,
    /// <summary>403: the policy denies it.</summary>
    [JsonStringEnumMemberName("denied")] Denied,
    /// <summary>404: no such cluster.</summary>
    [JsonStringEnumMemberName("notFound")] NotFound,
    /// <summary>409: cluster busy (updating, another change in flight, or inside the 5-minute cool-down).</summary>
    [JsonStringEnumMemberName("conflict")] Conflict,
    /// <summary>400: the request cannot be carried out as stated (e.g. enable without a key).</summary>
    [JsonStringEnumMemberName("invalid")] Invalid,
    /// <summary>502/503: the cloud failed.</summary>
    [JsonStringEnumMemberName("cloudFailed")] CloudFailed,
}

/// <summary>The planned ACK call.</summary>
public sealed record ChangePlan(string Action, string ClusterId, string RegionId, string? KmsKeyId, bool DisableEncryption);

/// <summary>The answer of <c>EncryptionService.ChangeAsync</c>.</summary>
public sealed record EncryptionChangeResult
{
    public required ChangeOutcome Outcome { get; init; }
    public required Decision Decision { get; init; }
    /// <summary>A sentence for the caller.</summary>
    public required string Message { get; init; }
    public string? ClusterId { get; init; }
    public string? RegionId { get; init; }
    /// <summary>The key id after resolving an alias or ARN.</summary>
    public string? ResolvedKmsKeyId { get; init; }
    public ChangePlan? Plan { get; init; }
    public EncryptionSummary? Before { get; init; }
    public EncryptionSummary? After { get; init; }
    /// <summary>Request ids of the cloud calls made for this change.</summary>
    public IReadOnlyList<string> CloudRequestIds { get; init; } = [];
    /// <summary>For <see cref="ChangeOutcome.CloudFailed"/> and <see cref="ChangeOutcome.Conflict"/>: the cloud's code.</summary>
    public string? ErrorCode { get; init; }
    /// <summary>
    /// For <see cref="ChangeOutcome.CloudFailed"/>: trying again later may succeed (throttling, an unavailable service,
    /// time running out, a write whose outcome is unknown). The webhook answers 503 then, 502 otherwise.
    /// </summary>
    public bool Retryable { get; init; }
}

/// <summary>What a status read found.</summary>
public enum StatusOutcome
{
    /// <summary>200: the cluster, its key's health and its findings.</summary>
    Found,
    /// <summary>404: no such cluster in the configured regions.</summary>
    NotFound,
    /// <summary>502/503: the cloud failed reading the cluster (see <see cref="ClusterStatusResult.Retryable"/>).</summary>
    CloudFailed,
}

/// <summary>The answer of <c>EncryptionService.GetStatusAsync</c>: the status, or why there is none.</summary>
public sealed record ClusterStatusResult
{
    public required StatusOutcome Outcome { get; init; }
    /// <summary>Set when <see cref="Outcome"/> is <see cref="StatusOutcome.Found"/>.</summary>
    public ClusterKmsStatus? Status { get; init; }
    /// <summary>A sentence for the caller when there is no status (never the cloud's own message).</summary>
    public string? Message { get; init; }
    /// <summary>The cloud's code for <see cref="StatusOutcome.CloudFailed"/>.</summary>
    public string? ErrorCode { get; init; }
    /// <summary>For <see cref="StatusOutcome.CloudFailed"/>: trying again later may succeed (503 rather than 502).</summary>
    public bool Retryable { get; init; }
}

/// <summary>The answer of <c>GET /clusters/{id}/kms</c>: encryption state, key health, findings.</summary>
public sealed record ClusterKmsStatus
{
    public required ClusterReport Cluster { get; init; }
    /// <summary>The key's metadata as KMS describes it; null when there is no key or it could not be read.</summary>
    public KeyHealth? Key { get; init; }
    public required string PolicyVersion { get; init; }
}

/// <summary>The facts about a key that people ask for.</summary>
public sealed record KeyHealth(
    string KeyId,
    string? RegionId,
    string KeyState,
    string? KeySpec,
    string? KeyUsage,
    bool ServiceKey,
    bool DeletionProtection,
    string? AutomaticRotation,
    DateTimeOffset? DeleteDate,
    int? DaysUntilDeletion);
