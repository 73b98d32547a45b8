using System.Globalization;
using System.Text;
using AckFc.Core.Compliance;
using AckFc.Core.Rules;

namespace AckFc.Core.Reporting;

/// <summary>
/// The chat digest as Markdown (<c>report.md</c>, DingTalk): headline, key countdowns, the worst items first,
/// "… and N more" past the cap, and a link to the full report. Names from the cloud are escaped so a cluster
/// name cannot add links or formatting.
/// </summary>
internal static class MarkdownReportRenderer
{
    /// <summary>Default cap of the rendered text, below the smallest chat limit we send to.</summary>
    public const int DefaultMaxLength = 3500;

    /// <summary>Renders the digest; items that would push the text past <paramref name="maxLength"/> are counted in "… and N more".</summary>
    public static string Render(ReportDigest digest, int maxLength = DefaultMaxLength)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var head = new StringBuilder();
        head.Append("### ").Append(Escape(digest.Headline)).Append('\n').Append('\n');
        head.Append(CultureInfo.InvariantCulture,
            $"Sweep `{Code(digest.SweepId)}` finished {digest.FinishedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC: ");
        head.Append(CultureInfo.InvariantCulture,
            $"**{digest.Summary.Fail} fail**, {digest.Summary.Pass} pass, {digest.Summary.Unknown} unknown, {digest.Summary.NotApplicable} n/a, {digest.Summary.Waived} waived.");
        if (!digest.Complete)
        {
            head.Append(" **Incomplete sweep.**");
        }

        if (digest.ErrorCount > 0)
        {
            head.Append(CultureInfo.InvariantCulture, $" {digest.ErrorCount} error(s).");
        }

        head.Append('\n').Append('\n');
        foreach (var key in digest.Summary.KeysPendingDeletion.Take(3))
        {
            head.Append("> ⏳ ").Append(Escape(ReportDigest.Countdown(key))).Append('\n');
        }

        if (digest.Summary.KeysPendingDeletion.Count > 0)
        {
            head.Append('\n');
        }

        var tail = digest.ReportUrl is { } url ? $"\n[Full report]({url.AbsoluteUri.Replace(")", "%29", StringComparison.Ordinal)})\n" : string.Empty;
        var lines = digest.Items.Select(Line).ToList();
        var more = digest.More;
        var body = new StringBuilder();
        for (var i = 0; i < lines.Count; i++)
        {
            var moreLine = MoreLine(more + lines.Count - i - 1);
            if (head.Length + body.Length + lines[i].Length + moreLine.Length + tail.Length > maxLength)
            {
                more += lines.Count - i;
                break;
            }

            body.Append(lines[i]);
        }

        if (digest.Items.Count == 0)
        {
            body.Append("No failing findings.\n");
        }

        return head.Append(body).Append(MoreLine(more)).Append(tail).ToString();
    }

    private static string MoreLine(int more) => more > 0 ? $"\n… and {more} more\n" : string.Empty;

    private static string Line(DigestItem item)
    {
        var f = item.Finding;
        var rule = RuleCatalog.IsKnown(f.RuleId) ? RuleCatalog.Get(f.RuleId) : null;
        var config = f.CloudConfigRule ?? rule?.CloudConfigRule;
        var text = new StringBuilder();
        text.Append("- ").Append(Icon(item.Kind, f.Severity)).Append(" **").Append(JsonNames.Of(f.Severity)).Append("** ")
            .Append(ReportDigest.Label(item.Kind)).Append(" · ")
            .Append(Escape(item.ClusterName)).Append(" (`").Append(Code(item.ClusterId)).Append("`, ").Append(Escape(item.RegionId)).Append(") · `")
            .Append(Code(f.RuleId)).Append('`');
        if (config is not null)
        {
            text.Append(" / `").Append(Code(config)).Append('`');
        }

        text.Append(": ").Append(Escape(f.Message));
        if (item.Why is { } why)
        {
            text.Append(" _(").Append(Escape(why)).Append(")_");
        }

        return text.Append('\n').ToString();
    }

    private static string Icon(DigestItemKind kind, Severity severity) => kind switch
    {
        DigestItemKind.Resolved => "✅",
        _ when severity >= Severity.Critical => "🔴",
        _ when severity >= Severity.High => "🟠",
        _ when severity >= Severity.Medium => "🟡",
        _ => "🔵",
    };

    /// <summary>
    /// Escapes Markdown punctuation and flattens line breaks, so untrusted text stays plain text; control and bidi
    /// characters are spelled out, URLs defanged and broadcast mentions made inert (<see cref="VisibleText.ForChat"/>).
    /// </summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        text = VisibleText.ForChat(text);
        var builder = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            // Untrusted text never starts a line, so block markers (#, -, 1.) need no escape; these make inline markup.
            if (c is '\\' or '`' or '*' or '_' or '[' or ']' or '|' or '<' or '>' or '~' or '&')
            {
                builder.Append('\\');
            }

            builder.Append(c is '\r' or '\n' or '\t' ? ' ' : c);
        }

        return builder.ToString();
    }

    // Inside a code span only a backtick (or a line break) can break out.
    private static string Code(string text) => VisibleText.ForChat(text).Replace('`', '\'').Replace('\n', ' ').Replace('\r', ' ');
}
