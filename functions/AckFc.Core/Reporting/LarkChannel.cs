using System.Net;

namespace AckFc.Core.Reporting;

/// <summary>Lark / Feishu custom bot: an interactive card; with a secret, <c>timestamp</c> and <c>sign</c> in the body.</summary>
internal sealed class LarkChannel(Uri endpoint, string? secret) : NotificationChannel("lark", "Lark", endpoint, secret)
{
    public override HttpRequestMessage CreateRequest(Notification notification, DateTimeOffset now)
    {
        long? timestamp = secret is null ? null : now.ToUnixTimeSeconds();
        var sign = timestamp is { } ts ? NotificationPayloads.LarkSign(ts, secret!) : null;
        return Post(Endpoint, NotificationPayloads.Lark(notification.Digest, timestamp, sign));
    }

    public override HttpRequestMessage CreateGuardRequest(GuardAlert alert, DateTimeOffset now)
    {
        long? timestamp = secret is null ? null : now.ToUnixTimeSeconds();
        var sign = timestamp is { } ts ? NotificationPayloads.LarkSign(ts, secret!) : null;
        return Post(Endpoint, GuardAlertPayloads.Lark(alert, timestamp, sign));
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
