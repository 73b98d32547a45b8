using System.Globalization;
using System.Text;
using AckFc.Core.Compliance;
using AckFc.Core.Rules;

namespace AckFc.Core.Reporting;

/// <summary>
/// The one Error line of a sweep whose report set could not be written: where it was to go, why not, and what the
/// sweep found, so an operator reading Function Compute's logs still sees what failed. Compact and bounded whatever
/// the fleet: the summary, fail counts per rule, the first failing clusters with their rule ids, "…and K more".
/// One line: cloud text is made visible (<see cref="VisibleText"/>), line breaks flattened, every id capped.
/// </summary>
public static class PublishFailureLine
{
    /// <summary>The longest line written, in characters (well inside what Function Compute's log service keeps in a field).</summary>
    public const int MaxLength = 4096;

    /// <summary>How many failing clusters the line names at most.</summary>
    public const int MaxClusters = 20;

    private const int MaxRules = 20;
    private const int MaxRulesPerCluster = 5;

    /// <summary>The line for a failed publication.</summary>
    public static string For(ReportPublishException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return For(failure.Report, failure.Store, failure.Cause);
    }

    /// <summary>The line for <paramref name="report"/>, not written to <paramref name="store"/> because of <paramref name="cause"/>.</summary>
    public static string For(ComplianceReport report, string store, string cause)
    {
        ArgumentNullException.ThrowIfNull(report);
        var summary = report.Summary;
        var text = new StringBuilder(1024)
            .Append("Sweep ").Append(Clean(report.SweepId, 128))
            .Append(": its report set could not be written to ").Append(Clean(store, 256))
            .Append(" (").Append(Clean(cause, 512)).Append("); it is not the latest report, the previous complete sweep stays latest. ")
            .Append(CultureInfo.InvariantCulture, $"Findings: {summary.Clusters} clusters, {summary.Fail} fail, {summary.Unknown} unknown, {summary.Pass} pass, ")
            .Append(CultureInfo.InvariantCulture, $"{summary.NotApplicable} notApplicable, {summary.Waived} waived; complete {(report.Complete ? "true" : "false")}; {report.Errors.Count} errors.");

        var failing = report.Clusters
            .Select(c => (Cluster: c, Rules: c.Findings.Where(f => f.Status == FindingStatus.Fail).Select(f => f.RuleId).Distinct(StringComparer.Ordinal).ToList()))
            .Where(c => c.Rules.Count > 0)
            .ToList();
        var byRule = failing.SelectMany(c => c.Rules).GroupBy(r => r, StringComparer.Ordinal)
            .Select(g => (Rule: g.Key, Count: g.Count()))
            .OrderByDescending(r => r.Count).ThenBy(r => r.Rule, StringComparer.Ordinal)
            .ToList();
        if (byRule.Count > 0)
        {
            text.Append(" Failing by rule: ")
                .AppendJoin(", ", byRule.Take(MaxRules).Select(r => string.Create(CultureInfo.InvariantCulture, $"{Clean(r.Rule, 32)} {r.Count}")));
            if (byRule.Count > MaxRules)
            {
                text.Append(CultureInfo.InvariantCulture, $", …and {byRule.Count - MaxRules} more rules");
            }

            text.Append('.');
        }

        if (failing.Count > 0)
        {
            // Room is kept for the tail, so the line ends with how many were left out, whatever the ids' lengths.
            const int TailRoom = 40;
            text.Append(" Failing clusters: ");
            var named = 0;
            foreach (var (cluster, rules) in failing)
            {
                var item = new StringBuilder()
                    .Append(Clean(cluster.ClusterId, 64)).Append(" [").Append(Clean(cluster.RegionId, 32)).Append("] ")
                    .AppendJoin('+', rules.Take(MaxRulesPerCluster).Select(r => Clean(r, 32)));
                if (rules.Count > MaxRulesPerCluster)
                {
                    item.Append(CultureInfo.InvariantCulture, $"+{rules.Count - MaxRulesPerCluster} more");
                }

                if (named == MaxClusters || text.Length + item.Length + 2 + TailRoom > MaxLength)
                {
                    break;
                }

                text.Append(named == 0 ? string.Empty : ", ").Append(item);
                named++;
            }

            text.Append(named < failing.Count ? string.Create(CultureInfo.InvariantCulture, $"{(named == 0 ? "" : ", ")}…and {failing.Count - named} more.") : ".");
        }

        return text.Length <= MaxLength ? text.ToString() : text.ToString(0, MaxLength - 1) + "…";
    }

    /// <summary>Untrusted text for the line: hidden characters spelled out, line breaks and tabs flattened, capped.</summary>
    internal static string Clean(string? value, int max)
    {
        var visible = VisibleText.Of(value);
        if (visible.AsSpan().IndexOfAny('\r', '\n', '\t') >= 0)
        {
            visible = visible.Replace('\r', ' ').Replace('\n', ' ').Replace('\t', ' ');
        }

        return visible.Length <= max ? visible : visible[..(max - 1)] + "…";
    }
}
