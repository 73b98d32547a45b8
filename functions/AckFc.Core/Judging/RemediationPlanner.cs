using AckFc.Core.Policy;
using AckFc.Core.Rules;

namespace AckFc.Core.Judging;

/// <summary>The judged clusters of one swept region.</summary>
public sealed record RegionReports(string RegionId, IReadOnlyList<ClusterReport> Clusters);

/// <summary>
/// Plans what the policy's remediation would repair: pure, no I/O. One action per cluster (enable encryption) or per
/// key (the key actions), outage risks first: a disabled or dying key before hygiene.
/// </summary>
public static class RemediationPlanner
{
    public static IReadOnlyList<RemediationAction> Plan(AckFcPolicy policy, IEnumerable<RegionReports> regions)
    {
        var remediation = policy.Remediation;
        var planned = new List<RemediationAction>();
        var keysDone = new HashSet<(RemediationKind, string)>();
        foreach (var region in regions.OrderBy(r => r.RegionId, StringComparer.Ordinal))
        {
            foreach (var report in region.Clusters)
            {
                foreach (var finding in report.Findings.Where(f => f.Status == FindingStatus.Fail))
                {
                    (RemediationKind Kind, bool On)? action = finding.RuleId switch
                    {
                        RuleCatalog.EncryptionEnabled => (RemediationKind.EnableEncryption, remediation.EnableEncryption),
                        RuleCatalog.KeyPendingDeletion => (RemediationKind.CancelKeyDeletion, remediation.CancelKeyDeletion),
                        RuleCatalog.DeletionProtection => (RemediationKind.EnableDeletionProtection, remediation.EnableDeletionProtection),
                        RuleCatalog.KeyDisabled => (RemediationKind.EnableKey, remediation.EnableKey),
                        _ => null,
                    };
                    if (action is not { On: true } a)
                    {
                        continue;
                    }

                    if (a.Kind == RemediationKind.EnableEncryption)
                    {
                        if (!remediation.DefaultKeys.TryGetValue(region.RegionId, out var key))
                        {
                            continue;
                        }

                        planned.Add(new RemediationAction
                        {
                            Kind = a.Kind, Status = RemediationStatus.Planned, RegionId = region.RegionId, ClusterId = report.ClusterId,
                            KmsKeyId = key, RuleId = finding.RuleId, Reason = $"Enable Secret encryption with {key}, the policy's key for {region.RegionId}.",
                        });
                    }
                    else if (finding.KmsKeyId is { } keyId && keysDone.Add((a.Kind, keyId)))
                    {
                        planned.Add(new RemediationAction
                        {
                            Kind = a.Kind, Status = RemediationStatus.Planned, RegionId = region.RegionId, ClusterId = report.ClusterId,
                            KmsKeyId = keyId, RuleId = finding.RuleId, Reason = $"{finding.Message}",
                        });
                    }
                }
            }
        }

        return [.. planned.OrderBy(p => p.Kind switch
        {
            RemediationKind.EnableKey => 0,
            RemediationKind.CancelKeyDeletion => 1,
            RemediationKind.EnableEncryption => 2,
            _ => 3,
        })];
    }
}
