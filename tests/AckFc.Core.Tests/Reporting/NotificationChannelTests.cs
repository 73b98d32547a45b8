using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AckFc.Core.Compliance;
using AckFc.Core.Reporting;

namespace AckFc.Core.Tests.Reporting;

public sealed class NotificationChannelTests
{
    private const string DingTalkSecret = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd";
    private const string LarkSecret = "lark-signing-secret-0123456789";
    private const string WebhookSecret = "webhook-secret-that-is-long-enough-0123456789";
    private const string Token = "tok3n5ecret9a8b7c6d5e4f";

    private static Notification Notification()
    {
        var before = ReportFixtures.DemoFleet(hostile: false, daysLeft: 9, sweepId: "daily-1");
        var report = ReportFixtures.DemoFleet(daysLeft: 7, sweepId: "daily-2", at: ReportFixtures.Start.AddDays(2));
        var changes = ReportComparer.Compare(before, report);
        return new Notification(report, changes, ReportDigest.Create(report, changes, 10, new Uri("https://reports.example.com/daily-2")));
    }

    private static string Base64Hmac(byte[] key, byte[] message) => Convert.ToBase64String(HMACSHA256.HashData(key, message));

    [Fact]
    public async Task DingTalk_SignedMarkdown_AcceptedByARobotThatChecksTheSignature()
    {
        long expectedTimestamp = 0;
        await using var server = await LoopbackServer.StartAsync(request =>
        {
            // As DingTalk documents it: HMAC-SHA256 keyed with the secret over "timestamp\nsecret", Base64, URL-encoded.
            var timestamp = request.Query["timestamp"];
            var expected = Base64Hmac(Encoding.UTF8.GetBytes(DingTalkSecret), Encoding.UTF8.GetBytes(timestamp + "\n" + DingTalkSecret));
            var ok = request.Query["access_token"] == Token && request.Query["sign"] == expected
                     && request.RawTarget.Contains("&sign=" + Uri.EscapeDataString(expected), StringComparison.Ordinal)
                     && timestamp == expectedTimestamp.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return (200, ok ? """{"errcode":0,"errmsg":"ok"}""" : """{"errcode":310000,"errmsg":"sign not match"}""");
        });
        using var h = new ReportingHarness(new Dictionary<string, string?>
        {
            ["ACKFC_NOTIFY_DINGTALK_URL"] = new Uri(server.BaseAddress, $"robot/send?access_token={Token}").AbsoluteUri,
            ["ACKFC_NOTIFY_DINGTALK_SECRET"] = DingTalkSecret,
        });
        expectedTimestamp = h.Time.GetUtcNow().ToUnixTimeMilliseconds();

        var outcome = await h.Notifier.NotifyAsync(Notification(), new HashSet<string>(), CancellationToken.None);

        Assert.Empty(outcome.Errors);
        Assert.Equal(["dingtalk"], outcome.Delivered);
        var body = JsonDocument.Parse(Assert.Single(server.Requests).Body).RootElement;
        Assert.Equal("markdown", body.GetProperty("msgtype").GetString());
        Assert.StartsWith("AckFc: ", body.GetProperty("markdown").GetProperty("title").GetString(), StringComparison.Ordinal);
        var text = body.GetProperty("markdown").GetProperty("text").GetString()!;
        Assert.Contains(ReportFixtures.PlantedClusterName, text, StringComparison.Ordinal);
        Assert.Contains("\\<script\\>", text, StringComparison.Ordinal);
        Assert.Contains("escalated", text, StringComparison.Ordinal);
        Assert.Contains("(https://reports.example.com/daily-2)", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DingTalk_ErrcodeInA200_RecordedAsFailureWithoutRetry()
    {
        await using var server = await LoopbackServer.StartAsync(_ => (200, """{"errcode":300001,"errmsg":"token is not exist"}"""));
        using var h = new ReportingHarness(new Dictionary<string, string?> { ["ACKFC_NOTIFY_DINGTALK_URL"] = new Uri(server.BaseAddress, $"robot/send?access_token={Token}").AbsoluteUri });

        var outcome = await h.Notifier.NotifyAsync(Notification(), new HashSet<string>(), CancellationToken.None);

        var error = Assert.Single(outcome.Errors);
        Assert.Contains("errcode 300001", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Lark_SignedCard_AcceptedByABotThatChecksTheSignature()
    {
        long expectedTimestamp = 0;
        await using var server = await LoopbackServer.StartAsync(request =>
        {
            // As Lark documents it: "timestamp\nsecret" is the HMAC-SHA256 key over an empty message, Base64.
            var body = JsonDocument.Parse(request.Body).RootElement;
            var timestamp = body.GetProperty("timestamp").GetString();
            var expected = Base64Hmac(Encoding.UTF8.GetBytes(timestamp + "\n" + LarkSecret), []);
            var ok = body.GetProperty("sign").GetString() == expected && timestamp == expectedTimestamp.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return (200, ok ? """{"code":0,"msg":"success","data":{}}""" : """{"code":19021,"msg":"sign match fail"}""");
        });
        using var h = new ReportingHarness(new Dictionary<string, string?>
        {
            ["ACKFC_NOTIFY_LARK_URL"] = new Uri(server.BaseAddress, $"open-apis/bot/v2/hook/{Token}").AbsoluteUri,
            ["ACKFC_NOTIFY_LARK_SECRET"] = LarkSecret,
        });
        expectedTimestamp = h.Time.GetUtcNow().ToUnixTimeSeconds();

        var outcome = await h.Notifier.NotifyAsync(Notification(), new HashSet<string>(), CancellationToken.None);

        Assert.Empty(outcome.Errors);
        var body = JsonDocument.Parse(Assert.Single(server.Requests).Body).RootElement;
        Assert.Equal("interactive", body.GetProperty("msg_type").GetString());
        var card = body.GetProperty("card");
        Assert.Equal("red", card.GetProperty("header").GetProperty("template").GetString());
        Assert.Contains("escalated", card.GetProperty("header").GetProperty("title").GetProperty("content").GetString(), StringComparison.Ordinal);
        var content = card.GetProperty("elements")[0].GetProperty("text").GetProperty("content").GetString()!;
        Assert.Contains(ReportFixtures.HostileName, content, StringComparison.Ordinal);
        Assert.Equal("plain_text", card.GetProperty("elements")[0].GetProperty("text").GetProperty("tag").GetString());
        Assert.Equal("https://reports.example.com/daily-2", card.GetProperty("elements")[1].GetProperty("actions")[0].GetProperty("url").GetString());
    }

    [Fact]
    public async Task Slack_Blocks_PostedWithEscapedMrkdwn()
    {
        await using var server = await LoopbackServer.StartAsync(_ => (200, "ok"));
        using var h = new ReportingHarness(new Dictionary<string, string?> { ["ACKFC_NOTIFY_SLACK_URL"] = new Uri(server.BaseAddress, $"services/T000/B000/{Token}").AbsoluteUri });

        var outcome = await h.Notifier.NotifyAsync(Notification(), new HashSet<string>(), CancellationToken.None);

        Assert.Empty(outcome.Errors);
        var request = Assert.Single(server.Requests);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        var body = JsonDocument.Parse(request.Body).RootElement;
        Assert.StartsWith("AckFc: ", body.GetProperty("text").GetString(), StringComparison.Ordinal);
        var blocks = body.GetProperty("blocks").EnumerateArray().ToList();
        Assert.Equal("header", blocks[0].GetProperty("type").GetString());
        var items = blocks[2].GetProperty("text");
        Assert.Equal("mrkdwn", items.GetProperty("type").GetString());
        Assert.Contains("&lt;script&gt;", items.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", items.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("<https://reports.example.com/daily-2|Full report>", blocks[^1].GetProperty("elements")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_JsonDigest_SignedWithTheAckFcScheme()
    {
        long now = 0;
        await using var server = await LoopbackServer.StartAsync(request =>
        {
            // Contracts §4: t=<unix s>,kid=<key>,v1=hex HMAC-SHA256(secret, "<t>.POST.<path and query as sent>.<sha256 hex of body>").
            var parts = request.Headers["X-AckFc-Signature"].Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
            var signed = $"{parts["t"]}.{request.Method}.{request.RawTarget}.{Convert.ToHexStringLower(SHA256.HashData(request.Body))}";
            var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(WebhookSecret), Encoding.UTF8.GetBytes(signed)));
            var ok = parts["kid"] == "ops" && parts["t"] == now.ToString(System.Globalization.CultureInfo.InvariantCulture)
                     && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(parts["v1"]), Encoding.ASCII.GetBytes(expected));
            return ok ? (204, string.Empty) : (401, """{"title":"bad signature"}""");
        });
        using var h = new ReportingHarness(new Dictionary<string, string?>
        {
            ["ACKFC_NOTIFY_WEBHOOK_URL"] = new Uri(server.BaseAddress, "hooks/ackfc?tenant=blue%20team&x=1").AbsoluteUri,
            ["ACKFC_NOTIFY_WEBHOOK_SECRET"] = "ops:" + WebhookSecret,
        });
        now = h.Time.GetUtcNow().ToUnixTimeSeconds();

        var outcome = await h.Notifier.NotifyAsync(Notification(), new HashSet<string>(), CancellationToken.None);

        Assert.Empty(outcome.Errors);
        var request = Assert.Single(server.Requests);
        Assert.Equal("/hooks/ackfc?tenant=blue%20team&x=1", request.RawTarget);
        var body = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal("ackfc.report.digest", body.GetProperty("type").GetString());
        Assert.Equal("daily-2", body.GetProperty("sweepId").GetString());
        var escalated = body.GetProperty("changes").GetProperty("escalated");
        Assert.Equal(3, escalated.GetArrayLength());
        Assert.Equal(7, escalated[0].GetProperty("daysUntilDeletion").GetInt32());
        Assert.Equal("kms-key-state-not-pending-deletion", escalated[0].GetProperty("cloudConfigRule").GetString());
        Assert.Equal(ReportFixtures.DemoFleet().Summary.Fail, body.GetProperty("summary").GetProperty("fail").GetInt32());
    }

    [Fact]
    public async Task Failing_Channel500s_RetriedThenRecordedWithoutTokenOrSecret()
    {
        await using var server = await LoopbackServer.StartAsync(_ => (500, $$"""{"error":"boom for {{Token}}"}"""));
        using var h = new ReportingHarness(new Dictionary<string, string?>
        {
            ["ACKFC_NOTIFY_DINGTALK_URL"] = new Uri(server.BaseAddress, $"robot/send?access_token={Token}").AbsoluteUri,
            ["ACKFC_NOTIFY_DINGTALK_SECRET"] = DingTalkSecret,
            ["ACKFC_NOTIFY_SLACK_URL"] = new Uri(server.BaseAddress, $"services/T000/B000/{Token}").AbsoluteUri,
            ["ACKFC_NOTIFY_ATTEMPTS"] = "3",
        });

        var outcome = await h.Notifier.NotifyAsync(Notification(), new HashSet<string>(), CancellationToken.None);

        Assert.Empty(outcome.Delivered);
        Assert.Equal(6, server.Requests.Count);
        Assert.Equal(2, outcome.Errors.Count);
        Assert.All(outcome.Errors, e =>
        {
            Assert.Equal("notification", e.Scope);
            Assert.Contains("failed after 3 attempt(s): HTTP 500", e.Message, StringComparison.Ordinal);
            Assert.Contains("http://127.0.0.1:", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(Token, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(DingTalkSecret, e.Message, StringComparison.Ordinal);
        });
        Assert.Contains("failed on attempt 3", h.AllLogText, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, h.AllLogText, StringComparison.Ordinal);
        Assert.DoesNotContain(DingTalkSecret, h.AllLogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failing_UnreachableEndpoint_RecordedNotThrown()
    {
        int port;
        await using (var closed = await LoopbackServer.StartAsync(_ => (200, "ok")))
        {
            port = closed.BaseAddress.Port;
        }

        using var h = new ReportingHarness(new Dictionary<string, string?>
        {
            ["ACKFC_NOTIFY_SLACK_URL"] = $"http://127.0.0.1:{port}/services/T/B/{Token}",
            ["ACKFC_NOTIFY_ATTEMPTS"] = "2",
        });

        var outcome = await h.Notifier.NotifyAsync(Notification(), new HashSet<string>(), CancellationToken.None);

        var error = Assert.Single(outcome.Errors);
        Assert.Contains("request failed", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Signatures_KnownVectors_MatchTheDocumentedAlgorithms()
    {
        // Independent vector: the DingTalk algorithm computed by hand for a fixed timestamp.
        var dingTalk = NotificationPayloads.DingTalkSign(1700000000000, "secret");
        Assert.Equal(Uri.EscapeDataString(Base64Hmac("secret"u8.ToArray(), "1700000000000\nsecret"u8.ToArray())), dingTalk);
        Assert.DoesNotContain('+', dingTalk);
        Assert.DoesNotContain('/', dingTalk);

        var lark = NotificationPayloads.LarkSign(1599360473, "secret");
        Assert.Equal(Base64Hmac("1599360473\nsecret"u8.ToArray(), []), lark);

        var ours = AckFc.Core.Signatures.AckFcSignature.Create("k1", "s", 1700000000, "POST", "/a?b=c", ""u8);
        Assert.StartsWith("t=1700000000,kid=k1,v1=", ours, StringComparison.Ordinal);
        Assert.Equal(64, ours.Split("v1=")[1].Length);
    }
}
