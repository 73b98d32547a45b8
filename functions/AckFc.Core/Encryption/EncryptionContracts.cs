using AckFc.AlibabaCloud.Cs;
using AckFc.Core.Judging;

namespace AckFc.Core.Encryption;

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
