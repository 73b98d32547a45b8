using System.Net;

namespace AckFc.Core.Reporting;

/// <summary>DingTalk custom robot: markdown message; with a secret, <c>&amp;timestamp=…&amp;sign=…</c> on the URL.</summary>
internal sealed class DingTalkChannel(Uri endpoint, string? secret) : NotificationChannel("dingtalk", "DingTalk", endpoint, secret)
{
    public override HttpRequestMessage CreateRequest(Notification notification, DateTimeOffset now) =>
        Post(SignedUri(now), NotificationPayloads.DingTalk(notification.Digest));

    public override HttpRequestMessage CreateGuardRequest(GuardAlert alert, DateTimeOffset now) =>
        Post(SignedUri(now), GuardAlertPayloads.DingTalk(alert));

    private Uri SignedUri(DateTimeOffset now)
    {
        if (secret is null)
        {
            return Endpoint;
        }

        var timestamp = now.ToUnixTimeMilliseconds();
        var separator = string.IsNullOrEmpty(Endpoint.Query) ? "?" : "&";
        return new Uri($"{Endpoint.AbsoluteUri}{separator}timestamp={timestamp}&sign={NotificationPayloads.DingTalkSign(timestamp, secret)}");
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
