using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AckFc.AlibabaCloud.Cs;
using AckFc.AlibabaCloud.Kms;
using AckFc.Core.Encryption;
using AckFc.Core.Guard;
using AckFc.Core.Policy;
using AckFc.Core.Settings;
using AckFc.Core.Tests.Reporting;
using AckFc.Core.Tests.TestDoubles;
using Microsoft.Extensions.Logging.Abstractions;
using NSubstitute;
using static AckFc.Core.Tests.Guard.GuardEvents;
using static AckFc.Core.Tests.TestDoubles.Fakes;

namespace AckFc.Core.Tests.Guard;

/// <summary>The guard's alert on every channel: kind <c>guard</c>, who/when/what/which clusters, signed as reports are, no secret.</summary>
public sealed class GuardNotificationTests
{
    private const string WebhookSecret = "webhook-secret-that-is-long-enough-0123456789";
    private const string DingTalkSecret = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd";
    private const string LarkSecret = "lark-signing-secret-0123456789";
    private const string Token = "tok3n5ecret9a8b7c6d5e4f";
    private const string OwnKey = "STS.NUguardOwnKeyCanary";

    private readonly IAckClient ack = Substitute.For<IAckClient>();
    private readonly IKmsClient kms = Substitute.For<IKmsClient>();

    private static ReportingHarness Harness(LoopbackServer server) => new(new Dictionary<string, string?>
    {
        ["ACKFC_NOTIFY_WEBHOOK_URL"] = new Uri(server.BaseAddress, "hooks/guard?x=1").AbsoluteUri,
        ["ACKFC_NOTIFY_WEBHOOK_SECRET"] = "ops:" + WebhookSecret,
        ["ACKFC_NOTIFY_SLACK_URL"] = new Uri(server.BaseAddress, $"services/T000/B000/{Token}").AbsoluteUri,
        ["ACKFC_NOTIFY_DINGTALK_URL"] = new Uri(server.BaseAddress, $"robot/send?access_token={Token}").AbsoluteUri,
        ["ACKFC_NOTIFY_DINGTALK_SECRET"] = DingTalkSecret,
        ["ACKFC_NOTIFY_LARK_URL"] = new Uri(server.BaseAddress, $"open-apis/bot/v2/hook/{Token}").AbsoluteUri,
        ["ACKFC_NOTIFY_LARK_SECRET"] = LarkSecret,
    });

    private GuardService Service(ReportingHarness h, string policy = "version: 1\n") =>
        new(ack, kms, new StaticPolicyProvider(PolicyOf(policy)), Substitute.For<IEncryptionService>(), new RecordingAuditSink(),
            new AckFcCoreOptions { Regions = [Region] }, new GuardState(), h.Time, NullLogger<GuardService>.Instance, h.Notifier);

    private void Fleet(string state)
    {
        ack.ListClustersAsync(Region, Arg.Any<CancellationToken>()).Returns(_ => Stream(new[]
        {
            Cluster("c-pay-01", Region, "key-1") with { Name = "payments-prod" },
            Cluster("c-web-02", Region, "key-1") with { Name = "web-prod" },
            Cluster("c-ops-03", Region, "key-1") with { Name = "ops" },
        }));
        kms.DescribeKeyAsync(Region, "key-1", Arg.Any<CancellationToken>()).Returns(Key("key-1", Region, state));
    }

    private static (int, string) Accept(ReceivedRequest request)
    {
        if (request.Path.StartsWith("/hooks/", StringComparison.Ordinal))
        {
            var parts = request.Headers["X-AckFc-Signature"].Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
            var signed = $"{parts["t"]}.{request.Method}.{request.RawTarget}.{Convert.ToHexStringLower(SHA256.HashData(request.Body))}";
            var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(WebhookSecret), Encoding.UTF8.GetBytes(signed)));
            return parts["kid"] == "ops" && parts["v1"] == expected ? (204, string.Empty) : (401, "bad signature");
        }

        return request.Path.StartsWith("/robot/", StringComparison.Ordinal) ? (200, """{"errcode":0}""") : (200, """{"code":0}""");
    }

    [Fact]
    public async Task DisableKey_AlertOnEveryChannel_WhoWhenKeyAndEveryCluster()
    {
        await using var server = await LoopbackServer.StartAsync(Accept);
        using var h = Harness(server);
        Fleet(KmsKeyStates.Disabled);
        var body = Bytes(Kms("DisableKey", new JsonObject { ["KeyId"] = "key-1" }, id: "ev-42", identity: User("mallory")));

        var answer = Assert.Single((await Service(h).HandleAsync(body, new GuardInvocation("r-1", OwnKey))).Events);

        Assert.Equal(["dingtalk", "lark", "slack", "webhook"], answer.Notified);
        var webhook = JsonDocument.Parse(Assert.Single(server.Requests, r => r.Path.StartsWith("/hooks/", StringComparison.Ordinal)).Body).RootElement;
        Assert.Equal(("guard", "ackfc.guard.alert", "alerted", "critical"), (webhook.GetProperty("kind").GetString(), webhook.GetProperty("type").GetString(),
            webhook.GetProperty("decision").GetString(), webhook.GetProperty("severity").GetString()));
        Assert.Equal(("ram-user", "mallory", "203.0.113.7"), (webhook.GetProperty("who").GetProperty("type").GetString(),
            webhook.GetProperty("who").GetProperty("userName").GetString(), webhook.GetProperty("who").GetProperty("sourceIpAddress").GetString()));
        Assert.Equal("DisableKey", webhook.GetProperty("eventName").GetString());
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 2, 59, 58, TimeSpan.Zero), webhook.GetProperty("eventTime").GetDateTimeOffset());
        Assert.Equal("key-1", webhook.GetProperty("kmsKeyId").GetString());
        Assert.Equal(["payments-prod", "web-prod", "ops"], webhook.GetProperty("clusters").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.All(webhook.GetProperty("clusters").EnumerateArray(), c => Assert.Equal(Region, c.GetProperty("regionId").GetString()));

        foreach (var chat in server.Requests.Where(r => !r.Path.StartsWith("/hooks/", StringComparison.Ordinal)))
        {
            var text = Encoding.UTF8.GetString(chat.Body);
            Assert.Contains("AckFc key guard alert", text, StringComparison.Ordinal);
            Assert.Contains("mallory", text, StringComparison.Ordinal);
            Assert.Contains("payments-prod", text, StringComparison.Ordinal);
            Assert.Contains("c-ops-03", text, StringComparison.Ordinal);
            Assert.Contains("203.0.113.7", text, StringComparison.Ordinal);
        }

        var everything = string.Join("\n", server.Requests.Select(r => r.RawTarget + Encoding.UTF8.GetString(r.Body))) + JsonSerializer.Serialize(answer.Reason) + h.AllLogText;
        foreach (var secret in new[] { UserAccessKeyId, OwnKey, WebhookSecret, DingTalkSecret, LarkSecret })
        {
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task EnableKey_Resolved_SaysResolved()
    {
        await using var server = await LoopbackServer.StartAsync(Accept);
        using var h = Harness(server);
        Fleet(KmsKeyStates.Enabled);

        var answer = Assert.Single((await Service(h).HandleAsync(Bytes(Kms("EnableKey", new JsonObject { ["KeyId"] = "key-1" })), new GuardInvocation("r-1"))).Events);

        Assert.Equal(GuardDecision.Resolved, answer.Decision);
        var webhook = JsonDocument.Parse(Assert.Single(server.Requests, r => r.Path.StartsWith("/hooks/", StringComparison.Ordinal)).Body).RootElement;
        Assert.True(webhook.GetProperty("resolved").GetBoolean());
        Assert.All(server.Requests.Where(r => !r.Path.StartsWith("/hooks/", StringComparison.Ordinal)),
            r => Assert.Contains("AckFc key guard: resolved", Encoding.UTF8.GetString(r.Body), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("key-unused", KmsKeyStates.Disabled)]
    [InlineData("key-1", KmsKeyStates.Enabled)]
    public async Task NothingWrongNow_NoAlert(string key, string state)
    {
        await using var server = await LoopbackServer.StartAsync(Accept);
        using var h = Harness(server);
        Fleet(state);

        var answer = Assert.Single((await Service(h).HandleAsync(Bytes(Kms("DisableKey", new JsonObject { ["KeyId"] = key })), new GuardInvocation("r-1"))).Events);

        Assert.Equal(GuardDecision.Healthy, answer.Decision);
        Assert.Empty(answer.Notified);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task SameEventRetriedAfterAFailedAction_AlertsOnce()
    {
        await using var server = await LoopbackServer.StartAsync(Accept);
        using var h = Harness(server);
        Fleet(KmsKeyStates.Disabled);
        kms.EnableKeyAsync(Region, "key-1", Arg.Any<CancellationToken>()).Returns(
            Task.FromException<string?>(new AckFc.AlibabaCloud.AlibabaCloudException(AckFc.AlibabaCloud.AlibabaCloudErrorKind.Transient, "ServiceUnavailable", "down", 503, "R-5")));
        var service = Service(h, "version: 1\nguard:\n  actions: { enableKey: true }\n");
        var body = Bytes(Kms("DisableKey", new JsonObject { ["KeyId"] = "key-1" }, id: "ev-r"));

        var first = Assert.Single((await service.HandleAsync(body, new GuardInvocation("r-1"))).Events);
        var retry = Assert.Single((await service.HandleAsync(body, new GuardInvocation("r-2"))).Events);

        Assert.Equal((GuardDecision.Failed, GuardDecision.Failed), (first.Decision, retry.Decision));
        Assert.Contains("ServiceUnavailable", first.Reason, StringComparison.Ordinal);
        Assert.Single(server.Requests, r => r.Path.StartsWith("/hooks/", StringComparison.Ordinal));
    }
}
