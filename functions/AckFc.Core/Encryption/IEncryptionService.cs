using AckFc.Core.Judging;

namespace AckFc.Core.Encryption;

/// <summary>Safe Secret-encryption changes for one cluster, gated by the policy (used by the webhook and remediation).</summary>
public interface IEncryptionService
{
    /// <summary>
    /// Reads the cluster and the key, checks the policy, and applies the change only when it is allowed, needed
    /// and not a dry run. Never throws for an expected outcome (denied, not found, busy, cloud failure): the
    /// <see cref="EncryptionChangeResult.Outcome"/> says what happened. Every call leaves an audit record.
    /// </summary>
    Task<EncryptionChangeResult> ChangeAsync(EncryptionChangeRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// The cluster's encryption state, its key's health and its findings; or, as the result's outcome, that the cluster
    /// does not exist in the configured regions or that the cloud failed reading it. Throws only when cancelled.
    /// </summary>
    Task<ClusterStatusResult> GetStatusAsync(string clusterId, string requestId, CancellationToken cancellationToken = default);
}
