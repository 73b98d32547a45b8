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

    private static int CountStatus(ReportSummary summary, FindingStatus status) => status switch
    {
        FindingStatus.Fail => summary.Fail,
        FindingStatus.Unknown => summary.Unknown,
        FindingStatus.Waived => summary.Waived,
        FindingStatus.Pass => summary.Pass,
        _ => summary.NotApplicable,
    };
}
