using System.Text;
using AckFc.Core.Compliance;
using AckFc.Core.Signatures;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AckFc.Core.Reporting;

/// <summary>A generic HTTPS webhook: the JSON digest signed with <c>X-AckFc-Signature</c> (contracts §4).</summary>
internal sealed class WebhookChannel(Uri endpoint, SigningKey key) : NotificationChannel("webhook", "Webhook", endpoint, key.Secret)
{
    public override HttpRequestMessage CreateRequest(Notification notification, DateTimeOffset now) =>
        Signed(NotificationPayloads.Webhook(notification.Report, notification.Changes, notification.Digest), now);

    public override HttpRequestMessage CreateGuardRequest(GuardAlert alert, DateTimeOffset now) => Signed(GuardAlertPayloads.Webhook(alert), now);

    private HttpRequestMessage Signed(byte[] body, DateTimeOffset now)
    {
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

    /// <summary>Sends a key-guard alert to every configured channel at once (the same channels, retries and signing as reports).</summary>
    public async Task<NotificationOutcome> NotifyGuardAsync(GuardAlert alert, CancellationToken cancellationToken)
    {
        var delivered = new List<string>();
        var errors = new List<ReportError>();
        foreach (var channel in Channels)
        {
            if (await SendAsync(channel, now => channel.CreateGuardRequest(alert, now), cancellationToken) is { } error)
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
    public Task<ReportError?> SendAsync(NotificationChannel channel, Notification notification, CancellationToken cancellationToken) =>
        SendAsync(channel, now => channel.CreateRequest(notification, now), cancellationToken);

    private async Task<ReportError?> SendAsync(NotificationChannel channel, Func<DateTimeOffset, HttpRequestMessage> create, CancellationToken cancellationToken)
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
                using var request = create(timeProvider.GetUtcNow());
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
