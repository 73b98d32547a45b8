using System.Text.Json;
using AckFc.Core.Compliance;
using AckFc.Core.Judging;
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
            Chats(report, changes);
        }, iter: 10_000);

    private static void AssertNoHiddenCharacters(string text, string where) =>
        Assert.False(VisibleText.ContainsHidden(text),
            $"{where} holds a control, bidi or zero-width character raw: "
            + string.Concat(text.Select(c => c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:X4}")));

    /// <summary>Markdown (report.md, DingTalk), Slack, Lark and the webhook: no hidden character raw, neither in the bytes nor in any decoded string.</summary>
    private static void Chats(ComplianceReport report, ReportChanges? changes)
    {
        var digest = ReportDigest.Create(report, changes, 10, new Uri("https://reports.example.com/x"));
        AssertNoHiddenCharacters(MarkdownReportRenderer.Render(digest), "report.md");
        foreach (var (channel, payload) in new[]
                 {
                     ("dingtalk", NotificationPayloads.DingTalk(digest)),
                     ("lark", NotificationPayloads.Lark(digest, 1, "sign")),
                     ("slack", NotificationPayloads.Slack(digest)),
                     ("webhook", NotificationPayloads.Webhook(report, changes, digest)),
                 })
        {
            AssertNoHiddenCharacters(System.Text.Encoding.UTF8.GetString(payload), channel + " payload bytes");
            using var document = JsonDocument.Parse(payload);
            foreach (var value in Strings(document.RootElement))
            {
                AssertNoHiddenCharacters(value, channel + " payload string");
                if (channel == "slack")
                {
                    Assert.DoesNotContain("<!", value, StringComparison.Ordinal);
                    Assert.DoesNotMatch("(?i)(?<![＠])@(channel|here|everyone)", value);
                }
            }
        }
    }

    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        _ => [],
    };

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
            Assert.Equal(WithoutApostrophes(findings[i].Finding.Message), WithoutApostrophes(rows[i + 1][message]));
            Assert.Equal(WithoutApostrophes(findings[i].Cluster.Name), WithoutApostrophes(rows[i + 1][name]));
        }

        // A spreadsheet must never see a formula, whether it splits on ',' (the parsed fields) or on ';' (where
        // quotes inside a cell are literal, so a cell may start after any semicolon or line break of the file).
        Assert.All(rows.SelectMany(r => r), field => AssertNoFormulaStart(field, "',' reading"));
        foreach (var cell in text.ToString().Split([';', '\r', '\n']))
        {
            AssertNoFormulaStart(cell, "';' reading");
        }

        AssertNoHiddenCharacters(text.ToString(), "report.csv");

        // What was neutralised is the original text with hidden characters spelled out, and apostrophes added.
        static string WithoutApostrophes(string value) => VisibleText.Of(value).Replace("'", string.Empty, StringComparison.Ordinal);

        static void AssertNoFormulaStart(string cell, string reading)
        {
            var start = cell.TrimStart(' ', '"');
            Assert.False(start.Length > 0 && start[0] is '=' or '+' or '-' or '@' or '\t' or '\uFF1D' or '\uFF0B' or '\uFF0D' or '\uFF20',
                $"{reading}: a cell starts a formula: {cell}");
        }
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

        // Every name comes back as the same text with hidden characters spelled out (escaping is exact, nothing was
        // interpreted as markup), and no control, bidi or zero-width character is anywhere in the page.
        var shown = document.QuerySelectorAll("#clusters tbody tr .name").Select(NameText).Order(StringComparer.Ordinal);
        Assert.Equal(report.Clusters.Select(c => VisibleText.Of(c.Name).Replace('\r', ' ')).Order(StringComparer.Ordinal), shown);
        AssertNoHiddenCharacters(text.ToString(), "report.html");
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
