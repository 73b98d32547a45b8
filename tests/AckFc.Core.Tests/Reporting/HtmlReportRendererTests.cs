using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AckFc.Core.Compliance;
using AckFc.Core.Judging;
using AckFc.Core.Reporting;
using AckFc.Core.Rules;

namespace AckFc.Core.Tests.Reporting;

public sealed partial class HtmlReportRendererTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "ackfc-html-" + Guid.NewGuid().ToString("N"));

    public HtmlReportRendererTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>Where screenshots go: a test artifact under the test output folder.</summary>
    public static string ArtifactDirectory => Path.Combine(AppContext.BaseDirectory, "TestResults");

    private static (ComplianceReport Report, ReportChanges Changes) Demo()
    {
        var before = ReportFixtures.DemoFleet(hostile: false, daysLeft: 9, sweepId: "daily-20261127T030000Z", at: ReportFixtures.Start.AddDays(-1));
        var report = ReportFixtures.DemoFleet(daysLeft: 5);
        return (report, ReportComparer.Compare(before, report));
    }

    private string WritePage(ComplianceReport report, ReportChanges? changes)
    {
        var path = Path.Combine(directory, "report.html");
        File.WriteAllText(path, HtmlReportRenderer.Render(report, changes));
        return new Uri(path).AbsoluteUri;
    }

    [Fact]
    public void Render_DemoFleet_SelfContained()
    {
        var html = HtmlReportRenderer.Render(Demo().Report, Demo().Changes);

        // No tag loads or links anything (attribute values removed first: they hold escaped text).
        var tags = Tag().Matches(html).Select(m => Regex.Replace(m.Value, "\"[^\"]*\"", "\"\""));
        Assert.DoesNotContain(tags, t => SrcOrHref().IsMatch(t));
        Assert.DoesNotContain("@import", html, StringComparison.Ordinal);
        Assert.DoesNotContain("url(", html, StringComparison.Ordinal);
        Assert.Equal(1, Regex.Count(html, "<script", RegexOptions.IgnoreCase));
        Assert.Equal(1, Regex.Count(html, "<style", RegexOptions.IgnoreCase));
        Assert.Contains("default-src 'none'", html, StringComparison.Ordinal);
    }

    /// <summary>
    /// The demo page's SHA-256, recorded when the style sheet and script were string constants in the renderer: moving
    /// them to embedded resources and the charts to their own file must not change a byte of the page.
    /// </summary>
    private const string DemoPageSha256 = "87ff31811a43a67461eaaf563db70b81b08a2599328348ab6731f16512fce49e";

    [Fact]
    public void Render_DemoFleet_ByteIdenticalToTheRecordedPage()
    {
        var (report, changes) = Demo();

        var html = HtmlReportRenderer.Render(report, changes);

        Assert.Equal(DemoPageSha256, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(html))));
    }

    /// <summary>The same for a page with a remediation section (the demo fleet has none), recorded the same way.</summary>
    private const string RemediatedPageSha256 = "a321b4b2a943f4e48eb56294a409c55d2f68d2c5155bf88e3b60f04e51c6644a";

    [Fact]
    public void Render_WithActions_ByteIdenticalToTheRecordedPage()
    {
        var (report, changes) = Demo();
        report = report with
        {
            Actions =
            [
                new RemediationAction
                {
                    Kind = RemediationKind.CancelKeyDeletion, Status = RemediationStatus.Applied, RegionId = "cn-hangzhou",
                    KmsKeyId = "key-hz-doomed", RuleId = "ACKFC-KEY-003", Reason = "the key <b>is</b> used by 2 clusters",
                },
                new RemediationAction
                {
                    Kind = RemediationKind.EnableEncryption, Status = RemediationStatus.Failed, RegionId = "cn-shanghai",
                    ClusterId = "c-sh-plain", RuleId = "ACKFC-ENC-001", Reason = "policy requires encryption", ErrorCode = "Throttling.User",
                },
            ],
        };

        var html = HtmlReportRenderer.Render(report, changes);

        Assert.Equal(RemediatedPageSha256, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(html))));
    }

    [Fact]
    public void Render_ScriptHashInPolicy_MatchesTheInlineScript()
    {
        var html = HtmlReportRenderer.Render(Demo().Report);
        var script = Regex.Match(html, "<script>(.*?)</script>", RegexOptions.Singleline).Groups[1].Value;

        var hash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(script)));

        Assert.Contains($"script-src 'sha256-{hash}'", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;")]
    [InlineData("\"><img src=x onerror=alert(2)>", "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;")]
    [InlineData("it's `x` & y", "it&#39;s &#96;x&#96; &amp; y")]
    [InlineData("bell\u0007 and next-line\u0085 go", "bell{U+0007} and next-line{U+0085} go")]
    [InlineData("pay\u202Egpj.exe \u200Bzero\u2028sep\u0000nul\u001B[31m", "pay{U+202E}gpj.exe {U+200B}zero{U+2028}sep{U+0000}nul{U+001B}[31m")]
    [InlineData("line\nand\ttab stay", "line\nand\ttab stay")]
    [InlineData("c-demo-hz-orders 集群", "c-demo-hz-orders 集群")]
    public void Escape_HostileText_Inert(string text, string expected) => Assert.Equal(expected, HtmlReportRenderer.Escape(text));

    [Fact]
    public async Task Browser_DemoFleet_EveryRowThePlantedClusterAndTheHostileNameAsText()
    {
        var (report, changes) = Demo();

        var dom = await HeadlessChromium.DumpDomAsync(WritePage(report, changes));

        var clusters = Rows(dom, "clusters");
        var findings = Rows(dom, "findings");
        Assert.Equal(report.Clusters.Count, clusters.Count);
        Assert.Equal(report.Clusters.Sum(c => c.Findings.Count), findings.Count);
        Assert.All(clusters.Concat(findings), r => Assert.False(r.Hidden));
        var planted = Assert.Single(clusters, r => r.Cluster == ReportFixtures.PlantedClusterId);
        Assert.Contains(ReportFixtures.PlantedClusterName, planted.Html, StringComparison.Ordinal);
        Assert.Contains(ReportFixtures.DoomedKey, planted.Html, StringComparison.Ordinal);
        var doomed = Assert.Single(findings, r => r.Cluster == ReportFixtures.PlantedClusterId && r.Html.Contains(RuleCatalog.KeyPendingDeletion, StringComparison.Ordinal));
        Assert.Contains("kms-key-state-not-pending-deletion", doomed.Html, StringComparison.Ordinal);
        Assert.Contains("<b class=\"days\">5</b>", doomed.Html, StringComparison.Ordinal);

        // The hostile names are text: escaped in the DOM, and no element came out of them.
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", dom, StringComparison.Ordinal);
        Assert.Equal(1, Regex.Count(dom, "<script", RegexOptions.IgnoreCase));
        Assert.DoesNotContain("<img", dom, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Keys in use pending deletion", dom, StringComparison.Ordinal);
        Assert.Contains("<svg", dom, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Browser_StatusFilterInFragment_ShowsOnlyFailingRows()
    {
        var (report, changes) = Demo();

        var dom = await HeadlessChromium.DumpDomAsync(WritePage(report, changes) + "#status=fail");

        var visible = Rows(dom, "clusters").Where(r => !r.Hidden).ToList();
        Assert.Equal(report.Summary.Fail, visible.Count);
        Assert.All(visible, r => Assert.Equal("fail", r.Status));
        var findings = Rows(dom, "findings");
        Assert.All(findings.Where(r => !r.Hidden), r => Assert.Equal("fail", r.Status));
        Assert.Contains(findings, r => r.Hidden);
        Assert.Contains("Showing ", dom, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Browser_TextFilterInQuery_ShowsOnlyMatchingCluster()
    {
        var (report, changes) = Demo();

        var dom = await HeadlessChromium.DumpDomAsync(WritePage(report, changes) + "?q=" + Uri.EscapeDataString("PROD-payments"));

        var visible = Rows(dom, "clusters").Where(r => !r.Hidden).ToList();
        Assert.Equal(ReportFixtures.PlantedClusterId, Assert.Single(visible).Cluster);
        Assert.All(Rows(dom, "findings").Where(r => !r.Hidden), r => Assert.Equal(ReportFixtures.PlantedClusterId, r.Cluster));
    }

    /// <summary>
    /// Screenshot of the demo report as a test artifact (TestResults/report.png). With ACKFC_SCREENSHOT_REPORT set to
    /// a report.json it renders that report instead; with ACKFC_SCREENSHOT_OUT it also copies the PNG there
    /// (scripts/screenshot-report.sh uses both to regenerate docs/images/report.png).
    /// </summary>
    [Fact]
    [Trait("Category", "Screenshot")]
    public async Task Browser_Screenshot_SavedAsArtifact()
    {
        var source = Environment.GetEnvironmentVariable("ACKFC_SCREENSHOT_REPORT");
        ComplianceReport report;
        ReportChanges? changes = null;
        if (source is { Length: > 0 })
        {
            report = JsonSerializer.Deserialize(await File.ReadAllTextAsync(source), ReportJsonContext.Default.ComplianceReport)!;
        }
        else
        {
            var before = ReportFixtures.DemoFleet(hostile: false, daysLeft: 9, sweepId: "daily-20261127T030000Z", at: ReportFixtures.Start.AddDays(-1));
            report = ReportFixtures.DemoFleet(hostile: false, daysLeft: 5);
            changes = ReportComparer.Compare(before, report);
        }

        var png = Path.Combine(ArtifactDirectory, "report.png");
        await HeadlessChromium.ScreenshotAsync(WritePage(report, changes), png);

        var bytes = await File.ReadAllBytesAsync(png);
        Assert.True(bytes.AsSpan().StartsWith((byte[])[0x89, (byte)'P', (byte)'N', (byte)'G']), "not a PNG");
        Assert.True(bytes.Length > 20_000, $"suspiciously small screenshot ({bytes.Length} bytes)");
        if (Environment.GetEnvironmentVariable("ACKFC_SCREENSHOT_OUT") is { Length: > 0 } output)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
            File.Copy(png, output, overwrite: true);
        }
    }

    private sealed record Row(string Status, string Cluster, bool Hidden, string Html);

    private static List<Row> Rows(string dom, string table)
    {
        var match = Regex.Match(dom, $"<table id=\"{table}\"[^>]*>.*?<tbody>(.*?)</tbody>", RegexOptions.Singleline);
        Assert.True(match.Success, $"table #{table} not in the DOM");
        return [.. RowPattern().Matches(match.Groups[1].Value).Select(m => new Row(
            Regex.Match(m.Groups[1].Value, "data-status=\"([^\"]*)\"").Groups[1].Value,
            Regex.Match(m.Groups[1].Value, "data-cluster=\"([^\"]*)\"").Groups[1].Value,
            Regex.IsMatch(m.Groups[1].Value, "\\shidden(=\"\")?(\\s|$)"),
            m.Value))];
    }

    [GeneratedRegex("<tr([^>]*)>.*?</tr>", RegexOptions.Singleline)]
    private static partial Regex RowPattern();

    [GeneratedRegex("<[a-zA-Z][^>]*>")]
    private static partial Regex Tag();

    [GeneratedRegex("\\s(src|href|action|srcset)\\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex SrcOrHref();
}
