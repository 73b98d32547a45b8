using AckFc.AlibabaCloud.Cs;
using AckFc.Core.Judging;
using AckFc.Core.Policy;
using AckFc.Core.Rules;

namespace AckFc.Core.Guard;

/// <summary>
/// Decides what an event calls for: pure, no I/O. Level-triggered: only the state read now counts (the key as
/// described now, the clusters as listed and judged now), never the values the event carries, so duplicates,
/// reordered events and events about a key already healthy again lead to no action.
/// </summary>
public static class GuardDecider
{
    private static readonly string[] OutageRules = [RuleCatalog.KeyMissing, RuleCatalog.KeyDisabled, RuleCatalog.KeyPendingDeletion, RuleCatalog.KeyMaterial];

    /// <summary>The rules an event of this kind is judged by (the service-key rule needs a listing the guard does not read).</summary>
    public static IReadOnlyList<string> RulesOf(GuardEventKind kind) => kind switch
    {
        GuardEventKind.DeletionProtectionOff => [.. OutageRules, RuleCatalog.DeletionProtection],
        GuardEventKind.RotationOff => [.. OutageRules, RuleCatalog.Rotation],
        GuardEventKind.DeleteAlias => [.. OutageRules, RuleCatalog.KeyNotAllowed],
        GuardEventKind.EncryptionDrift =>
        [
            RuleCatalog.NeverDisable, RuleCatalog.EncryptionEnabled, .. OutageRules, RuleCatalog.KeyNotAllowed, RuleCatalog.KeyWrongType,
            RuleCatalog.KeyOtherRegion, RuleCatalog.DeletionProtection, RuleCatalog.Rotation,
        ],
        _ => OutageRules,
    };

    public static GuardVerdict Decide(GuardSituation situation, AckFcPolicy policy)
    {
        var guard = policy.Guard;
        var kind = situation.Kind;
        var reaction = GuardEventKinds.ReactionOf(kind);
        if (!guard.Reacts(reaction))
        {
            return new GuardVerdict { Decision = GuardDecision.Ignored, Reason = $"The policy turns the guard's reaction {GuardPolicy.NameOf(reaction)} off." };
        }

        var what = kind == GuardEventKind.EncryptionDrift ? "The cluster" : $"Key {situation.Key}";
        if (situation.Clusters.Count == 0)
        {
            return new GuardVerdict
            {
                Decision = GuardDecision.Healthy,
                Reason = kind == GuardEventKind.EncryptionDrift
                    ? $"The cluster is not among the clusters of {situation.RegionId} as listed now: nothing to judge."
                    : $"{what} is used by no cluster of {situation.RegionId} with Secret encryption on: nothing is at risk.",
            };
        }

        var rules = RulesOf(kind);
        var judged = situation.Clusters.Select(c => (c.Cluster, c.Report, Findings: InScope(c, rules, policy, kind))).ToList();
        var clusters = judged.Select(j => new GuardCluster(
            j.Report.ClusterId, j.Report.Name, j.Report.RegionId, ClusterJudge.Rollup(j.Findings),
            [.. j.Findings.Where(f => f.Status == FindingStatus.Fail).Select(f => f.RuleId).Distinct()])).ToList();
        var failing = judged.SelectMany(j => j.Findings.Where(f => f.Status == FindingStatus.Fail).Select(f => (j.Cluster, Finding: f))).ToList();
        var scope = kind == GuardEventKind.EncryptionDrift
            ? $"cluster {situation.Clusters[0].Cluster.ClusterId} ({situation.Clusters[0].Cluster.Name})"
            : $"{situation.Clusters.Count} cluster(s) of {situation.RegionId} that use it";

        if (failing.Count == 0)
        {
            return new GuardVerdict
            {
                Decision = GuardEventKinds.IsRecovery(kind) ? GuardDecision.Resolved : GuardDecision.Healthy,
                Reason = GuardEventKinds.IsRecovery(kind)
                    ? $"Resolved: re-read, {what} is healthy again for the {scope}."
                    : $"Re-read: nothing is wrong now for the {scope} (the state has changed since the event, or the policy does not require it).",
                Clusters = clusters,
            };
        }

        var primary = GuardEventKinds.PrimaryRule(kind);
        var worst = failing.Any(f => f.Finding.RuleId == primary)
            ? failing.First(f => f.Finding.RuleId == primary)
            : failing.OrderByDescending(f => f.Finding.Severity).ThenBy(f => Order(f.Finding.RuleId)).First();
        var severity = failing.Max(f => f.Finding.Severity);
        var (actions, notes) = Plan(situation, failing, policy);
        var reason = $"{worst.Finding.Message} Affects the {scope}.";
        if (notes.Count > 0)
        {
            reason += " " + string.Join(" ", notes);
        }

        return new GuardVerdict
        {
            Decision = GuardDecision.Alerted,
            Reason = reason,
            Severity = severity,
            RuleId = worst.Finding.RuleId,
            Clusters = clusters,
            Actions = actions,
        };
    }

    private static int Order(string ruleId) => RuleCatalog.All.ToList().FindIndex(r => r.Id == ruleId);

    /// <summary>The findings of the event's rules for one cluster; for drift, with ACKFC-POL-001 judged on the cluster as read now.</summary>
    private static List<Finding> InScope(GuardJudgedCluster judged, IReadOnlyList<string> rules, AckFcPolicy policy, GuardEventKind kind)
    {
        var findings = judged.Report.Findings.Where(f => rules.Contains(f.RuleId)).ToList();
        var cluster = judged.Cluster;
        if (kind == GuardEventKind.EncryptionDrift && cluster.SupportsSecretEncryption && cluster.Encryption.State == EncryptionState.Disabled)
        {
            findings.Insert(0, policy.NeverDisable.Matches(cluster)
                ? new Finding
                {
                    RuleId = RuleCatalog.NeverDisable, Status = FindingStatus.Fail, Severity = Severity.Critical,
                    Message = $"Secret encryption of cluster {cluster.ClusterId} ({cluster.Name}) is off, and the policy never allows it to be turned off.",
                }
                : new Finding
                {
                    RuleId = RuleCatalog.NeverDisable, Status = FindingStatus.NotApplicable, Severity = Severity.High,
                    Message = $"The policy allows encryption of cluster {cluster.ClusterId} to be turned off.",
                });
        }

        return findings;
    }

    private static (List<GuardPlannedAction> Actions, List<string> Notes) Plan(
        GuardSituation situation, List<(AckCluster Cluster, Finding Finding)> failing, AckFcPolicy policy)
    {
        var guard = policy.Guard;
        var actions = new List<GuardPlannedAction>();
        var notes = new List<string>();
        var done = new HashSet<(RemediationKind, string)>();
        foreach (var (cluster, finding) in failing.OrderBy(f => ActionOrder(f.Finding.RuleId)))
        {
            (RemediationKind Kind, GuardAction Allowed)? wanted = finding.RuleId switch
            {
                RuleCatalog.KeyDisabled => (RemediationKind.EnableKey, GuardAction.EnableKey),
                RuleCatalog.KeyPendingDeletion => (RemediationKind.CancelKeyDeletion, GuardAction.CancelKeyDeletion),
                RuleCatalog.DeletionProtection => (RemediationKind.EnableDeletionProtection, GuardAction.EnableDeletionProtection),
                RuleCatalog.NeverDisable or RuleCatalog.EncryptionEnabled when situation.Kind == GuardEventKind.EncryptionDrift =>
                    (RemediationKind.EnableEncryption, GuardAction.ReEnableEncryption),
                _ => null,
            };
            if (wanted is not { } w)
            {
                continue;
            }

            var target = w.Kind == RemediationKind.EnableEncryption ? cluster.ClusterId : finding.KmsKeyId ?? situation.Key ?? cluster.ClusterId;
            if (!done.Add((w.Kind, target)))
            {
                continue;
            }

            var name = GuardPolicy.NameOf(w.Allowed);
            if (!guard.Allows(w.Allowed))
            {
                notes.Add($"Alert only: the policy's guard.actions.{name} is off.");
                continue;
            }

            var enforcement = guard.EnforcementOf(finding.RuleId);
            if (enforcement == Enforcement.Warn)
            {
                notes.Add($"Alert only: guard enforcement of {finding.RuleId} is warn.");
                continue;
            }

            string? keyId = finding.KmsKeyId ?? situation.Key;
            var reason = $"{KeyVerb(w.Kind)} for {finding.RuleId}.";
            if (w.Kind == RemediationKind.EnableEncryption)
            {
                keyId = cluster.Encryption.KmsKeyId ?? policy.Remediation.DefaultKeys.GetValueOrDefault(cluster.RegionId);
                if (keyId is null)
                {
                    notes.Add($"No key is known to re-enable encryption of {cluster.ClusterId} with (the cluster names none and remediation.enableEncryption.defaultKeys has none for {cluster.RegionId}).");
                    continue;
                }

                reason = $"Re-enable Secret encryption of {cluster.ClusterId} with {keyId} for {finding.RuleId}.";
            }

            var dryRun = enforcement == Enforcement.DryRun;
            actions.Add(new GuardPlannedAction(new RemediationAction
            {
                Kind = w.Kind,
                Status = RemediationStatus.Planned,
                RegionId = cluster.RegionId,
                ClusterId = cluster.ClusterId,
                KmsKeyId = keyId,
                RuleId = finding.RuleId,
                Reason = dryRun ? reason + " (dryrun: not applied)" : reason,
            }, !dryRun));
        }

        return (actions, notes);
    }

    private static int ActionOrder(string ruleId) => ruleId switch
    {
        RuleCatalog.KeyDisabled => 0,
        RuleCatalog.KeyPendingDeletion => 1,
        RuleCatalog.NeverDisable => 2,
        RuleCatalog.EncryptionEnabled => 3,
        _ => 4,
    };

    private static string KeyVerb(RemediationKind kind) => kind switch
    {
        RemediationKind.EnableKey => "Enable the key",
        RemediationKind.CancelKeyDeletion => "Cancel the key's deletion",
        _ => "Turn on the key's deletion protection",
    };
}
