using System.Globalization;
using System.Text;
using System.Text.Json;
using AckFc.Core.Compliance;
using AckFc.Core.Judging;

namespace AckFc.Core.Reporting;

/// <summary>
/// The bodies of a key-guard alert for each channel. The webhook JSON lists every cluster; chat texts list the first
/// <see cref="ChatClusters"/> and say how many more there are (chat APIs cap message sizes).
/// </summary>
internal static class GuardAlertPayloads
{
    public const int ChatClusters = 50;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The generic webhook: <c>kind: "guard"</c>, signed like the report digest.</summary>
    public static byte[] Webhook(GuardAlert alert) => NotificationPayloads.Json(json =>
    {
        json.WriteString("type", "ackfc.guard.alert");
        json.WriteString("kind", "guard");
        json.WriteNumber("schemaVersion", 1);
        json.WriteString("title", VisibleText.Of(alert.Title));
        json.WriteString("eventId", VisibleText.Of(alert.EventId));
        json.WriteString("eventName", VisibleText.Of(alert.EventName));
        if (alert.EventTime is { } at) json.WriteString("eventTime", at); else json.WriteNull("eventTime");
        json.WriteString("decision", alert.Decision);
        json.WriteBoolean("resolved", alert.Resolved);
        if (alert.Severity is { } severity) json.WriteString("severity", JsonNames.Of(severity)); else json.WriteNull("severity");
        if (alert.RuleId is { } rule) json.WriteString("ruleId", rule); else json.WriteNull("ruleId");
        json.WriteString("reason", VisibleText.Of(alert.Reason));
        json.WriteString("regionId", VisibleText.Of(alert.RegionId));
        if (alert.KmsKeyId is { } key) json.WriteString("kmsKeyId", VisibleText.Of(key)); else json.WriteNull("kmsKeyId");
        if (alert.ClusterId is { } cluster) json.WriteString("clusterId", VisibleText.Of(cluster)); else json.WriteNull("clusterId");
        json.WriteStartObject("who");
        Nullable(json, "type", alert.IdentityType);
        Nullable(json, "userName", alert.UserName);
        Nullable(json, "sourceIpAddress", alert.SourceIpAddress);
        json.WriteEndObject();
        json.WriteStartArray("clusters");
        foreach (var c in alert.Clusters)
        {
            json.WriteStartObject();
            json.WriteString("clusterId", VisibleText.Of(c.ClusterId));
            json.WriteString("name", VisibleText.Of(c.Name));
            json.WriteString("regionId", VisibleText.Of(c.RegionId));
            json.WriteString("status", JsonNames.Of(c.Status));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("actions");
        foreach (var a in alert.Actions)
        {
            json.WriteStartObject();
            json.WriteString("kind", ActionName(a.Kind));
            json.WriteString("status", StatusName(a.Status));
            Nullable(json, "kmsKeyId", a.KmsKeyId);
            Nullable(json, "clusterId", a.ClusterId);
            json.WriteString("reason", VisibleText.Of(a.Reason));
            json.WriteEndObject();
        }

        json.WriteEndArray();
    });

    /// <summary>Slack: a header and one mrkdwn section (verbatim), with the title as the fallback text.</summary>
    public static byte[] Slack(GuardAlert alert) => NotificationPayloads.Json(json =>
    {
        json.WriteString("text", alert.Title);
        json.WriteStartArray("blocks");
        json.WriteStartObject();
        json.WriteString("type", "header");
        json.WriteStartObject("text");
        json.WriteString("type", "plain_text");
        json.WriteString("text", Cap(alert.Title, 150));
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartObject();
        json.WriteString("type", "section");
        json.WriteStartObject("text");
        json.WriteString("type", "mrkdwn");
        json.WriteString("text", Cap(string.Join('\n', Lines(alert, NotificationPayloads.SlackEscape)), 3000));
        json.WriteBoolean("verbatim", true);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndArray();
    });

    /// <summary>DingTalk: a markdown message titled as a key-guard alert.</summary>
    public static byte[] DingTalk(GuardAlert alert) => NotificationPayloads.Json(json =>
    {
        json.WriteString("msgtype", "markdown");
        json.WriteStartObject("markdown");
        json.WriteString("title", alert.Title);
        json.WriteString("text", "### " + MarkdownReportRenderer.Escape(alert.Title) + "\n\n" + string.Join("\n\n", Lines(alert, MarkdownReportRenderer.Escape)));
        json.WriteEndObject();
    });

    /// <summary>Lark: a (signed) card with plain text.</summary>
    public static byte[] Lark(GuardAlert alert, long? timestampSeconds, string? sign) =>
        NotificationPayloads.LarkCard(timestampSeconds, sign, alert.Resolved ? "green" : "red", alert.Title, PlainText(alert), link: null);

    /// <summary>The alert as plain text (Lark, logs).</summary>
    public static string PlainText(GuardAlert alert) => string.Join('\n', Lines(alert, t => VisibleText.ForChat(t).Replace('\r', ' ').Replace('\n', ' ')));

    /// <summary>The lines every chat shows, each piece of untrusted text passed through <paramref name="escape"/>.</summary>
    private static List<string> Lines(GuardAlert alert, Func<string, string> escape)
    {
        var lines = new List<string>
        {
            (alert.Resolved ? "Resolved: " : "Decision: " + alert.Decision + ". ") + escape(alert.Reason),
            $"Event: {escape(alert.EventName)} at {(alert.EventTime is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", Inv) + " UTC" : "an unknown time")} in {escape(alert.RegionId)}",
            $"Who: {escape(alert.IdentityType ?? "unknown")} {escape(alert.UserName ?? "(no user name)")} from {escape(alert.SourceIpAddress ?? "an unknown address")}",
        };
        if (alert.KmsKeyId is { } key) lines.Add("Key: " + escape(key));
        if (alert.RuleId is { } rule) lines.Add($"Rule: {rule}{(alert.Severity is { } s ? " (" + JsonNames.Of(s) + ")" : string.Empty)}");
        lines.Add($"Affected clusters ({alert.Clusters.Count}):");
        foreach (var c in alert.Clusters.Take(ChatClusters))
        {
            lines.Add($"• {escape(c.Name)} ({escape(c.ClusterId)}, {escape(c.RegionId)}): {JsonNames.Of(c.Status)}");
        }

        if (alert.Clusters.Count > ChatClusters)
        {
            lines.Add(string.Create(Inv, $"… and {alert.Clusters.Count - ChatClusters} more (all are in the webhook payload and the audit record)"));
        }

        lines.Add(alert.Actions.Count == 0 ? "Actions: none" : "Actions:");
        foreach (var a in alert.Actions)
        {
            lines.Add($"• {ActionName(a.Kind)} {StatusName(a.Status)}: {escape(a.Reason)}");
        }

        return lines;
    }

    private static string ActionName(RemediationKind kind) => kind switch
    {
        RemediationKind.EnableKey => "enableKey",
        RemediationKind.CancelKeyDeletion => "cancelKeyDeletion",
        RemediationKind.EnableDeletionProtection => "enableDeletionProtection",
        _ => "reEnableEncryption",
    };

    private static string StatusName(RemediationStatus status) => status switch
    {
        RemediationStatus.Applied => "applied",
        RemediationStatus.Skipped => "skipped",
        RemediationStatus.Failed => "failed",
        _ => "planned",
    };

    private static void Nullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name); else json.WriteString(name, VisibleText.Of(value));
    }

    private static string Cap(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");
}
