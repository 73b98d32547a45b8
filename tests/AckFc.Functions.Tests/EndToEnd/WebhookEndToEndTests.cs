using System.Net;
using System.Text;
using System.Text.Json;
using AckFc.Core.Signatures;
using AckFc.Functions;
using AckFc.Functions.Tests.Webhook;
using AckFc.Local.Runner;

namespace AckFc.Functions.Tests.EndToEnd;

/// <summary>
/// The real host, the real client and the emulated region over loopback, no substitutes: what a caller of the webhook
/// meets. The emulator's call log is the witness of what reached ACK.
/// </summary>
public sealed class WebhookEndToEndTests : LocalRunTest
{
    private long UpdateCalls => Stack.Emulator.State.CountOf("UpdateKMSEncryption");

    private Task<HttpResponseMessage> SendAsync(string method, string path, string body, string? signature = null, long? at = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body.Length > 0)
        {
            request.Content = new ByteArrayContent(bytes);
            request.Content.Headers.ContentType = new("application/json");
        }

        request.Headers.TryAddWithoutValidation(AckFcSignature.HeaderName,
            signature ?? ContractSigner.Header(Stack.WebhookKeyId, Stack.WebhookSecret, at ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds(), method, path, bytes));
        request.Headers.Add("x-fc-control-path", "/http-invoke");
        return Client.SendAsync(request);
    }

    private static async Task<JsonElement> JsonOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    [Fact]
    public async Task Healthz_NoSignature_AnswersOkWithoutCloudCalls()
    {
        var before = Stack.Emulator.State.GetCalls().Count;
        using var response = await Client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(before, Stack.Emulator.State.GetCalls().Count);
    }

    [Fact]
    public async Task Put_AllowedEnable_ReachesAckAndIsVerified()
    {
        using var response = await SendAsync("PUT", "/clusters/c-demo-hz-analytics/kms", """{"kms_key_id":"key-demo-hz-spare","reason":"e2e"}""");
        var body = await JsonOf(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("applied", body.GetProperty("outcome").GetString());
        Assert.True(body.GetProperty("decision").GetProperty("allowed").GetBoolean());
        Assert.Equal(1, UpdateCalls);
        var cluster = Stack.Emulator.State.GetCluster("c-demo-hz-analytics")!;
        Assert.Equal("key-demo-hz-spare", cluster.EncryptionKeyId);
    }

    [Fact]
    public async Task Put_SameKeyAgain_NoChangeAndNoSecondCall()
    {
        using var first = await SendAsync("PUT", "/clusters/c-demo-hz-orders/kms", """{"kms_key_id":"key-demo-hz-orders"}""");
        var body = await JsonOf(first);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("noChange", body.GetProperty("outcome").GetString());
        Assert.Equal(0, UpdateCalls);
    }

    [Fact]
    public async Task Put_DryRun_DecidesWithoutCalling()
    {
        using var response = await SendAsync("PUT", "/clusters/c-demo-hz-analytics/kms", """{"kms_key_id":"key-demo-hz-spare","dry_run":true}""");
        var body = await JsonOf(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("dryRun", body.GetProperty("outcome").GetString());
        Assert.Equal(0, UpdateCalls);
    }

    [Theory]
    [InlineData("c-demo-hz-payments", """{"disable_encryption":true,"reason":"nope"}""", "ACKFC-POL-001")]
    [InlineData("c-demo-sh-web", """{"kms_key_id":"key-demo-sh-acs-ecs"}""", "ACKFC-KEY-007")]
    [InlineData("c-demo-hz-orders", """{"kms_key_id":"key-demo-hz-batch"}""", "ACKFC-KEY-002")]
    [InlineData("c-demo-sh-web", """{"kms_key_id":"key-demo-sh-legacy"}""", "ACKFC-KEY-005")]
    [InlineData("c-demo-sh-web", """{"kms_key_id":"key-demo-sh-sm4"}""", "ACKFC-KEY-006")]
    public async Task Put_DeniedByPolicy_403WithRuleAndNothingReachesAck(string clusterId, string body, string ruleId)
    {
        using var response = await SendAsync("PUT", $"/clusters/{clusterId}/kms", body);
        var decision = await JsonOf(response);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(decision.GetProperty("allowed").GetBoolean());
        Assert.Equal("enforce", decision.GetProperty("enforcement").GetString());
        Assert.Contains(decision.GetProperty("violations").EnumerateArray(), v => v.GetProperty("ruleId").GetString() == ruleId);
        Assert.Equal(64, decision.GetProperty("policyVersion").GetString()!.Length);
        Assert.False(string.IsNullOrEmpty(decision.GetProperty("requestId").GetString()));
        Assert.Equal(0, UpdateCalls);
    }

    [Fact]
    public async Task Put_UnknownCluster_404()
    {
        using var response = await SendAsync("PUT", "/clusters/c-doesnotexist/kms", """{"kms_key_id":"key-demo-hz-spare"}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, UpdateCalls);
    }

    [Fact]
    public async Task Get_ClusterWithDyingKey_ShowsCountdown()
    {
        using var response = await SendAsync("GET", "/clusters/c-demo-hz-reporting/kms", string.Empty);
        var body = await JsonOf(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("PendingDeletion", body.GetProperty("key").GetProperty("keyState").GetString());
        Assert.InRange(body.GetProperty("key").GetProperty("daysUntilDeletion").GetInt32(), 3, 5);
        Assert.Equal("fail", body.GetProperty("cluster").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Put_WrongSecret_401AndNothingReachesAck()
    {
        var body = """{"kms_key_id":"key-demo-hz-spare"}""";
        var forged = ContractSigner.Header(Stack.WebhookKeyId, new string('x', 48), DateTimeOffset.UtcNow.ToUnixTimeSeconds(), "PUT", "/clusters/c-demo-hz-analytics/kms", Encoding.UTF8.GetBytes(body));
        using var response = await SendAsync("PUT", "/clusters/c-demo-hz-analytics/kms", body, forged);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, UpdateCalls);
    }

    [Fact]
    public async Task Put_ExpiredTimestamp_401()
    {
        using var response = await SendAsync("PUT", "/clusters/c-demo-hz-analytics/kms", """{"kms_key_id":"key-demo-hz-spare"}""", at: DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 301);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, UpdateCalls);
    }

    [Fact]
    public async Task Put_ReplayedSignature_401()
    {
        var body = """{"kms_key_id":"key-demo-hz-spare","dry_run":true}""";
        var signature = ContractSigner.Header(Stack.WebhookKeyId, Stack.WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), "PUT", "/clusters/c-demo-hz-analytics/kms", Encoding.UTF8.GetBytes(body));
        using var first = await SendAsync("PUT", "/clusters/c-demo-hz-analytics/kms", body, signature);
        using var replay = await SendAsync("PUT", "/clusters/c-demo-hz-analytics/kms", body, signature);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
    }

    [Fact]
    public async Task Put_Oversized_413()
    {
        var body = "{\"kms_key_id\":\"key-demo-hz-spare\",\"reason\":\"" + new string('a', 70 * 1024) + "\"}";
        using var response = await SendAsync("PUT", "/clusters/c-demo-hz-analytics/kms", body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData("""{"kms_key_id":"key-demo-hz-spare","disable_encrytion":false}""", "disable_encrytion")]
    [InlineData("""{"kms_key_id":42}""", "kms_key_id")]
    [InlineData("""{"kms_key_id":"key-demo-hz-spare",""", "body")]
    [InlineData("""{"disable_encryption":"yes"}""", "disable_encryption")]
    public async Task Put_MalformedBody_400NamingTheField(string body, string field)
    {
        using var response = await SendAsync("PUT", "/clusters/c-demo-hz-analytics/kms", body);
        var problem = await JsonOf(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Equal(0, UpdateCalls);
    }

    [Fact]
    public async Task Put_BadClusterId_400()
    {
        using var response = await SendAsync("PUT", "/clusters/BAD%20ID/kms", """{"kms_key_id":"key-demo-hz-spare"}""");
        var problem = await JsonOf(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("clusterId", problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Put_FiftyConcurrentForOneCluster_ExactlyOneUpdate()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            using var response = await SendAsync("PUT", "/clusters/c-demo-hz-analytics/kms", $$"""{"kms_key_id":"key-demo-hz-spare","reason":"race {{i}}"}""");
            var body = await JsonOf(response);
            return ((int)response.StatusCode, body.TryGetProperty("outcome", out var o) ? o.GetString() : null);
        }));

        Assert.Equal(1, UpdateCalls);
        Assert.Single(answers, a => a.Item2 is "applied" or "accepted");
        Assert.All(answers, a => Assert.True(a.Item1 is 200 or 202 or 409, $"unexpected {a.Item1} {a.Item2}"));
    }
}
