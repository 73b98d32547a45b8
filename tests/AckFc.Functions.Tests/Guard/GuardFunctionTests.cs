using System.Net;
using System.Text;
using System.Text.Json;
using AckFc.Core.Guard;
using AckFc.Core.Judging;
using AckFc.Core.Rules;
using AckFc.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AckFc.Functions.Tests.Guard;

/// <summary>
/// The guard function in the real host over loopback, with Function-Compute-shaped <c>/invoke</c> requests; Core's
/// guard is replaced by <see cref="RecordingGuardService"/> (the function parses nothing itself, it maps).
/// </summary>
public sealed class GuardFunctionTests
{
    private const string CloudEvent =
        """{"id":"evt-0001","source":"acs.kms","specversion":"1.0","type":"kms:ActionTrail:ApiCall","data":{"eventName":"ListKeys","requestParameters":{}}}""";

    private static readonly GuardAnswer Ignored = new()
    {
        Events = [new GuardEventAnswer { EventId = "evt-0001", EventName = "ListKeys", Decision = GuardDecision.Ignored, Reason = "ListKeys is not an event the guard reacts to." }],
    };

    private static readonly GuardAnswer FailedAction = new()
    {
        Events =
        [
            new GuardEventAnswer
            {
                EventId = "evt-0002", EventName = "DisableKey", Decision = GuardDecision.Failed, Reason = "EnableKey was refused.",
                Severity = Severity.Critical, RuleId = "ACKFC-KEY-002", RegionId = "cn-hangzhou", KmsKeyId = "key-hzz6abc",
                Clusters = [new GuardCluster("c1", "prod-1", "cn-hangzhou", FindingStatus.Fail, ["ACKFC-KEY-002"])],
                Actions =
                [
                    new RemediationAction
                    {
                        Kind = RemediationKind.EnableKey, Status = RemediationStatus.Failed, RegionId = "cn-hangzhou", KmsKeyId = "key-hzz6abc",
                        RuleId = "ACKFC-KEY-002", Reason = "refused", ErrorCode = "Forbidden.RAM",
                    },
                ],
                CloudCalls = 3,
            },
        ],
    };

    private static async Task<(FunctionsApplication Host, HttpClient Client)> StartAsync(RecordingGuardService guard, params string[] settings)
    {
        var host = FunctionsHost.Build(["ACKFC_REGIONS=cn-hangzhou", .. settings], builder =>
        {
            builder.Urls = "http://127.0.0.1:0";
            builder.Services.AddSingleton<IGuardService>(guard);
            builder.Logging.AddFakeLogging();
        });
        await host.StartAsync();
        return (host, new HttpClient { BaseAddress = host.Address });
    }

    private static HttpRequestMessage Invoke(string body, string requestId, string? accessKeyId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/invoke") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.ContentType = new("application/octet-stream");
        request.Headers.Add("x-fc-control-path", "/invoke");
        request.Headers.Add("x-fc-request-id", requestId);
        if (accessKeyId is not null)
        {
            request.Headers.Add("x-fc-access-key-id", accessKeyId);
            request.Headers.Add("x-fc-access-key-secret", "guard-invocation-secret");
            request.Headers.Add("x-fc-security-token", "guard-invocation-token");
        }

        return request;
    }

    [Fact]
    public async Task Invoke_IgnoredEvent_200WithTheAnswer_AndTheServiceGotTheBodyAndWhoIsInvoking()
    {
        var guard = new RecordingGuardService { Answer = () => Ignored };
        var (host, client) = await StartAsync(guard, "ACKFC_FUNCTION=guard");
        await using (host)
        using (client)
        {
            using var response = await client.SendAsync(Invoke(CloudEvent, "req-guard-1", "STS.guard-own-key"));
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("200", response.Headers.GetValues("x-fc-status").Single());
            var only = Assert.Single(json.RootElement.GetProperty("events").EnumerateArray());
            Assert.Equal("ignored", only.GetProperty("decision").GetString());
            Assert.Equal("evt-0001", only.GetProperty("eventId").GetString());
            Assert.False(json.RootElement.GetProperty("failed").GetBoolean());
            var (body, invocation) = Assert.Single(guard.Calls);
            Assert.Equal(CloudEvent, Encoding.UTF8.GetString(body));
            Assert.Equal(new GuardInvocation("req-guard-1", "STS.guard-own-key"), invocation);
        }
    }

    [Fact]
    public async Task Invoke_NoInvocationCredentials_OwnKeyIsTheConfiguredOne()
    {
        var guard = new RecordingGuardService { Answer = () => Ignored };
        var (host, client) = await StartAsync(guard, "ACKFC_FUNCTION=guard", "ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIconfiguredKey01", "ALIBABA_CLOUD_ACCESS_KEY_SECRET=configured-secret");
        await using (host)
        using (client)
        {
            using var response = await client.SendAsync(Invoke(CloudEvent, "req-guard-2"));

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("LTAIconfiguredKey01", Assert.Single(guard.Calls).Invocation.OwnAccessKeyId);
        }
    }

    [Fact]
    public async Task Invoke_FailedReadOrAction_404WithFcStatusAndTheAnswer_OneErrorLineNamingIt()
    {
        var guard = new RecordingGuardService { Answer = () => FailedAction };
        var (host, client) = await StartAsync(guard, "ACKFC_FUNCTION=guard");
        await using (host)
        using (client)
        {
            using var response = await client.SendAsync(Invoke(CloudEvent, "req-guard-3", "STS.guard-own-key"));
            var text = await response.Content.ReadAsStringAsync();
            using var json = JsonDocument.Parse(text);

            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("404", response.Headers.GetValues("x-fc-status").Single());
            Assert.True(json.RootElement.GetProperty("failed").GetBoolean());
            var only = Assert.Single(json.RootElement.GetProperty("events").EnumerateArray());
            Assert.Equal("failed", only.GetProperty("decision").GetString());
            Assert.Equal("critical", only.GetProperty("severity").GetString());
            Assert.Equal("enableKey", only.GetProperty("actions")[0].GetProperty("kind").GetString());
            Assert.Equal("fail", only.GetProperty("clusters")[0].GetProperty("status").GetString());
            Assert.DoesNotContain("guard-invocation-secret", text, StringComparison.Ordinal);

            var error = Assert.Single(host.Services.GetFakeLogCollector().GetSnapshot(), r => r.Level == LogLevel.Error);
            Assert.Contains("GuardFailed", error.Message, StringComparison.Ordinal);
            Assert.Contains("evt-0002", error.Message, StringComparison.Ordinal);
            Assert.Contains("EnableKey on key-hzz6abc in cn-hangzhou: Forbidden.RAM", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Invoke_NotACloudEvent_404InvalidEventWithTheGuardsMessage()
    {
        var guard = new RecordingGuardService { Answer = () => throw new GuardEventException("The event has no data object.") };
        var (host, client) = await StartAsync(guard, "ACKFC_FUNCTION=guard");
        await using (host)
        using (client)
        {
            using var response = await client.SendAsync(Invoke("""{"specversion":"1.0","type":"kms:ActionTrail:ApiCall"}""", "req-guard-4"));
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("404", response.Headers.GetValues("x-fc-status").Single());
            Assert.Equal("InvalidEvent", json.RootElement.GetProperty("errorType").GetString());
            Assert.Equal("The event has no data object.", json.RootElement.GetProperty("errorMessage").GetString());
        }
    }

    [Fact]
    public async Task Invoke_All_ACloudEventReachesTheGuard()
    {
        var guard = new RecordingGuardService { Answer = () => Ignored };
        var (host, client) = await StartAsync(guard, "ACKFC_FUNCTION=all");
        await using (host)
        using (client)
        {
            // Beside the compliance timer: the body's shape (specversion) picks the guard.
            using var response = await client.SendAsync(Invoke(CloudEvent, "req-guard-5"));

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Single(guard.Calls);
        }
    }

    [Fact]
    public void FailureOf_NamesEachFailedEventAndAction_BoundedWithACount()
    {
        var many = new GuardAnswer
        {
            Events =
            [
                .. Enumerable.Range(1, 7).Select(i => FailedAction.Events[0] with { EventId = $"evt-{i}" }),
                Ignored.Events[0],
            ],
        };

        var one = GuardFunction.FailureOf(FailedAction);
        var bounded = GuardFunction.FailureOf(many);

        Assert.Equal(
            "The guard could not finish 1 of 1 event(s): event evt-0002 (DisableKey): EnableKey was refused. [EnableKey on key-hzz6abc in cn-hangzhou: Forbidden.RAM].",
            one);
        Assert.StartsWith("The guard could not finish 7 of 8 event(s): event evt-1 ", bounded, StringComparison.Ordinal);
        Assert.Contains("evt-5 ", bounded, StringComparison.Ordinal);
        Assert.DoesNotContain("evt-6 ", bounded, StringComparison.Ordinal);
        Assert.EndsWith("; and 2 more (see the answer).", bounded, StringComparison.Ordinal);
    }

    [Fact]
    public void FilterPattern_IsTheFourActionTrailTypes_AndTheEventsTheGuardReactsTo()
    {
        using var pattern = JsonDocument.Parse(GuardFunction.FilterPattern);

        Assert.Equal(
            ["cs:ActionTrail:ApiCall", "cs:ActionTrail:ConsoleOperation", "kms:ActionTrail:ApiCall", "kms:ActionTrail:ConsoleOperation"],
            pattern.RootElement.GetProperty("type").EnumerateArray().Select(t => t.GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal(
            ["CancelKeyDeletion", "DeleteAlias", "DeleteKeyMaterial", "DisableKey", "EnableKey", "ScheduleKeyDeletion", "SetDeletionProtection", "UpdateKMSEncryption", "UpdateRotationPolicy"],
            pattern.RootElement.GetProperty("data").GetProperty("eventName").EnumerateArray().Select(t => t.GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal(2, pattern.RootElement.EnumerateObject().Count());
    }
}
