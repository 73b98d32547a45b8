using System.Text.Json;
using System.Text.RegularExpressions;
using AckFc.Core.Compliance;
using AckFc.Core.Reporting;

namespace AckFc.Core.Tests.Reporting;

/// <summary>The trend of the HTML report: stacked bars of the last sweeps, a table of the same counts, the first-sweep sentence.</summary>
public sealed partial class HtmlChartsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 3, 0, 0, TimeSpan.Zero);

    private static TrendPoint Point(int day, int fail = 3, int unknown = 1, int pass = 8, bool fullScope = true, bool complete = true) =>
        new($"daily-{day:D2}", T0.AddDays(day), fail, unknown, pass, fullScope, complete);

    private static ComplianceReport Report(TrendPoint current) =>
        ReportFixtures.DemoFleet(hostile: false, sweepId: current.SweepId, at: current.SweepTime);

    private static string Render(IReadOnlyList<TrendPoint> earlier, TrendPoint current) =>
        HtmlReportRenderer.Render(Report(current), trend: new ReportTrend(earlier, current));

    private static List<Match> Bars(string html) => [.. BarPattern().Matches(html).Cast<Match>()];

    private static List<string[]> TableRows(string html)
    {
        var body = Regex.Match(html, "<table class=\"plain\" id=\"trend-table\">.*?<tbody>(.*?)</tbody>", RegexOptions.Singleline);
        Assert.True(body.Success, "no trend table");
        return [.. Regex.Matches(body.Groups[1].Value, "<tr[^>]*>(.*?)</tr>", RegexOptions.Singleline)
            .Select(r => Regex.Matches(r.Groups[1].Value, "<td>(.*?)</td>", RegexOptions.Singleline).Select(c => Regex.Replace(c.Groups[1].Value, "<[^>]+>", "")).ToArray())];
    }

    [Fact]
    public void WriteTrend_FiveSweeps_OneBarEachOldestFirstTheCurrentLast()
    {
        // Handed over newest first: the chart still reads left to right in time.
        var earlier = new[] { Point(4, fail: 1), Point(2, fail: 5), Point(3, fail: 2), Point(1, fail: 6) };
        var current = Point(5, fail: 0, unknown: 2, pass: 10);

        var html = Render(earlier, current);

        var bars = Bars(html);
        Assert.Equal(5, bars.Count);
        Assert.Equal(["daily-01", "daily-02", "daily-03", "daily-04", "daily-05"], bars.Select(b => b.Groups["sweep"].Value));
        Assert.Equal(["6", "5", "2", "1", "0"], bars.Select(b => b.Groups["fail"].Value));
        Assert.Contains("data-current=\"true\"", bars[^1].Value, StringComparison.Ordinal);
        Assert.DoesNotContain(bars.SkipLast(1), b => b.Value.Contains("data-current", StringComparison.Ordinal));
        Assert.Contains("<h2>Trend <small>last 5 sweeps</small></h2>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteTrend_Bars_StackedInTheStatusColoursAndScaledToTheLargestSweep()
    {
        var html = Render([Point(1, fail: 2, unknown: 0, pass: 2)], Point(2, fail: 4, unknown: 2, pass: 2));

        var bars = Bars(html);
        var first = Rects(bars[0].Value);
        var second = Rects(bars[1].Value);
        // Failing at the baseline, then unknown, then passing; a zero count draws nothing.
        Assert.Equal(["#d93025", "#188038"], first.Select(r => r.Fill));
        Assert.Equal(["#d93025", "#e37400", "#188038"], second.Select(r => r.Fill));
        // The largest sweep (8 clusters) fills the 150-unit plot; the other is half as tall.
        Assert.Equal(150, second.Sum(r => r.Height), 1);
        Assert.Equal(75, first.Sum(r => r.Height), 1);
        Assert.Equal(second[0].Height, 2 * second[1].Height, 1);
        Assert.Equal(160, second[0].Y + second[0].Height, 1);
    }

    [Fact]
    public void WriteTrend_Table_HasTheCountsOfEverySweepInChartOrder()
    {
        var html = Render([Point(2, 7, 0, 5), Point(1, 9, 2, 1, complete: false)], Point(3, 4, 1, 7));

        var rows = TableRows(html);

        Assert.Equal(3, rows.Count);
        Assert.Equal(["2026-11-02 03:00", "daily-01 incomplete", "9", "2", "1"], rows[0]);
        Assert.Equal(["2026-11-03 03:00", "daily-02", "7", "0", "5"], rows[1]);
        Assert.Equal(["2026-11-04 03:00", "daily-03 this sweep", "4", "1", "7"], rows[2]);
        Assert.Contains("<details><summary>The trend as a table</summary>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteTrend_Accessible_LabelledImageWithATitlePerBar()
    {
        var html = Render([Point(1)], Point(2, fail: 0, unknown: 0, pass: 12));

        Assert.Matches("<svg id=\"trend-chart\"[^>]*role=\"img\" aria-label=\"Failing, unknown and passing clusters in the last 2 sweeps, oldest first\"><title>", html);
        Assert.Contains("<title>2026-11-02 03:00 UTC · daily-01: 3 failing, 1 unknown, 8 passing</title>", html, StringComparison.Ordinal);
        Assert.Contains("<title>2026-11-03 03:00 UTC · daily-02 (this sweep): 0 failing, 0 unknown, 12 passing</title>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteTrend_FortyEarlierSweeps_TheNewestTwentyNineAndTheCurrent()
    {
        var earlier = Enumerable.Range(1, 40).Select(d => Point(d)).ToList();

        var html = Render(earlier, Point(41));

        var bars = Bars(html);
        Assert.Equal(ReportTrend.Length, bars.Count);
        Assert.Equal("daily-12", bars[0].Groups["sweep"].Value);
        Assert.Equal("daily-41", bars[^1].Groups["sweep"].Value);
        Assert.Equal(ReportTrend.Length, TableRows(html).Count);
    }

    [Fact]
    public void WriteTrend_FirstSweep_ASentenceInsteadOfAChart()
    {
        var html = Render([], Point(1));

        Assert.Contains("The trend starts with this sweep", html, StringComparison.Ordinal);
        Assert.DoesNotContain("trend-chart", html, StringComparison.Ordinal);
        Assert.DoesNotContain("trend-table", html, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteTrend_RepublishedSweepAmongTheEarlierOnes_DrawnOnce()
    {
        var current = Point(3);

        var html = Render([Point(1), Point(2), current], current);

        Assert.Equal(["daily-01", "daily-02", "daily-03"], Bars(html).Select(b => b.Groups["sweep"].Value));
    }

    [Fact]
    public void WriteTrend_PartialScopeSweeps_LeftOutWithANoteForTheCurrentOne()
    {
        var html = Render([Point(1), Point(2, fullScope: false), Point(3)], Point(4, fullScope: false));

        Assert.Equal(["daily-01", "daily-03"], Bars(html).Select(b => b.Groups["sweep"].Value));
        Assert.Contains("This sweep covered part of the configured scope", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-current", html, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteTrend_Unavailable_ANoteAndNoChart()
    {
        var html = HtmlReportRenderer.Render(Report(Point(1)), trend: ReportTrend.Failed(Point(1)));

        Assert.Contains("The trend of earlier sweeps could not be read for this report", html, StringComparison.Ordinal);
        Assert.DoesNotContain("trend-chart", html, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteTrend_HostileSweepId_Escaped()
    {
        var html = Render([Point(1) with { SweepId = "<img src=x onerror=alert(1)>" }], Point(2));

        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.Contains("data-sweep=\"&lt;img src=x onerror=alert(1)&gt;\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_NoTrend_NoTrendSection()
    {
        var html = HtmlReportRenderer.Render(Report(Point(1)));

        Assert.DoesNotContain("id=\"trend\"", html, StringComparison.Ordinal);
    }

    /// <summary>
    /// Six sweeps published one after another through the real publisher and file store, the last page opened in
    /// headless Chromium: the chart is laid out and visible, with one bar per sweep, left to right in time, each bar
    /// as tall as its counts say, and the table holds the same sweeps.
    /// </summary>
    [Fact]
    public async Task Browser_MultiSweepReport_TrendVisibleWithOneBarPerSweep()
    {
        using var h = new ReportingHarness(new Dictionary<string, string?>());
        var totals = new List<int>();
        PublishedReport? last = null;
        for (var day = 0; day < 6; day++)
        {
            var report = ReportFixtures.DemoFleet(hostile: false, daysLeft: 20 - day, sweepId: $"daily-{day}", at: ReportFixtures.Start.AddDays(day));
            // Fewer clusters each day, so the bars differ in height.
            var clusters = report.Clusters.Skip(day).ToList();
            report = ReportFixtures.Report(clusters, report.SweepId, report.StartedAt);
            totals.Add(report.Summary.Fail + report.Summary.Unknown + report.Summary.Pass);
            last = await h.Publisher.PublishAsync(report);
        }

        var page = last!.Files.Single(f => f.EndsWith("report.html", StringComparison.Ordinal));
        var layout = await HeadlessChromium.EvaluateAsync(new Uri(page).AbsoluteUri, """
            JSON.stringify((() => {
              const svg = document.getElementById('trend-chart');
              const box = svg.getBoundingClientRect();
              const bars = [...svg.querySelectorAll('g.trend-bar')].map(g => {
                const b = g.getBoundingClientRect();
                return { sweep: g.dataset.sweep, x: b.x, width: b.width, height: b.height, visible: g.checkVisibility({ visibilityProperty: true, opacityProperty: true }) };
              });
              return {
                visible: svg.checkVisibility({ visibilityProperty: true, opacityProperty: true }), width: box.width, height: box.height,
                top: box.top + window.scrollY, bars,
                rows: [...document.querySelectorAll('#trend-table tbody tr')].map(r => r.dataset.sweep),
              };
            })())
            """);

        using var result = JsonDocument.Parse(layout.GetString()!);
        var root = result.RootElement;
        Assert.True(root.GetProperty("visible").GetBoolean(), "the trend chart is not visible");
        Assert.True(root.GetProperty("width").GetDouble() > 300, $"the trend chart is {root.GetProperty("width")} px wide");
        Assert.True(root.GetProperty("height").GetDouble() > 80, $"the trend chart is {root.GetProperty("height")} px high");
        var bars = root.GetProperty("bars").EnumerateArray().ToList();
        Assert.Equal(6, bars.Count);
        Assert.Equal(Enumerable.Range(0, 6).Select(d => $"daily-{d}"), bars.Select(b => b.GetProperty("sweep").GetString()));
        Assert.All(bars, b => Assert.True(b.GetProperty("visible").GetBoolean() && b.GetProperty("width").GetDouble() > 4, $"bar {b} is not visible"));
        var xs = bars.Select(b => b.GetProperty("x").GetDouble()).ToList();
        Assert.Equal(xs.Order(), xs);
        // Bar heights (the current one has its marker below the baseline) follow the counts: the first is the tallest.
        var heights = bars.SkipLast(1).Select(b => b.GetProperty("height").GetDouble()).ToList();
        for (var i = 1; i < heights.Count; i++)
        {
            Assert.Equal(heights[0] * totals[i] / totals[0], heights[i], 1.0);
        }

        Assert.Equal(Enumerable.Range(0, 6).Select(d => $"daily-{d}"), root.GetProperty("rows").EnumerateArray().Select(r => r.GetString()));
    }

    private sealed record Rect(string Fill, double Y, double Height);

    private static List<Rect> Rects(string bar) =>
    [
        .. Regex.Matches(bar, "<rect x=\"[^\"]*\" y=\"(?<y>[^\"]*)\" width=\"[^\"]*\" height=\"(?<h>[^\"]*)\" fill=\"(?<fill>[^\"]*)\"/>")
            .Select(m => new Rect(m.Groups["fill"].Value, double.Parse(m.Groups["y"].Value, System.Globalization.CultureInfo.InvariantCulture),
                double.Parse(m.Groups["h"].Value, System.Globalization.CultureInfo.InvariantCulture))),
    ];

    [GeneratedRegex("<g class=\"trend-bar\" data-sweep=\"(?<sweep>[^\"]*)\" data-fail=\"(?<fail>\\d+)\" data-unknown=\"(?<unknown>\\d+)\" data-pass=\"(?<pass>\\d+)\"[^>]*>.*?</g>", RegexOptions.Singleline)]
    private static partial Regex BarPattern();
}
