using System.Globalization;
using AckFc.Core.Compliance;

namespace AckFc.Core.Reporting;

/// <summary>
/// One row per finding, RFC 4180: CRLF line ends, fields with a comma, quote or line break quoted, quotes doubled.
/// Text that a spreadsheet would run as a formula (starting with = + - @, tab or CR) gets a leading apostrophe.
/// </summary>
public static class CsvReportRenderer
{
    /// <summary>The header row, in column order.</summary>
    public static IReadOnlyList<string> Columns { get; } =
    [
        "sweepId", "clusterId", "clusterName", "regionId", "clusterSpec", "clusterStatus", "ruleId", "cloudConfigRule",
        "status", "severity", "message", "kmsKeyId", "daysUntilDeletion", "waiverReason", "waiverOwner", "waiverExpires",
        "errorCode", "requestId",
    ];

    /// <summary>Renders the findings of every cluster.</summary>
    public static string Render(ComplianceReport report)
    {
        using var csv = new StringWriter(CultureInfo.InvariantCulture);
        Write(csv, report);
        return csv.ToString();
    }

    /// <summary>Writes the findings of every cluster row by row.</summary>
    public static void Write(TextWriter csv, ComplianceReport report)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(report);
        AppendRow(csv, Columns);
        foreach (var cluster in report.Clusters)
        {
            foreach (var f in cluster.Findings)
            {
                AppendRow(csv,
                [
                    report.SweepId, cluster.ClusterId, cluster.Name, cluster.RegionId, cluster.ClusterSpec,
                    JsonNames.Of(cluster.Status), f.RuleId, CloudConfigRule(f), JsonNames.Of(f.Status), JsonNames.Of(f.Severity),
                    f.Message, f.KmsKeyId, f.DaysUntilDeletion?.ToString(CultureInfo.InvariantCulture),
                    f.Waiver?.Reason, f.Waiver?.Owner, f.Waiver?.Expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                    f.ErrorCode, f.RequestId,
                ]);
            }
        }
    }

    /// <summary>The finding's Cloud Config rule, or the catalogue's for its rule id.</summary>
    internal static string? CloudConfigRule(Finding finding) =>
        finding.CloudConfigRule ?? (RuleCatalog.IsKnown(finding.RuleId) ? RuleCatalog.Get(finding.RuleId).CloudConfigRule : null);

    private static void AppendRow(TextWriter csv, IReadOnlyList<string?> fields)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                csv.Write(',');
            }

            csv.Write(Field(fields[i]));
        }

        csv.Write("\r\n");
    }

    /// <summary>One field: neutralised against formula injection, then quoted when RFC 4180 requires it.</summary>
    public static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
    }
}
