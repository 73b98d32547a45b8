using System.Text;
using AckFc.Core.Compliance;
using AckFc.Core.Rules;
using static AckFc.Core.Reporting.HtmlReportRenderer;

namespace AckFc.Core.Reporting;

/// <summary>
/// The inline SVG charts of the HTML report. Drawn on the server from the report's summary: the page stays
/// self-contained and the charts need no script.
/// </summary>
internal static class HtmlCharts
{
    /// <summary>The three charts of the summary: clusters by status, failed findings by severity, keys pending deletion.</summary>
    public static void Write(StringBuilder html, ComplianceReport report)
    {
        html.Append("<section class=\"charts\">\n");

        // Clusters by status: a donut drawn with dash offsets on one circle per status.
        html.Append("<figure class=\"panel\" id=\"chart-status\"><figcaption>Clusters by status</figcaption><div class=\"donut\">");
        var counts = Statuses.Select(x => (x.Label, x.Colour, Count: CountStatus(report.Summary, x.Status))).ToList();
        var total = counts.Sum(c => c.Count);
        const double radius = 60;
        var circumference = 2 * Math.PI * radius;
        html.Append("<svg viewBox=\"0 0 160 160\" width=\"160\" height=\"160\" role=\"img\" aria-label=\"Clusters by status\">");
        html.Append("<circle cx=\"80\" cy=\"80\" r=\"60\" fill=\"none\" stroke=\"#e8eaed\" stroke-width=\"22\"/>");
        var offset = 0.0;
        foreach (var (label, colour, count) in counts.Where(c => c.Count > 0))
        {
            var length = circumference * count / total;
            html.Append(Inv, $"<circle cx=\"80\" cy=\"80\" r=\"60\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"22\" stroke-dasharray=\"{length:0.##} {circumference - length:0.##}\" stroke-dashoffset=\"{-offset:0.##}\" transform=\"rotate(-90 80 80)\"><title>{Escape(label)}: {count}</title></circle>");
            offset += length;
        }

        html.Append(Inv, $"<text x=\"80\" y=\"78\" text-anchor=\"middle\" class=\"big\">{total}</text><text x=\"80\" y=\"98\" text-anchor=\"middle\" class=\"small\">clusters</text></svg>");
        html.Append("<ul class=\"legend\">");
        foreach (var (label, colour, count) in counts)
        {
            html.Append("<li><i style=\"background:").Append(colour).Append("\"></i>").Append(Escape(label)).Append("<b>").Append(count.ToString(Inv)).Append("</b></li>");
        }

        html.Append("</ul></div></figure>\n");

        // Failed findings by severity: horizontal bars.
        html.Append("<figure class=\"panel\" id=\"chart-severity\"><figcaption>Failed findings by severity</figcaption>");
        var bySeverity = Severities.Select(x => (Name: JsonNames.Of(x.Severity), x.Colour, Count: report.Summary.FailedFindingsBySeverity.GetValueOrDefault(JsonNames.Of(x.Severity)))).ToList();
        var max = Math.Max(1, bySeverity.Max(b => b.Count));
        html.Append("<svg viewBox=\"0 0 320 160\" width=\"100%\" role=\"img\" aria-label=\"Failed findings by severity\">");
        var y = 8;
        foreach (var (name, colour, count) in bySeverity)
        {
            var width = 190.0 * count / max;
            html.Append(Inv, $"<text x=\"0\" y=\"{y + 15}\" class=\"small\">{Escape(name)}</text>");
            html.Append(Inv, $"<rect x=\"70\" y=\"{y + 2}\" width=\"190\" height=\"18\" rx=\"4\" fill=\"#f1f3f4\"/>");
            if (count > 0)
            {
                html.Append(Inv, $"<rect x=\"70\" y=\"{y + 2}\" width=\"{Math.Max(3, width):0.##}\" height=\"18\" rx=\"4\" fill=\"{colour}\"><title>{Escape(name)}: {count}</title></rect>");
            }

            html.Append(Inv, $"<text x=\"268\" y=\"{y + 15}\" class=\"small strong\">{count}</text>");
            y += 30;
        }

        html.Append("</svg></figure>\n");

        // Keys pending deletion: how much of the last 30 days is already gone.
        html.Append("<figure class=\"panel\" id=\"chart-countdown\"><figcaption>Keys in use pending deletion</figcaption>");
        var keys = report.Summary.KeysPendingDeletion;
        if (keys.Count == 0)
        {
            html.Append("<p class=\"empty\">No key used by a cluster is pending deletion.</p>");
        }
        else
        {
            var shown = keys.Take(6).ToList();
            html.Append(Inv, $"<svg viewBox=\"0 0 320 {(shown.Count * 40) + 4}\" width=\"100%\" role=\"img\" aria-label=\"Countdown of keys pending deletion\">");
            var row = 0;
            foreach (var key in shown)
            {
                var top = (row * 40) + 2;
                var urgency = Math.Clamp((30.0 - key.DaysUntilDeletion) / 30.0, 0.04, 1);
                var colour = key.DaysUntilDeletion <= 1 ? "#a50e0e" : key.DaysUntilDeletion <= 7 ? "#d93025" : "#e37400";
                var users = key.Clusters == 1 ? "1 cluster" : $"{key.Clusters} clusters";
                html.Append(Inv, $"<text x=\"0\" y=\"{top + 11}\" class=\"small mono\">{Escape(Short(key.KmsKeyId, 34))}</text>");
                html.Append(Inv, $"<text x=\"320\" y=\"{top + 11}\" text-anchor=\"end\" class=\"small strong\" fill=\"{colour}\">{Escape(key.DaysUntilDeletion <= 0 ? "today" : ReportComparer.Days(key.DaysUntilDeletion))} · {Escape(users)}</text>");
                html.Append(Inv, $"<rect x=\"0\" y=\"{top + 17}\" width=\"320\" height=\"10\" rx=\"5\" fill=\"#f1f3f4\"/>");
                html.Append(Inv, $"<rect x=\"0\" y=\"{top + 17}\" width=\"{320 * urgency:0.##}\" height=\"10\" rx=\"5\" fill=\"{colour}\"><title>{Escape(ReportDigest.Countdown(key))}</title></rect>");
                row++;
            }

            html.Append("</svg>");
            if (keys.Count > shown.Count)
            {
                html.Append("<p class=\"empty\">… and ").Append((keys.Count - shown.Count).ToString(Inv)).Append(" more</p>");
            }
        }

        html.Append("</figure>\n</section>\n");
    }

    /// <summary>
    /// The trend: failing, unknown and passing clusters of the last sweeps as stacked bars (oldest left, this sweep
    /// right), with the same numbers in a table behind a <c>&lt;details&gt;</c> for screen readers and copying. The first
    /// sweep gets a sentence instead, and a trend that could not be read a note.
    /// </summary>
    public static void WriteTrend(StringBuilder html, ReportTrend trend)
    {
        ArgumentNullException.ThrowIfNull(trend);
        var points = trend.Points;
        html.Append("<section class=\"panel\" id=\"trend\"><h2>Trend");
        if (points.Count > 1)
        {
            html.Append(" <small>last ").Append(points.Count.ToString(Inv)).Append(" sweeps</small>");
        }

        html.Append("</h2>");
        if (trend.Unavailable)
        {
            html.Append("<p class=\"empty\" id=\"trend-note\">The trend of earlier sweeps could not be read for this report; the next report tries again.</p></section>\n");
            return;
        }

        if (!trend.Current.FullScope)
        {
            html.Append("<p class=\"empty\" id=\"trend-partial\">This sweep covered part of the configured scope, so it is not in the trend, which shows sweeps of the whole fleet.</p>");
        }

        if (points.Count == 0)
        {
            html.Append("<p class=\"empty\" id=\"trend-note\">No sweep of the whole configured scope is kept yet: the trend starts with the first one.</p></section>\n");
            return;
        }

        if (points.Count == 1 && points[0] == trend.Current)
        {
            html.Append("<p class=\"empty\" id=\"trend-note\">The trend starts with this sweep: later reports chart failing, unknown and passing clusters over the last ")
                .Append(ReportTrend.Length.ToString(Inv)).Append(" sweeps.</p></section>\n");
            return;
        }

        var series = TrendSeries();
        var label = $"Failing, unknown and passing clusters in the last {points.Count} sweeps, oldest first";
        const double left = 34, right = 632, top = 10, bottom = 160;
        var max = Math.Max(1, points.Max(p => p.Fail + p.Unknown + p.Pass));
        var slot = (right - left) / points.Count;
        var width = Math.Min(slot * 0.7, 36);
        html.Append("<figure style=\"margin:0\"><svg id=\"trend-chart\" viewBox=\"0 0 640 190\" width=\"100%\" role=\"img\" aria-label=\"").Append(Escape(label)).Append("\">");
        html.Append("<title>").Append(Escape(label)).Append("</title>");
        foreach (var (value, y) in new[] { (max, top), (0, bottom) })
        {
            html.Append(Inv, $"<line x1=\"{left}\" y1=\"{y}\" x2=\"{right}\" y2=\"{y}\" stroke=\"#e8eaed\"/>");
            html.Append(Inv, $"<text x=\"{left - 6}\" y=\"{y + 4}\" text-anchor=\"end\" class=\"small\">{value}</text>");
        }

        for (var i = 0; i < points.Count; i++)
        {
            var point = points[i];
            var x = left + (i * slot) + ((slot - width) / 2);
            var current = point == trend.Current;
            html.Append("<g class=\"trend-bar\" data-sweep=\"").Append(Escape(point.SweepId)).Append('"')
                .Append(Inv, $" data-fail=\"{point.Fail}\" data-unknown=\"{point.Unknown}\" data-pass=\"{point.Pass}\"");
            if (current)
            {
                html.Append(" data-current=\"true\"");
            }

            if (!point.Complete)
            {
                html.Append(" fill-opacity=\"0.55\"");
            }

            html.Append("><title>").Append(Escape(TrendTitle(point, current))).Append("</title>");
            var y = bottom;
            foreach (var (_, colour, count) in series.Select(s => (s.Label, s.Colour, s.Count(point))))
            {
                if (count == 0)
                {
                    continue;
                }

                var height = (bottom - top) * count / max;
                y -= height;
                html.Append(Inv, $"<rect x=\"{x:0.##}\" y=\"{y:0.##}\" width=\"{width:0.##}\" height=\"{height:0.##}\" fill=\"{colour}\"/>");
            }

            if (point.Fail + point.Unknown + point.Pass == 0)
            {
                // A sweep of no judged cluster still shows as a point on the baseline.
                html.Append(Inv, $"<rect x=\"{x:0.##}\" y=\"{bottom - 2}\" width=\"{width:0.##}\" height=\"2\" fill=\"#80868b\"/>");
            }

            if (current)
            {
                html.Append(Inv, $"<path d=\"M{x + (width / 2) - 5:0.##} {bottom + 10} h10 l-5 -6 z\" fill=\"#1a73e8\"/>");
            }

            html.Append("</g>");
        }

        html.Append(Inv, $"<text x=\"{left}\" y=\"182\" class=\"small\">{Escape(Day(points[0].SweepTime))}</text>");
        html.Append(Inv, $"<text x=\"{right}\" y=\"182\" text-anchor=\"end\" class=\"small\">{Escape(Day(points[^1].SweepTime))}</text>");
        html.Append("</svg><ul class=\"legend\" style=\"display:flex;flex-wrap:wrap;gap:4px 18px\">");
        foreach (var (seriesLabel, colour, _) in series)
        {
            html.Append("<li><i style=\"background:").Append(colour).Append("\"></i>").Append(Escape(seriesLabel)).Append("</li>");
        }

        html.Append("</ul></figure>");
        html.Append("<details><summary>The trend as a table</summary><div class=\"scroll\"><table class=\"plain\" id=\"trend-table\"><thead><tr>")
            .Append("<th>Sweep time (UTC)</th><th>Sweep</th><th>Failing</th><th>Unknown</th><th>Passing</th></tr></thead><tbody>");
        foreach (var point in points)
        {
            html.Append("<tr data-sweep=\"").Append(Escape(point.SweepId)).Append("\"><td><time datetime=\"").Append(Escape(point.SweepTime.ToString("O", Inv))).Append("\">")
                .Append(Escape(point.SweepTime.UtcDateTime.ToString("yyyy-MM-dd HH:mm", Inv))).Append("</time></td><td><code>").Append(Escape(point.SweepId)).Append("</code>");
            if (point == trend.Current)
            {
                html.Append(" <span class=\"muted\">this sweep</span>");
            }

            if (!point.Complete)
            {
                html.Append(" <span class=\"muted\">incomplete</span>");
            }

            html.Append(Inv, $"</td><td>{point.Fail}</td><td>{point.Unknown}</td><td>{point.Pass}</td></tr>");
        }

        html.Append("</tbody></table></div></details></section>\n");
    }

    /// <summary>The stacked series from the baseline up, in the colours of the status donut.</summary>
    private static (string Label, string Colour, Func<TrendPoint, int> Count)[] TrendSeries() =>
    [
        ("Failing", Colour(FindingStatus.Fail), p => p.Fail),
        ("Unknown", Colour(FindingStatus.Unknown), p => p.Unknown),
        ("Passing", Colour(FindingStatus.Pass), p => p.Pass),
    ];

    private static string Colour(FindingStatus status) => Statuses.First(s => s.Status == status).Colour;

    private static string Day(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd", Inv);

    private static string TrendTitle(TrendPoint point, bool current) =>
        $"{point.SweepTime.UtcDateTime.ToString("yyyy-MM-dd HH:mm", Inv)} UTC · {point.SweepId}{(current ? " (this sweep)" : string.Empty)}: "
        + $"{point.Fail} failing, {point.Unknown} unknown, {point.Pass} passing{(point.Complete ? string.Empty : " (incomplete sweep)")}";

    private static int CountStatus(ReportSummary summary, FindingStatus status) => status switch
    {
        FindingStatus.Fail => summary.Fail,
        FindingStatus.Unknown => summary.Unknown,
        FindingStatus.Waived => summary.Waived,
        FindingStatus.Pass => summary.Pass,
        _ => summary.NotApplicable,
    };
}
