using System.Globalization;
using System.Text;
using AckFc.Core.Compliance;
using AckFc.Core.Judging;
using AckFc.Core.Rules;

namespace AckFc.Core.Reporting;

/// <summary>
/// One row per finding, RFC 4180: CRLF line ends, fields with a comma, semicolon, quote or line break quoted, quotes
/// doubled, so the file reads the same whether a spreadsheet splits on <c>,</c> or (in locales whose list separator it
/// is) on <c>;</c>. Text that a spreadsheet would run as a formula (starting, after any spaces, with = + - @, tab, CR or
/// LF, or their full-width forms) gets a leading apostrophe, and control and bidi characters are spelled out
/// (<see cref="VisibleText"/>).
/// </summary>
internal static class CsvReportRenderer
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

    private static readonly System.Buffers.SearchValues<char> FormulaLeading = System.Buffers.SearchValues.Create("=+-@\t\uFF1D\uFF0B\uFF0D\uFF20");

    private static readonly System.Buffers.SearchValues<char> NeedsQuotes = System.Buffers.SearchValues.Create(",;\"\r\n");

    /// <summary>
    /// An apostrophe before every formula-leading character where a spreadsheet could start a cell: the field's start,
    /// and (for the reading that splits on <c>;</c>, where quotes inside a cell are literal) after each semicolon and
    /// line break inside the field. Spaces and quotes in front are skipped: <c>" =1"</c> still starts a formula.
    /// </summary>
    internal static string Neutralise(string value)
    {
        if (value[0] is '\r' or '\n')
        {
            value = "'" + value;
        }

        if (value.AsSpan().IndexOfAny(FormulaLeading) < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 4);
        var cellStart = true;
        foreach (var c in value)
        {
            if (cellStart && c is not (' ' or '"'))
            {
                if (c is '=' or '+' or '-' or '@' or '\t' or '\uFF1D' or '\uFF0B' or '\uFF0D' or '\uFF20')
                {
                    builder.Append('\'');
                }

                cellStart = false;
            }

            builder.Append(c);
            if (c is ';' or '\r' or '\n')
            {
                cellStart = true;
            }
        }

        return builder.ToString();
    }

    /// <summary>One field: neutralised against formula injection, then quoted when RFC 4180 requires it.</summary>
    public static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        value = Neutralise(VisibleText.Of(value));

        return value.AsSpan().IndexOfAny(NeedsQuotes) >= 0
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
    }
}
