using AckFc.Core.Compliance;
using AckFc.Core.Rules;

namespace AckFc.Local.Runner;

/// <summary>Prints a sweep report as a table a person can scan: worst clusters first, one line per failed finding.</summary>
internal sealed class ConsoleReportTable(TextWriter output, bool useColour)
{
    /// <summary>Colour only on a real terminal that has not asked for none (https://no-color.org).</summary>
    public static bool ColourWanted() =>
        !Console.IsOutputRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
        && Environment.GetEnvironmentVariable("TERM") is not (null or "dumb");

    public void Write(ComplianceReport report)
    {
        var s = report.Summary;
        output.WriteLine();
        output.WriteLine(
            $"Sweep {report.SweepId} ({Name(report.Mode)}) over {string.Join(", ", report.Regions)}: " +
            $"{s.Clusters} clusters, {Paint(FindingStatus.Fail, $"{s.Fail} fail")}, {Paint(FindingStatus.Unknown, $"{s.Unknown} unknown")}, " +
            $"{Paint(FindingStatus.Waived, $"{s.Waived} waived")}, {Paint(FindingStatus.Pass, $"{s.Pass} pass")}, {s.NotApplicable} not applicable" +
            (report.Complete ? string.Empty : "  [INCOMPLETE]"));
        output.WriteLine($"Policy {report.PolicyVersion[..Math.Min(12, report.PolicyVersion.Length)]}…");
        output.WriteLine();

        const string header = "STATUS          CLUSTER                              NAME                     REGION           ENCRYPTION";
        output.WriteLine(header);
        output.WriteLine(new string('-', header.Length + 12));
        foreach (var cluster in report.Clusters.OrderBy(c => Rank(c.Status)).ThenBy(c => c.RegionId, StringComparer.Ordinal).ThenBy(c => c.Name, StringComparer.Ordinal))
        {
            var encryption = cluster.Encryption.Enabled switch
            {
                true => $"on  {cluster.Encryption.KmsKeyId}",
                false => "off",
                null => "unknown",
            };
            output.WriteLine(
                $"{Paint(cluster.Status, Pad(JsonNames.Of(cluster.Status), 15))} {Pad(cluster.ClusterId, 36)} {Pad(cluster.Name, 24)} {Pad(cluster.RegionId, 16)} {encryption}");
            if (cluster.StatusReason is { } reason && cluster.Status is FindingStatus.NotApplicable or FindingStatus.Unknown)
            {
                output.WriteLine($"{"",16}  {reason}");
            }

            foreach (var finding in cluster.Findings.Where(f => f.Status is FindingStatus.Fail or FindingStatus.Unknown or FindingStatus.Waived)
                         .OrderByDescending(f => f.Severity))
            {
                output.WriteLine($"{"",16}  {Paint(finding.Status, Pad(finding.RuleId, 14))} {Pad(JsonNames.Of(finding.Severity), 9)} {finding.Message}");
            }
        }

        if (report.Actions.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("Remediation:");
            foreach (var action in report.Actions)
            {
                output.WriteLine($"  {action.Status,-8} {action.Kind,-24} {action.ClusterId ?? action.KmsKeyId} — {action.Reason}");
            }
        }

        if (report.Errors.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("Errors:");
            foreach (var error in report.Errors)
            {
                var where = error.ClusterId ?? error.KmsKeyId ?? error.RegionId ?? string.Empty;
                var id = error.RequestId is null ? string.Empty : $" (request id {error.RequestId})";
                output.WriteLine($"  {error.Scope} {where}: {error.Code}: {error.Message}{id}");
            }
        }
    }

    private static int Rank(FindingStatus status) => status switch
    {
        FindingStatus.Fail => 0,
        FindingStatus.Unknown => 1,
        FindingStatus.Waived => 2,
        FindingStatus.Pass => 3,
        _ => 4,
    };

    private static string Name(SweepMode mode) => mode == SweepMode.Remediate ? "remediate" : "report";

    private static string Pad(string? text, int width)
    {
        text ??= string.Empty;
        return text.Length >= width ? text[..(width - 1)] + "…" : text.PadRight(width);
    }

    private string Paint(FindingStatus status, string text)
    {
        if (!useColour)
        {
            return text;
        }

        var code = status switch
        {
            FindingStatus.Fail => "31;1",
            FindingStatus.Unknown => "35",
            FindingStatus.Waived => "33",
            FindingStatus.Pass => "32",
            _ => "90",
        };
        return $"\u001b[{code}m{text}\u001b[0m";
    }
}
