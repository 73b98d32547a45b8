using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AckFc.Core.Compliance;
using AckFc.Core.Signatures;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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

/// <summary>DingTalk custom robot: markdown message; with a secret, <c>&amp;timestamp=…&amp;sign=…</c> on the URL.</summary>
internal sealed class DingTalkChannel(Uri endpoint, string? secret) : NotificationChannel("dingtalk", "DingTalk", endpoint, secret)
{
    public override HttpRequestMessage CreateRequest(Notification notification, DateTimeOffset now)
    {
        var uri = Endpoint;
        if (secret is not null)
        {
            var timestamp = now.ToUnixTimeMilliseconds();
            var separator = string.IsNullOrEmpty(Endpoint.Query) ? "?" : "&";
            uri = new Uri($"{Endpoint.AbsoluteUri}{separator}timestamp={timestamp}&sign={NotificationPayloads.DingTalkSign(timestamp, secret)}");
        }

        return Post(uri, NotificationPayloads.DingTalk(notification.Digest));
    }

    public override (string Failure, bool Retry)? Check(HttpStatusCode status, string body)
    {
        if (base.Check(status, body) is { } failure)
        {
            return failure;
        }

        // 130101: sending too fast; worth a retry after the backoff.
        var (code, message) = ApiCode(body, "errcode", "errmsg");
        return code is null or 0 ? null : ($"errcode {code}{Excerpt(message)}", code == 130101);
    }
}

/// <summary>Lark / Feishu custom bot: an interactive card; with a secret, <c>timestamp</c> and <c>sign</c> in the body.</summary>
internal sealed class LarkChannel(Uri endpoint, string? secret) : NotificationChannel("lark", "Lark", endpoint, secret)
{
    public override HttpRequestMessage CreateRequest(Notification notification, DateTimeOffset now)
    {
        long? timestamp = secret is null ? null : now.ToUnixTimeSeconds();
        var sign = timestamp is { } ts ? NotificationPayloads.LarkSign(ts, secret!) : null;
        return Post(Endpoint, NotificationPayloads.Lark(notification.Digest, timestamp, sign));
    }

    public override (string Failure, bool Retry)? Check(HttpStatusCode status, string body)
    {
        if (base.Check(status, body) is { } failure)
        {
            return failure;
        }

        var (code, message) = ApiCode(body, "code", "msg");
        if (code is null)
        {
            (code, message) = ApiCode(body, "StatusCode", "StatusMessage");
        }

        // 11232: frequency limited.
        return code is null or 0 ? null : ($"code {code}{Excerpt(message)}", code == 11232);
    }
}

/// <summary>Slack incoming webhook: Block Kit with mrkdwn.</summary>
internal sealed class SlackChannel(Uri endpoint) : NotificationChannel("slack", "Slack", endpoint)
{
    public override HttpRequestMessage CreateRequest(Notification notification, DateTimeOffset now) =>
        Post(Endpoint, NotificationPayloads.Slack(notification.Digest));
}

/// <summary>A generic HTTPS webhook: the JSON digest signed with <c>X-AckFc-Signature</c> (contracts §4).</summary>
internal sealed class WebhookChannel(Uri endpoint, SigningKey key) : NotificationChannel("webhook", "Webhook", endpoint, key.Secret)
{
    public override HttpRequestMessage CreateRequest(Notification notification, DateTimeOffset now)
    {
        var body = NotificationPayloads.Webhook(notification.Report, notification.Changes, notification.Digest);
        var request = Post(Endpoint, body);
        request.Headers.TryAddWithoutValidation(AckFcSignature.HeaderName,
            AckFcSignature.Create(key.KeyId, key.Secret, now.ToUnixTimeSeconds(), "POST", Endpoint.PathAndQuery, body));
        return request;
    }
}

/// <summary>
/// Sends a notification to every configured channel with bounded retries and exponential backoff. Never throws for
/// a channel's failure: it becomes a report error (scope <c>notification</c>) without URL tokens or secrets.
/// </summary>
internal sealed partial class Notifier(
    IHttpClientFactory httpClientFactory, IOptions<ReportingOptions> options, TimeProvider timeProvider, ILogger<Notifier> logger)
{
    public const string HttpClientName = "AckFc.Notifications";

    private readonly Lazy<IReadOnlyList<NotificationChannel>> channels = new(() => CreateChannels(options.Value));

    public IReadOnlyList<NotificationChannel> Channels => channels.Value;

    public static IReadOnlyList<NotificationChannel> CreateChannels(ReportingOptions options)
    {
        var list = new List<NotificationChannel>();
        if (options.DingTalkUrl is { } dingTalk) list.Add(new DingTalkChannel(new Uri(dingTalk), options.DingTalkSecret));
        if (options.LarkUrl is { } lark) list.Add(new LarkChannel(new Uri(lark), options.LarkSecret));
        if (options.SlackUrl is { } slack) list.Add(new SlackChannel(new Uri(slack)));
        if (options.WebhookUrl is { } webhook && SigningKey.TryParse(options.WebhookSecret, out var key)) list.Add(new WebhookChannel(new Uri(webhook), key));
        return list;
    }

    /// <summary>Notifies every channel not in <paramref name="skip"/> (those that already took this sweep).</summary>
    public async Task<NotificationOutcome> NotifyAsync(Notification notification, IReadOnlySet<string> skip, CancellationToken cancellationToken)
    {
        var delivered = new List<string>();
        var errors = new List<ReportError>();
        foreach (var channel in Channels.Where(c => !skip.Contains(c.Name)))
        {
            if (await SendAsync(channel, notification, cancellationToken) is { } error)
            {
                errors.Add(error);
            }
            else
            {
                delivered.Add(channel.Name);
            }
        }

        return new NotificationOutcome(delivered, errors);
    }

    /// <summary>Delivers to one channel with the bounded retries; null when it took the message, else the report error.</summary>
    public async Task<ReportError?> SendAsync(NotificationChannel channel, Notification notification, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var client = httpClientFactory.CreateClient(HttpClientName);
        var failure = "not sent";
        var attempt = 0;
        while (attempt < settings.NotifyAttempts)
        {
            attempt++;
            var retry = true;
            try
            {
                using var request = channel.CreateRequest(notification, timeProvider.GetUtcNow());
                using var response = await client.SendAsync(request, cancellationToken);
                var body = await ReadCappedAsync(response, cancellationToken);
                if (channel.Check(response.StatusCode, body) is not { } rejected)
                {
                    LogDelivered(logger, channel.DisplayName, channel.SafeEndpoint, attempt);
                    return null;
                }

                (failure, retry) = (channel.Redact(rejected.Failure), rejected.Retry);
            }
            catch (HttpRequestException ex)
            {
                failure = ex.StatusCode is { } code ? $"HTTP {(int)code}" : $"request failed ({ex.HttpRequestError})";
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failure = $"timed out after {settings.TimeoutSeconds} s";
            }

            LogAttemptFailed(logger, channel.DisplayName, channel.SafeEndpoint, attempt, failure);
            if (!retry || attempt >= settings.NotifyAttempts)
            {
                break;
            }

            var delay = TimeSpan.FromMilliseconds(settings.RetryDelayMilliseconds * Math.Pow(2, attempt - 1));
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, timeProvider, cancellationToken);
            }
        }

        var message = channel.Redact($"{channel.DisplayName} notification to {channel.SafeEndpoint} failed after {attempt} attempt(s): {failure}");
        LogFailed(logger, channel.DisplayName, message);
        return new ReportError { Scope = "notification", Action = channel.Name, Code = "NotificationFailed", Message = message };
    }

    // Error pages can be large; the verdict is in the first few KiB.
    private static async Task<string> ReadCappedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[8192];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
        {
            read += n;
        }

        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Channel} notification delivered to {Endpoint} (attempt {Attempt})")]
    private static partial void LogDelivered(ILogger logger, string channel, string endpoint, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Channel} notification to {Endpoint} failed on attempt {Attempt}: {Failure}")]
    private static partial void LogAttemptFailed(ILogger logger, string channel, string endpoint, int attempt, string failure);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Channel} notification not delivered: {Message}")]
    private static partial void LogFailed(ILogger logger, string channel, string message);
}
