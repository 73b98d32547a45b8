namespace AckFc.Core.Reporting;

/// <summary>Slack incoming webhook: Block Kit with mrkdwn.</summary>
internal sealed class SlackChannel(Uri endpoint) : NotificationChannel("slack", "Slack", endpoint)
{
    public override HttpRequestMessage CreateRequest(Notification notification, DateTimeOffset now) =>
        Post(Endpoint, NotificationPayloads.Slack(notification.Digest));

    public override HttpRequestMessage CreateGuardRequest(GuardAlert alert, DateTimeOffset now) =>
        Post(Endpoint, GuardAlertPayloads.Slack(alert));
}
