using System.Globalization;
using AckFc.AlibabaCloud.Cs;
using AckFc.Core.Policy;
using AckFc.Core.Rules;

namespace AckFc.Core.Judging;

/// <summary>
/// What the decider made of a change request. <see cref="Outcome"/> null means "go ahead": the change is allowed,
/// needed, not a dry run and outside the cool-down, so the caller makes the write described by <see cref="Plan"/>.
/// </summary>
public sealed record ChangeVerdict
{
    /// <summary>The answer without a write; null when the write should be made.</summary>
    public ChangeOutcome? Outcome { get; init; }

    /// <summary>A sentence for the caller (empty when <see cref="Outcome"/> is null).</summary>
    public required string Message { get; init; }

    /// <summary>The policy's decision; null when the request was refused before the policy was asked.</summary>
    public Decision? Decision { get; init; }

    public ChangePlan? Plan { get; init; }

    /// <summary>The key to encrypt with, its alias or ARN resolved; null when disabling or refused early.</summary>
    public string? KeyId { get; init; }

    /// <summary>For a conflict: why (<c>ErrorClusterState</c>, <c>CoolDown</c>).</summary>
    public string? ErrorCode { get; init; }

    public bool Proceed => Outcome is null;
}

/// <summary>
/// Decides a Secret-encryption change: pure, no I/O, time from <see cref="TimeProvider"/>. The request is checked
/// (<see cref="Validate"/>), then the cluster (<see cref="Preflight"/>), then the policy with the key's evidence
/// (<see cref="Decide"/>): never-disable and the encryption requirement (with waivers), the key rules, the
/// enforcement roll-up, whether the desired state is already reached, dry run and ACK's cool-down.
/// </summary>
public sealed class ChangeDecider(TimeProvider time, TimeSpan coolDown)
{
    /// <summary>The ACK call a change makes.</summary>
    public const string Action = "UpdateKMSEncryption";

    /// <summary>The request's own problem, before anything is read; null when it can be carried out.</summary>
    public static string? Validate(EncryptionChangeRequest request) =>
        !request.DisableEncryption && string.IsNullOrWhiteSpace(request.KmsKeyId)
            ? "kms_key_id is required unless disable_encryption is true."
            : null;

    /// <summary>Whether the cluster can take a change now, before its key is read; null when it can.</summary>
    public static ChangeVerdict? Preflight(AckCluster cluster)
    {
        if (!cluster.SupportsSecretEncryption)
        {
            return new ChangeVerdict
            {
                Outcome = ChangeOutcome.Invalid,
                Message = $"Cluster {cluster.ClusterId} is {cluster.ClusterSpec ?? cluster.ClusterType}: only ACK Pro clusters can encrypt Secrets with KMS.",
            };
        }

        return cluster.State != ClusterStates.Running
            ? new ChangeVerdict
            {
                Outcome = ChangeOutcome.Conflict,
                Message = $"Cluster {cluster.ClusterId} is {cluster.State}; changes wait until it is running.",
                ErrorCode = "ErrorClusterState",
            }
            : null;
    }

    /// <summary>Whether the cluster shows what the request asks for.</summary>
    public static bool Reached(AckCluster cluster, bool disableEncryption, string? keyId) => disableEncryption
        ? cluster.Encryption.State == EncryptionState.Disabled
        : cluster.Encryption.State == EncryptionState.Enabled && cluster.Encryption.KmsKeyId == keyId;

    /// <summary>
    /// The decision and the plan. <paramref name="key"/> is the evidence of the requested key (ignored when disabling);
    /// a read that failed for another reason than "not found" is the caller's to answer before asking.
    /// </summary>
    public ChangeVerdict Decide(AckCluster cluster, KeyEvidence? key, LoadedPolicy loaded, EncryptionChangeRequest request)
    {
        var policy = loaded.Policy;
        var keyId = request.DisableEncryption ? null : key?.Metadata?.KeyId ?? request.KmsKeyId;
        var violations = request.DisableEncryption ? DisableViolations(cluster, policy) : KeyViolations(cluster, keyId!, key, policy);

        var blocking = violations.Where(v => policy.EnforcementOf(v.RuleId) == Enforcement.Enforce).ToList();
        var dryRunRules = violations.Where(v => policy.EnforcementOf(v.RuleId) == Enforcement.DryRun).ToList();
        var verdict = new ChangeVerdict
        {
            Message = string.Empty,
            Decision = new Decision
            {
                Allowed = blocking.Count == 0,
                Enforcement = blocking.Count > 0 ? Enforcement.Enforce
                    : dryRunRules.Count > 0 ? Enforcement.DryRun
                    : violations.Count > 0 ? Enforcement.Warn
                    : policy.DefaultEnforcement,
                Violations = violations,
                PolicyVersion = loaded.Version,
                RequestId = request.RequestId,
            },
            Plan = new ChangePlan(Action, cluster.ClusterId, cluster.RegionId, keyId, request.DisableEncryption),
            KeyId = keyId,
        };

        if (blocking.Count > 0)
        {
            return verdict with
            {
                Outcome = ChangeOutcome.Denied,
                Message = $"Denied by policy: {string.Join(" ", blocking.Select(v => $"[{v.RuleId}] {v.Message}"))}",
            };
        }

        if (Reached(cluster, request.DisableEncryption, keyId))
        {
            return verdict with
            {
                Outcome = ChangeOutcome.NoChange,
                Message = request.DisableEncryption
                    ? "Secret encryption is already off; nothing was changed."
                    : $"Secrets are already encrypted with {keyId}; nothing was changed.",
            };
        }

        if (request.DryRun || dryRunRules.Count > 0)
        {
            var why = request.DryRun ? "Dry run" : $"Rules in dryrun enforcement ({string.Join(", ", dryRunRules.Select(v => v.RuleId))})";
            return verdict with { Outcome = ChangeOutcome.DryRun, Message = $"{why}: the change is allowed and would call {Action}; nothing was changed." };
        }

        if (cluster.Updated is { } updated && time.GetUtcNow() - updated < coolDown)
        {
            return verdict with
            {
                Outcome = ChangeOutcome.Conflict,
                Message = $"Cluster {cluster.ClusterId} changed at {updated:O}; ACK refuses another change within {coolDown.TotalMinutes:0} minutes.",
                ErrorCode = "CoolDown",
            };
        }

        return verdict;
    }

    private List<Violation> DisableViolations(AckCluster cluster, AckFcPolicy policy)
    {
        var violations = new List<Violation>();
        if (policy.NeverDisable.Matches(cluster))
        {
            violations.Add(new Violation(RuleCatalog.NeverDisable,
                $"The policy never allows Secret encryption to be turned off on cluster {cluster.ClusterId} ({cluster.Name}).",
                new Dictionary<string, string> { ["clusterId"] = cluster.ClusterId }));
        }

        // Turning encryption off where the policy requires it would make the next sweep fail the cluster: a change
        // that creates a failing finding is refused under that finding's rule, unless a live waiver covers it.
        if (policy.EncryptionRequired.Matches(cluster) && !IsWaived(policy, RuleCatalog.EncryptionEnabled, cluster))
        {
            violations.Add(new Violation(RuleCatalog.EncryptionEnabled,
                $"The policy requires Secret encryption on cluster {cluster.ClusterId} ({cluster.Name}) (encryption.required); turning it off would fail {RuleCatalog.EncryptionEnabled}. A live waiver of {RuleCatalog.EncryptionEnabled} for this cluster allows it.",
                new Dictionary<string, string> { ["clusterId"] = cluster.ClusterId }));
        }

        return violations;
    }

    /// <summary>Every key rule the requested key fails or leaves unknown is a violation under that rule.</summary>
    private List<Violation> KeyViolations(AckCluster cluster, string keyId, KeyEvidence? key, AckFcPolicy policy)
    {
        var violations = new List<Violation>();
        foreach (var finding in new ClusterJudge(time).JudgeKey(cluster, keyId, key, policy).Where(f => f.Status is FindingStatus.Fail or FindingStatus.Unknown))
        {
            var details = new Dictionary<string, string> { ["kmsKeyId"] = keyId };
            if (finding.DaysUntilDeletion is { } days)
            {
                details["daysUntilDeletion"] = days.ToString(CultureInfo.InvariantCulture);
            }

            violations.Add(new Violation(finding.RuleId, finding.Message, details));
        }

        return violations;
    }

    private bool IsWaived(AckFcPolicy policy, string ruleId, AckCluster cluster)
    {
        var now = time.GetUtcNow();
        return policy.Waivers.Any(w => w.RuleId == ruleId && w.Expires > now && w.Selector.Matches(cluster));
    }
}
