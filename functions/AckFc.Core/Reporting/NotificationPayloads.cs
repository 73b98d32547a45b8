using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AckFc.Core.Compliance;
using AckFc.Core.Judging;

namespace AckFc.Core.Reporting;

/// <summary>
/// The bodies and signatures each channel expects. Pure functions of the digest, so tests can check them against
/// the channels' documentation without a network.
/// </summary>
internal static class NotificationPayloads
{
    private static readonly JsonWriterOptions Writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// DingTalk custom robot signature: HMAC-SHA256 keyed with the secret over "<c>timestamp</c>\n<c>secret</c>"
    /// (timestamp in milliseconds), Base64, then URL-encoded for the <c>sign</c> query parameter.
    /// </summary>
    public static string DingTalkSign(long timestampMilliseconds, string secret)
    {
        var key = Encoding.UTF8.GetBytes(secret);
        var message = Encoding.UTF8.GetBytes(timestampMilliseconds.ToString(Inv) + "\n" + secret);
        return Uri.EscapeDataString(Convert.ToBase64String(HMACSHA256.HashData(key, message)));
    }

    /// <summary>
    /// Lark / Feishu custom bot signature: "<c>timestamp</c>\n<c>secret</c>" (timestamp in seconds) is the HMAC-SHA256
    /// <em>key</em>, the message is empty; the result is Base64 in the body's <c>sign</c>.
    /// </summary>
    public static string LarkSign(long timestampSeconds, string secret) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(timestampSeconds.ToString(Inv) + "\n" + secret), Array.Empty<byte>()));

    /// <summary>DingTalk: a markdown message.</summary>
    public static byte[] DingTalk(ReportDigest digest) => Json(json =>
    {
        json.WriteString("msgtype", "markdown");
        json.WriteStartObject("markdown");
        json.WriteString("title", digest.Headline);
        json.WriteString("text", MarkdownReportRenderer.Render(digest));
        json.WriteEndObject();
    });

    /// <summary>Lark: a signed interactive card whose text is plain text (nothing in it is interpreted).</summary>
    public static byte[] Lark(ReportDigest digest, long? timestampSeconds, string? sign) => LarkCard(
        timestampSeconds, sign, digest.Summary.Fail > 0 ? "red" : digest.Summary.Unknown > 0 ? "orange" : "green",
        digest.Headline, PlainText(digest), digest.ReportUrl);

    /// <summary>
    /// A Lark interactive card: the signature fields when signed, a coloured header, one plain-text block and, with a
    /// link, a "Full report" button. Every Lark notification (report or guard alert) has this shape.
    /// </summary>
    internal static byte[] LarkCard(long? timestampSeconds, string? sign, string template, string title, string text, Uri? link) => Json(json =>
    {
        if (timestampSeconds is { } ts && sign is not null)
        {
            json.WriteString("timestamp", ts.ToString(Inv));
            json.WriteString("sign", sign);
        }

        json.WriteString("msg_type", "interactive");
        json.WriteStartObject("card");
        json.WriteStartObject("config");
        json.WriteBoolean("wide_screen_mode", true);
        json.WriteEndObject();
        json.WriteStartObject("header");
        json.WriteString("template", template);
        json.WriteStartObject("title");
        json.WriteString("tag", "plain_text");
        json.WriteString("content", title);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartArray("elements");
        json.WriteStartObject();
        json.WriteString("tag", "div");
        json.WriteStartObject("text");
        json.WriteString("tag", "plain_text");
        json.WriteString("content", text);
        json.WriteEndObject();
        json.WriteEndObject();
        if (link is { } url)
        {
            json.WriteStartObject();
            json.WriteString("tag", "action");
            json.WriteStartArray("actions");
            json.WriteStartObject();
            json.WriteString("tag", "button");
            json.WriteStartObject("text");
            json.WriteString("tag", "plain_text");
            json.WriteString("content", "Full report");
            json.WriteEndObject();
            json.WriteString("type", "primary");
            json.WriteString("url", url.AbsoluteUri);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    });

    /// <summary>Slack: Block Kit (header, mrkdwn sections, context link) with a plain <c>text</c> fallback.</summary>
    public static byte[] Slack(ReportDigest digest) => Json(json =>
    {
        json.WriteString("text", digest.Headline);
        json.WriteStartArray("blocks");
        Block(json, "header", "plain_text", Cap(digest.Headline, 150));
        var summary = new StringBuilder();
        summary.Append(Inv, $"*{digest.Summary.Fail} fail* · {digest.Summary.Pass} pass · {digest.Summary.Unknown} unknown · {digest.Summary.NotApplicable} n/a · {digest.Summary.Waived} waived");
        if (!digest.Complete) summary.Append(" · *incomplete sweep*");
        if (digest.ErrorCount > 0) summary.Append(Inv, $" · {digest.ErrorCount} error(s)");
        foreach (var key in digest.Summary.KeysPendingDeletion.Take(3))
        {
            summary.Append("\n:hourglass_flowing_sand: ").Append(SlackEscape(ReportDigest.Countdown(key)));
        }

        Block(json, "section", "mrkdwn", Cap(summary.ToString(), 3000));
        var items = new StringBuilder();
        foreach (var item in digest.Items)
        {
            var f = item.Finding;
            var line = new StringBuilder();
            line.Append("• *").Append(JsonNames.Of(f.Severity)).Append("* ").Append(ReportDigest.Label(item.Kind)).Append(" · ")
                .Append(SlackEscape(item.ClusterName)).Append(" (`").Append(SlackCode(item.ClusterId)).Append("`, ").Append(SlackEscape(item.RegionId))
                .Append(") · `").Append(SlackCode(f.RuleId)).Append('`');
            if (CsvReportRenderer.CloudConfigRule(f) is { } config) line.Append(" / `").Append(SlackCode(config)).Append('`');
            line.Append(": ").Append(SlackEscape(f.Message));
            if (item.Why is { } why) line.Append(" _(").Append(SlackEscape(why)).Append(")_");
            line.Append('\n');
            if (items.Length + line.Length > 2900)
            {
                break;
            }

            items.Append(line);
        }

        var shownItems = items.ToString().Count(c => c == '•');
        var more = digest.More + digest.Items.Count - shownItems;
        if (more > 0) items.Append(Inv, $"… and {more} more");
        Block(json, "section", "mrkdwn", items.Length == 0 ? "No failing findings." : items.ToString());
        json.WriteStartObject();
        json.WriteString("type", "context");
        json.WriteStartArray("elements");
        json.WriteStartObject();
        json.WriteString("type", "mrkdwn");
        json.WriteBoolean("verbatim", true);
        var context = $"Sweep `{SlackCode(digest.SweepId)}`";
        if (digest.ReportUrl is { } url) context += $" · <{url.AbsoluteUri.Replace("|", "%7C", StringComparison.Ordinal).Replace(">", "%3E", StringComparison.Ordinal)}|Full report>";
        json.WriteString("text", context);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
    });

    /// <summary>The generic webhook's JSON digest: summary, every change (capped at 500 per kind), the digest items.</summary>
    public static byte[] Webhook(ComplianceReport report, ReportChanges? changes, ReportDigest digest) => Json(json =>
    {
        json.WriteString("type", "ackfc.report.digest");
        json.WriteNumber("schemaVersion", 1);
        json.WriteString("sweepId", VisibleText.Of(report.SweepId));
        json.WriteString("finishedAt", report.FinishedAt);
        json.WriteBoolean("complete", report.Complete);
        json.WriteString("mode", report.Mode == SweepMode.Remediate ? "remediate" : "report");
        json.WriteString("headline", digest.Headline);
        if (digest.ReportUrl is { } url) json.WriteString("reportUrl", url.AbsoluteUri); else json.WriteNull("reportUrl");
        json.WriteStartObject("summary");
        json.WriteNumber("clusters", report.Summary.Clusters);
        json.WriteNumber("fail", report.Summary.Fail);
        json.WriteNumber("pass", report.Summary.Pass);
        json.WriteNumber("unknown", report.Summary.Unknown);
        json.WriteNumber("notApplicable", report.Summary.NotApplicable);
        json.WriteNumber("waived", report.Summary.Waived);
        json.WriteStartObject("failedFindingsBySeverity");
        foreach (var (severity, count) in report.Summary.FailedFindingsBySeverity) json.WriteNumber(severity, count);
        json.WriteEndObject();
        json.WriteStartArray("keysPendingDeletion");
        foreach (var key in report.Summary.KeysPendingDeletion)
        {
            json.WriteStartObject();
            json.WriteString("kmsKeyId", VisibleText.Of(key.KmsKeyId));
            json.WriteNumber("daysUntilDeletion", key.DaysUntilDeletion);
            json.WriteNumber("clusters", key.Clusters);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteNumber("errors", report.Errors.Count);
        if (changes is null)
        {
            json.WriteNull("changes");
        }
        else
        {
            json.WriteStartObject("changes");
            Changes(json, "new", changes.New);
            Changes(json, "resolved", changes.Resolved);
            Changes(json, "escalated", changes.Escalated);
            json.WriteEndObject();
        }

        json.WriteStartArray("items");
        foreach (var item in digest.Items) Change(json, ReportDigest.Label(item.Kind), item.ClusterId, item.ClusterName, item.RegionId, item.Finding, item.Why);
        json.WriteEndArray();
        json.WriteNumber("moreItems", digest.More);
    });

    /// <summary>The digest as plain text (Lark card body, logs).</summary>
    public static string PlainText(ReportDigest digest)
    {
        var text = new StringBuilder();
        text.Append(Inv, $"{digest.Summary.Fail} fail, {digest.Summary.Pass} pass, {digest.Summary.Unknown} unknown, {digest.Summary.NotApplicable} n/a, {digest.Summary.Waived} waived");
        if (!digest.Complete) text.Append(" (incomplete sweep)");
        if (digest.ErrorCount > 0) text.Append(Inv, $", {digest.ErrorCount} error(s)");
        text.Append('\n');
        foreach (var key in digest.Summary.KeysPendingDeletion.Take(3)) text.Append("⏳ ").Append(Plain(ReportDigest.Countdown(key))).Append('\n');
        foreach (var item in digest.Items)
        {
            var f = item.Finding;
            text.Append("• ").Append(JsonNames.Of(f.Severity).ToUpperInvariant()).Append(' ').Append(ReportDigest.Label(item.Kind)).Append(" · ")
                .Append(Plain(item.ClusterName)).Append(" (").Append(Plain(item.ClusterId)).Append(", ").Append(Plain(item.RegionId)).Append(") · ").Append(Plain(f.RuleId));
            if (CsvReportRenderer.CloudConfigRule(f) is { } config) text.Append(" / ").Append(Plain(config));
            text.Append(": ").Append(Plain(f.Message));
            if (item.Why is { } why) text.Append(" (").Append(Plain(why)).Append(')');
            text.Append('\n');
        }

        if (digest.More > 0) text.Append(Inv, $"… and {digest.More} more\n");
        text.Append("Sweep ").Append(Plain(digest.SweepId));
        return text.ToString();
    }

    private static void Changes(Utf8JsonWriter json, string name, IReadOnlyList<FindingChange> changes)
    {
        json.WriteStartArray(name);
        foreach (var c in changes.Take(500)) Change(json, name, c.ClusterId, c.ClusterName, c.RegionId, c.Finding, c.Why);
        json.WriteEndArray();
    }

    private static void Change(Utf8JsonWriter json, string kind, string clusterId, string clusterName, string regionId, Finding f, string? why)
    {
        json.WriteStartObject();
        // Text from the cloud with its control and bidi characters spelled out: the receiver may show it to a person.
        json.WriteString("kind", kind);
        json.WriteString("clusterId", VisibleText.Of(clusterId));
        json.WriteString("clusterName", VisibleText.Of(clusterName));
        json.WriteString("regionId", VisibleText.Of(regionId));
        json.WriteString("ruleId", VisibleText.Of(f.RuleId));
        if (CsvReportRenderer.CloudConfigRule(f) is { } config) json.WriteString("cloudConfigRule", config); else json.WriteNull("cloudConfigRule");
        json.WriteString("status", JsonNames.Of(f.Status));
        json.WriteString("severity", JsonNames.Of(f.Severity));
        json.WriteString("message", VisibleText.Of(f.Message));
        if (f.KmsKeyId is { } key) json.WriteString("kmsKeyId", VisibleText.Of(key)); else json.WriteNull("kmsKeyId");
        if (f.DaysUntilDeletion is { } days) json.WriteNumber("daysUntilDeletion", days); else json.WriteNull("daysUntilDeletion");
        if (why is not null) json.WriteString("why", VisibleText.Of(why)); else json.WriteNull("why");
        json.WriteEndObject();
    }

    private static void Block(Utf8JsonWriter json, string type, string textType, string text)
    {
        json.WriteStartObject();
        json.WriteString("type", type);
        json.WriteStartObject("text");
        json.WriteString("type", textType);
        json.WriteString("text", text);
        if (textType == "mrkdwn")
        {
            // Verbatim: Slack does not turn URLs into links nor parse mentions or channel names in the text.
            json.WriteBoolean("verbatim", true);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>
    /// Untrusted text for Slack mrkdwn: &amp;, &lt; and &gt; escaped (they make links and mentions), control and bidi
    /// characters spelled out, URLs defanged and broadcast mentions inert (<see cref="VisibleText.ForChat"/>), one line.
    /// </summary>
    public static string SlackEscape(string text) =>
        OneLine(VisibleText.ForChat(text)).Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>Text inside a Slack code span: a backtick would end the span, so it becomes an apostrophe.</summary>
    public static string SlackCode(string text) => SlackEscape(text).Replace('`', '\'');

    /// <summary>Untrusted text in a plain-text chat body (Lark): spelled out, defanged, one line.</summary>
    private static string Plain(string? text) => OneLine(VisibleText.ForChat(text));

    private static string OneLine(string text) => text.Replace('\r', ' ').Replace('\n', ' ');

    private static string Cap(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");

    /// <summary>One JSON object written by the callback, with the relaxed escaping chat services expect.</summary>
    internal static byte[] Json(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer, Writer))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
