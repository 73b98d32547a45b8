using System.Text;
using AckFc.Functions;
using AckFc.Local.Runner;
using CsCheck;

namespace AckFc.Functions.Tests.EndToEnd;

/// <summary>
/// Random and mutated webhook requests against the real host and emulator: never a 5xx, and nothing that is not
/// validly signed and allowed reaches UpdateKMSEncryption (the emulator's call log is the witness).
/// CsCheck prints the seed of a failing sample; set CsCheck_Seed to replay it.
/// </summary>
public sealed class WebhookFuzzTests : LocalRunTest
{
    private static readonly string[] Methods = ["GET", "PUT", "POST", "DELETE", "PATCH"];
    private static readonly string[] Paths =
    [
        "/clusters/c-demo-hz-analytics/kms", "/clusters/c-demo-hz-payments/kms", "/clusters/../kms", "/clusters/%00/kms",
        "/sweeps", "/clusters//kms", "/clusters/c-demo-hz-analytics/kms?x=1", "/", "/clusters/C-UPPER/kms",
    ];
    private static readonly string[] Bodies =
    [
        """{"kms_key_id":"key-demo-hz-spare"}""", """{"disable_encryption":true}""", """{"kms_key_id":null}""", "{", "[]", "null",
        """{"kms_key_id":"alias/../../x","dry_run":"no"}""", """{"mode":"remediate"}""", "",
    ];

    [Fact]
    public async Task RandomRequests_NeverServerErrorAndNeverReachAckUnsigned()
    {
        var gen =
            from method in Gen.OneOf(Methods)
            from path in Gen.OneOf(Gen.OneOf(Paths), Gen.String[Gen.Char.AlphaNumeric, 0, 40].Select(s => "/clusters/" + s + "/kms"))
            from body in Gen.OneOf(Gen.OneOf(Bodies), Gen.String[0, 200])
            from signature in Gen.OneOf(
                Gen.Const((string?)null),
                Gen.String[0, 120].Select(s => (string?)s),
                Gen.Int[-1000, 1000].Select(skew => (string?)$"t={DateTimeOffset.UtcNow.ToUnixTimeSeconds() + skew},kid={Stack.WebhookKeyId},v1={new string('a', 64)}"),
                Gen.Const((string?)"t=1,kid=local,v1=zz"))
            select (method, path, body, signature);

        var failures = new List<string>();
        var tried = 0;
        await gen.SampleAsync(async sample =>
        {
            Interlocked.Increment(ref tried);
            var (method, path, body, signature) = sample;
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (body.Length > 0)
            {
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            }

            if (signature is not null)
            {
                request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, signature);
            }

            request.Headers.Add("x-fc-control-path", "/http-invoke");
            using var response = await Client.SendAsync(request);
            if ((int)response.StatusCode >= 500)
            {
                lock (failures)
                {
                    failures.Add($"{method} {path} [{body}] -> {(int)response.StatusCode}");
                }
            }
        }, iter: 10_000, threads: 4);

        Assert.Equal(10_000, tried);
        Assert.Empty(failures);
        Assert.Equal(0, Stack.Emulator.State.CountOf("UpdateKMSEncryption"));
    }

    [Fact]
    public async Task SignedRandomBodies_NeverServerErrorAndOnlyAllowedChangesReachAck()
    {
        var gen =
            from cluster in Gen.OneOf("c-demo-hz-payments", "c-demo-sh-web", "c-demo-hz-batch", "c-demo-hz-basic", "c-missing1")
            from body in Gen.OneOf(Gen.OneOf([.. Bodies.Where(b => !b.Contains("spare", StringComparison.Ordinal))]), Gen.String[0, 120],
                Gen.OneOf("key-demo-sh-acs-ecs", "key-demo-hz-batch", "key-demo-sh-legacy", "key-demo-sh-sm4", "nope", "alias/acs/ecs")
                    .Select(k => $"{{\"kms_key_id\":\"{k}\"}}"))
            select (cluster, body);

        var failures = new List<string>();
        var changesAnswered = 0;
        await gen.SampleAsync(async sample =>
        {
            var (cluster, body) = sample;
            var path = $"/clusters/{cluster}/kms";
            var bytes = Encoding.UTF8.GetBytes(body);
            using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new ByteArrayContent(bytes) };
            request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName,
                WebhookSignature.Create(Stack.WebhookKeyId, Stack.WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), "PUT", path, bytes));
            request.Headers.Add("x-fc-control-path", "/http-invoke");
            using var response = await Client.SendAsync(request);
            if ((int)response.StatusCode >= 500)
            {
                var text = await response.Content.ReadAsStringAsync();
                lock (failures)
                {
                    failures.Add($"{path} [{body}] -> {(int)response.StatusCode}: {text}");
                }
            }
            else if ((int)response.StatusCode is 200 or 202)
            {
                var outcome = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("outcome").GetString();
                if (outcome is "applied" or "accepted")
                {
                    Interlocked.Increment(ref changesAnswered);
                }
            }
        }, iter: 2_000, threads: 2);

        Assert.Empty(failures);
        // Every call that reached ACK is one the webhook answered as an allowed, applied change: nothing else leaks.
        Assert.Equal(changesAnswered, Stack.Emulator.State.CountOf("UpdateKMSEncryption"));
        Assert.DoesNotContain(Stack.Emulator.State.GetCalls(), c => c.Action == "UpdateKMSEncryption" && c.Path.Contains("c-demo-hz-payments", StringComparison.Ordinal) && c.Status < 300 && Stack.Emulator.State.GetCluster("c-demo-hz-payments")!.EncryptionKeyId is null);
    }
}
