using AckFc.Core.Compliance;
using AckFc.Core.Judging;
using AckFc.Core.Rules;

namespace AckFc.Core.Reporting;

/// <summary>
/// What changed between two sweeps, keyed by (cluster id, rule id). Only failed findings are "open": a finding is
/// new when it fails now and did not before, resolved when it failed before and now passes, is waived or its cluster
/// is gone, and escalated when it still fails but its severity rose or its key's deletion countdown crossed
/// 30, 7 or 1 days. Only the scope both reports cover is compared (the regions both swept): a region-scoped sweep
/// never announces the findings of the regions it did not look at as resolved, nor a region it newly covers as new.
/// </summary>
internal static class ReportComparer
{
    /// <summary>Days before deletion at which a pending-deletion finding is escalated again.</summary>
    public static IReadOnlyList<int> CountdownThresholds { get; } = [30, 7, 1];

    /// <summary>Compares <paramref name="current"/> with <paramref name="previous"/>.</summary>
    public static ReportChanges Compare(ComplianceReport previous, ComplianceReport current)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(current);

        // A report that names no region at all (hand-made, or empty) does not narrow the comparison.
        var scope = Scope(previous);
        var currentScope = Scope(current);
        if (scope.Count == 0)
        {
            scope = currentScope;
        }
        else if (currentScope.Count > 0)
        {
            scope.IntersectWith(currentScope);
        }

        var before = Index(previous, scope);
        var now = Index(current, scope);
        // A report read back from disk may list a cluster twice (edited, or written by another version): the first wins.
        var currentClusters = new Dictionary<string, ClusterReport>(StringComparer.Ordinal);
        foreach (var cluster in current.Clusters.Where(c => scope.Contains(c.RegionId)))
        {
            currentClusters.TryAdd(cluster.ClusterId, cluster);
        }

        var added = new List<FindingChange>();
        var escalated = new List<FindingChange>();
        var resolved = new List<FindingChange>();

        foreach (var (key, (cluster, finding)) in now)
        {
            if (finding.Status != FindingStatus.Fail)
            {
                continue;
            }

            if (!before.TryGetValue(key, out var old) || old.Finding.Status != FindingStatus.Fail)
            {
                var why = old.Finding?.Status == FindingStatus.Waived ? "no longer waived" : null;
                added.Add(Change(cluster, finding, why));
            }
            else if (Escalation(old.Finding, finding) is { } why)
            {
                escalated.Add(Change(cluster, finding, why));
            }
        }

        foreach (var (key, (cluster, finding)) in before)
        {
            if (finding.Status != FindingStatus.Fail)
            {
                continue;
            }

            if (!currentClusters.TryGetValue(key.ClusterId, out var nowCluster))
            {
                // A cluster missing from an incomplete sweep may just be in a region that could not be read.
                if (current.Complete)
                {
                    resolved.Add(Change(cluster, finding, "cluster no longer listed"));
                }

                continue;
            }

            if (nowCluster.Status == FindingStatus.Unknown && !now.ContainsKey(key))
            {
                continue;
            }

            if (!now.TryGetValue(key, out var next))
            {
                resolved.Add(Change(nowCluster, finding, nowCluster.Status == FindingStatus.NotApplicable ? "not applicable any more" : "rule no longer reported"));
            }
            else if (next.Finding.Status is FindingStatus.Pass or FindingStatus.Waived or FindingStatus.NotApplicable)
            {
                resolved.Add(Change(nowCluster, next.Finding with { Severity = finding.Severity }, next.Finding.Status switch
                {
                    FindingStatus.Waived => "waived",
                    FindingStatus.NotApplicable => "not applicable",
                    _ => "passes now",
                }));
            }
        }

        return new ReportChanges(Worst(added), Worst(resolved), Worst(escalated));
    }

    private static string? Escalation(Finding before, Finding now)
    {
        if (now.Severity > before.Severity)
        {
            return $"severity {JsonNames.Of(before.Severity)} → {JsonNames.Of(now.Severity)}";
        }

        if (before.DaysUntilDeletion is { } was && now.DaysUntilDeletion is { } left)
        {
            // The tightest threshold crossed is the one worth saying.
            var crossed = CountdownThresholds.Where(t => was > t && left <= t).DefaultIfEmpty(-1).Min();
            if (crossed >= 0)
            {
                return $"now within {Days(crossed)} of deletion";
            }
        }

        return null;
    }

    internal static string Days(int days) => days == 1 ? "1 day" : $"{days} days";

    private static FindingChange Change(ClusterReport cluster, Finding finding, string? why) =>
        new(cluster.ClusterId, cluster.Name, cluster.RegionId, finding, why);

    /// <summary>Worst first: severity, then the nearest deletion, then cluster name and rule.</summary>
    internal static IReadOnlyList<FindingChange> Worst(IEnumerable<FindingChange> changes) =>
    [
        .. changes
            .OrderByDescending(c => c.Finding.Severity)
            .ThenBy(c => c.Finding.DaysUntilDeletion ?? int.MaxValue)
            .ThenBy(c => c.ClusterName, StringComparer.Ordinal)
            .ThenBy(c => c.ClusterId, StringComparer.Ordinal)
            .ThenBy(c => c.Finding.RuleId, StringComparer.Ordinal),
    ];

    /// <summary>
    /// The regions a report looked at: the regions it swept (its <c>regions</c>), together with the regions of the
    /// clusters it lists (a report written by hand or by an older version may leave <c>regions</c> short).
    /// </summary>
    internal static HashSet<string> Scope(ComplianceReport report)
    {
        var scope = new HashSet<string>(report.Regions, StringComparer.Ordinal);
        scope.UnionWith(report.Clusters.Select(c => c.RegionId));
        return scope;
    }

    private static Dictionary<FindingKey, (ClusterReport Cluster, Finding Finding)> Index(ComplianceReport report, HashSet<string> scope)
    {
        var index = new Dictionary<FindingKey, (ClusterReport, Finding)>();
        foreach (var cluster in report.Clusters.Where(c => scope.Contains(c.RegionId)))
        {
            foreach (var finding in cluster.Findings)
            {
                // A rule reported twice for one cluster counts once, by its worst result.
                var key = new FindingKey(cluster.ClusterId, finding.RuleId);
                if (!index.TryGetValue(key, out var existing) || Rank(finding) > Rank(existing.Item2))
                {
                    index[key] = (cluster, finding);
                }
            }
        }

        return index;
    }

    private static int Rank(Finding finding) => (finding.Status == FindingStatus.Fail ? 100 : 0) + (int)finding.Severity;

    private readonly record struct FindingKey(string ClusterId, string RuleId);
}
