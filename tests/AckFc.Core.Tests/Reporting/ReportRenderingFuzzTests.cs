using System.Text.Json;
using AckFc.Core.Compliance;
using AckFc.Core.Reporting;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using CsCheck;

namespace AckFc.Core.Tests.Reporting;

/// <summary>
/// Random report data, with and without changes since a previous sweep, rendered through the same writers the report
/// store uses: the JSON is schema-valid and round-trips, the CSV is strict RFC 4180 with one row per finding, the
/// HTML parses as HTML5 without a single parse error and shows every value as text, the OCSF lines are JSON events.
/// 10,000 cases, seeded by CsCheck (a failure prints the seed that replays it).
/// </summary>
public sealed class ReportRenderingFuzzTests
{
    private static readonly Gen<(ComplianceReport Report, ReportChanges? Changes)> ReportAndChanges =
        Gen.Select(ReportGenerators.AnyReport, ReportGenerators.AnyReport, Gen.Bool, (before, now, compare) =>
            (now, compare ? ReportComparer.Compare(before with { Clusters = [.. before.Clusters, .. now.Clusters.Take(2)] }, now) : (ReportChanges?)null));

    [Fact]
    public void RandomReports_RenderToValidJsonCsvHtmlAndOcsf() =>
        ReportAndChanges.Sample(sample =>
        {
            var (report, changes) = sample;
            Json(report);
            Csv(report);
            Html(report, changes);
            Ocsf(report, changes);
        }, iter: 10_000);

    private static void Json(ComplianceReport report)
    {
        using var stream = new MemoryStream();
        JsonSerializer.Serialize(stream, report, ReportJsonContext.Default.ComplianceReport);
        var back = JsonSerializer.Deserialize(stream.ToArray(), ReportJsonContext.Default.ComplianceReport)!;

        Assert.Equal(report.Clusters.Select(c => (c.ClusterId, c.Name, c.Findings.Count)), back.Clusters.Select(c => (c.ClusterId, c.Name, c.Findings.Count)));
        Assert.Equal(report.Clusters.SelectMany(c => c.Findings.Select(f => f.Message)), back.Clusters.SelectMany(c => c.Findings.Select(f => f.Message)));
        ReportSchemaTests.AssertValid(report);
    }

    private static void Csv(ComplianceReport report)
    {
        using var text = new StringWriter();
        CsvReportRenderer.Write(text, report);
        var rows = CsvReportRendererTests.Parse(text.ToString());

        var findings = report.Clusters.SelectMany(c => c.Findings.Select(f => (Cluster: c, Finding: f))).ToList();
        Assert.Equal(findings.Count + 1, rows.Count);
        Assert.All(rows, r => Assert.Equal(CsvReportRenderer.Columns.Count, r.Count));
        var message = CsvReportRenderer.Columns.ToList().IndexOf("message");
        var name = CsvReportRenderer.Columns.ToList().IndexOf("clusterName");
        for (var i = 0; i < findings.Count; i++)
        {
            Assert.Equal(Neutralised(findings[i].Finding.Message), rows[i + 1][message]);
            Assert.Equal(Neutralised(findings[i].Cluster.Name), rows[i + 1][name]);
        }

        // A spreadsheet must never see a formula: text that would start one is prefixed with an apostrophe.
        static string Neutralised(string value) => value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
    }

    private static void Html(ComplianceReport report, ReportChanges? changes)
    {
        using var text = new StringWriter();
        HtmlReportRenderer.Write(text, report, changes);
        var errors = new List<string>();
        var parser = new HtmlParser();
        parser.Error += (_, e) => errors.Add(e.ToString() ?? "parse error");
        using var document = parser.ParseDocument(text.ToString());

        Assert.True(errors.Count == 0, "HTML5 parse errors: " + string.Join("; ", errors));
        Assert.Single(document.Scripts);
        Assert.Empty(document.QuerySelectorAll("img, iframe, object, embed, link, a[href], [src], [onerror], [onload]"));
        Assert.Equal(report.Clusters.Count, document.QuerySelectorAll("#clusters tbody tr").Length);
        Assert.Equal(report.Clusters.Sum(c => c.Findings.Count), document.QuerySelectorAll("#findings tbody tr").Length);

        // Every name comes back as the same text (escaping is exact, nothing was interpreted as markup).
        var shown = document.QuerySelectorAll("#clusters tbody tr .name").Select(NameText).Order(StringComparer.Ordinal);
        Assert.Equal(report.Clusters.Select(c => c.Name).Order(StringComparer.Ordinal), shown);
    }

    /// <summary>The name cell's text without the "changed" tag (rendered as the name, a space and the tag).</summary>
    private static string NameText(IElement cell)
    {
        if (cell.QuerySelector(".tag") is null)
        {
            return cell.TextContent;
        }

        var own = string.Concat(cell.ChildNodes.Where(n => n.NodeType == NodeType.Text).Select(n => n.TextContent));
        Assert.EndsWith(" ", own, StringComparison.Ordinal);
        return own[..^1];
    }

    private static void Ocsf(ComplianceReport report, ReportChanges? changes)
    {
        using var text = new StringWriter();
        OcsfReportRenderer.Write(text, report, changes);
        var lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.True(lines.Length >= report.Clusters.Sum(c => c.Findings.Count));
        foreach (var line in lines)
        {
            using var e = JsonDocument.Parse(line);
            Assert.Equal(OcsfReportRenderer.ClassUid, e.RootElement.GetProperty("class_uid").GetInt32());
        }
    }
}
