using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AckFc.Core.Compliance;

namespace AckFc.Core.Reporting;

/// <summary>What a sweep tells the channels.</summary>
internal sealed record Notification(ComplianceReport Report, ReportChanges? Changes, ReportDigest Digest);

/// <summary>Which channels took the notification, and the report errors of those that did not.</summary>
internal sealed record NotificationOutcome(IReadOnlyList<string> Delivered, IReadOnlyList<ReportError> Errors);

/// <summary>One configured chat or webhook destination.</summary>
internal abstract class NotificationChannel(string name, string displayName, Uri endpoint, params string?[] secrets)
{
    /// <summary>Stable name recorded in the report set's state (<c>dingtalk</c>, <c>lark</c>, <c>slack</c>, <c>webhook</c>).</summary>
    public string Name { get; } = name;

    public string DisplayName { get; } = displayName;

    public Uri Endpoint { get; } = endpoint;

    /// <summary>The endpoint as it may appear in logs and errors: scheme and host only (paths and queries carry tokens).</summary>
    public string SafeEndpoint => $"{Endpoint.Scheme}://{Endpoint.Authority}/…";

    /// <summary>A fresh request per attempt: signatures carry the time of sending.</summary>
    public abstract HttpRequestMessage CreateRequest(Notification notification, DateTimeOffset now);

    /// <summary>A key-guard alert (kind <c>guard</c>) for this channel, signed as the channel signs everything.</summary>
    public abstract HttpRequestMessage CreateGuardRequest(GuardAlert alert, DateTimeOffset now);

    /// <summary>
    /// Null when the endpoint accepted the message; otherwise why not (the status and the start of the answer, which
    /// chat APIs use to say what is wrong), and whether trying again can help.
    /// </summary>
    public virtual (string Failure, bool Retry)? Check(HttpStatusCode status, string body) =>
        (int)status is >= 200 and < 300 ? null : ($"HTTP {(int)status}{Excerpt(body)}", Retryable(status));

    /// <summary>": " and the first 200 characters of an answer, redacted, on one line; empty for an empty answer.</summary>
    protected string Excerpt(string? body)
    {
        var text = VisibleText.Of(Redact(body ?? string.Empty)).Replace('\r', ' ').Replace('\n', ' ').Trim();
        return text.Length == 0 ? string.Empty : ": " + (text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 199), "…"));
    }

    protected static bool Retryable(HttpStatusCode status) => (int)status >= 500 || status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;

    /// <summary>
    /// Removes anything secret (the URL's path and query, secrets) from text before it is logged or reported. Chat
    /// APIs echo tokens back in their own way (lower-cased, cut short, inside a longer message), so beyond the exact
    /// strings every distinctive piece — a secret, a query value, a path segment that looks like a token — is
    /// removed wherever 8 or more of its characters appear in a row, in any letter case.
    /// </summary>
    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var redacted = text;
        foreach (var value in new[] { Endpoint.OriginalString, Endpoint.AbsoluteUri, Endpoint.PathAndQuery, Endpoint.Query.TrimStart('?'), Endpoint.AbsolutePath }
                     .Concat(secrets).Concat(Endpoint.Segments.Select(s => s.Trim('/'))).Concat(QueryValues()))
        {
            if (value is { Length: >= 6 })
            {
                redacted = redacted.Replace(value, "***", StringComparison.OrdinalIgnoreCase);
            }
        }

        foreach (var piece in DistinctivePieces)
        {
            redacted = RedactPieces(redacted, piece);
        }

        return redacted;
    }

    /// <summary>The shortest run of a secret's characters that is redacted where it appears.</summary>
    internal const int PartialEchoLength = 8;

    private IReadOnlyList<string> DistinctivePieces => distinctivePieces ??=
    [
        .. secrets.OfType<string>()
            .Concat(QueryValues())
            .Concat(Endpoint.Segments.Select(s => Uri.UnescapeDataString(s.Trim('/'))).Where(s => s.Length >= 16 || s.Any(char.IsAsciiDigit)))
            .Where(s => s.Length >= 6)
            .Distinct(StringComparer.OrdinalIgnoreCase),
    ];

    private IReadOnlyList<string>? distinctivePieces;

    /// <summary>
    /// Replaces every run of <see cref="PartialEchoLength"/> or more characters of <paramref name="secret"/> (the
    /// whole secret when it is shorter than 12) found in <paramref name="text"/>, ignoring case, with <c>***</c>.
    /// </summary>
    internal static string RedactPieces(string text, string secret)
    {
        var min = secret.Length >= 12 ? PartialEchoLength : secret.Length;
        if (text.Length < min)
        {
            return text;
        }

        StringBuilder? builder = null;
        var copied = 0;
        var i = 0;
        while (i <= text.Length - min)
        {
            var longest = 0;
            for (var j = 0; j <= secret.Length - min; j++)
            {
                var n = 0;
                while (i + n < text.Length && j + n < secret.Length && char.ToLowerInvariant(text[i + n]) == char.ToLowerInvariant(secret[j + n]))
                {
                    n++;
                }

                longest = Math.Max(longest, n);
            }

            if (longest >= min)
            {
                builder ??= new StringBuilder(text.Length);
                builder.Append(text, copied, i - copied).Append("***");
                i += longest;
                copied = i;
            }
            else
            {
                i++;
            }
        }

        return builder is null ? text : builder.Append(text, copied, text.Length - copied).ToString();
    }

    private IEnumerable<string> QueryValues() =>
        Endpoint.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2) is [_, var v] ? v : p)
            .SelectMany(v => new[] { v, Uri.UnescapeDataString(v) });

    protected static HttpRequestMessage Post(Uri uri, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("AckFc", "1.0"));
        return request;
    }

    /// <summary>Reads <c>{"errcode":…}</c> / <c>{"code":…}</c> style answers of chat APIs that say failure with HTTP 200.</summary>
    protected static (long? Code, string? Message) ApiCode(string body, string codeName, string messageName)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            long? code = root.TryGetProperty(codeName, out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt64() : null;
            var message = root.TryGetProperty(messageName, out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            return (code, message);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }
}
