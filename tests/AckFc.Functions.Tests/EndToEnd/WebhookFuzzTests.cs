using System.Text;
using AckFc.Core.Signatures;
using AckFc.Functions;
using AckFc.Functions.Tests.Webhook;
using AckFc.Local.Runner;
using CsCheck;

namespace AckFc.Functions.Tests.EndToEnd;

/// <summary>
/// Random and mutated webhook requests against the real host and emulator: never a 5xx, every answer the one an
/// independent model decides before the request is sent (<see cref="WebhookRouteOracle"/> for requests without a
/// valid signature, <see cref="DemoPolicyOracle"/> for signed changes), and nothing that is not validly signed and
/// allowed reaches UpdateKMSEncryption (the emulator's call log is the witness).
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
                request.Headers.TryAddWithoutValidation(AckFcSignature.HeaderName, signature);
            }

            request.Headers.Add("x-fc-control-path", "/http-invoke");
            // None of these signatures is valid: every route must refuse with 401, whatever the method and body.
            var expected = WebhookRouteOracle.ExpectedWithoutValidSignature(method, new Uri(Client.BaseAddress!, path).AbsolutePath);
            using var response = await Client.SendAsync(request);
            if ((int)response.StatusCode >= 500 || (int)response.StatusCode != expected)
            {
                lock (failures)
                {
                    failures.Add($"{method} {path} [{body}] signature [{signature}] -> {(int)response.StatusCode}, expected {expected}");
                }
            }
        }, iter: 10_000, threads: 4);

        Assert.Equal(10_000, tried);
        Assert.True(failures.Count == 0, $"{failures.Count} answers differ from the route oracle:\n" + string.Join('\n', failures.Take(20)));
        Assert.Equal(0, Stack.Emulator.State.CountOf("UpdateKMSEncryption"));
    }

    [Fact]
    public async Task SignedRandomBodies_NeverServerErrorAndOnlyAllowedChangesReachAck()
    {
        // One at a time, so the oracle can follow what each applied change did (the new key, ACK's cool-down).
        var oracle = new DemoPolicyOracle();
        var keyBodies =
            from key in Gen.OneOf(DemoPolicyOracle.KeyChoices)
            from dryRun in Gen.Bool
            select dryRun ? $$"""{"kms_key_id":"{{key}}","dry_run":true}""" : $$"""{"kms_key_id":"{{key}}"}""";
        var gen =
            from cluster in Gen.OneOf("c-demo-hz-payments", "c-demo-hz-orders", "c-demo-sh-web", "c-demo-hz-batch", "c-demo-hz-basic", "c-missing1")
            from body in Gen.OneOf(Gen.OneOf(Bodies), Gen.String[0, 120], keyBodies, keyBodies, Gen.OneOf("""{"disable_encryption":true}""", """{"disable_encryption":true,"dry_run":true}"""))
            from age in Gen.Int[0, 120]
            select (cluster, body, age);

        var failures = new List<string>();
        var decided = new Dictionary<string, int>(StringComparer.Ordinal);
        await gen.SampleAsync(async sample =>
        {
            var (cluster, body, age) = sample;
            var path = $"/clusters/{cluster}/kms";
            var bytes = Encoding.UTF8.GetBytes(body);
            var signature = ContractSigner.Header(Stack.WebhookKeyId, Stack.WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - age, "PUT", path, bytes);
            var expected = oracle.Decide(cluster, bytes, signature);
            var callsBefore = Stack.Emulator.State.CountOf("UpdateKMSEncryption");
            using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new ByteArrayContent(bytes) };
            request.Headers.TryAddWithoutValidation(AckFcSignature.HeaderName, signature);
            request.Headers.Add("x-fc-control-path", "/http-invoke");
            using var response = await Client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            var outcome = status is 200 or 202 ? System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("outcome").GetString() : null;
            var reached = Stack.Emulator.State.CountOf("UpdateKMSEncryption") - callsBefore;
            var statusRight = expected.Outcome == "applied" ? (status, outcome) is (200, "applied") or (202, "accepted") : status == expected.Status && outcome == expected.Outcome;
            if (!statusRight || reached != (expected.ReachesAck ? 1 : 0))
            {
                failures.Add($"{path} [{body}] -> {status} {outcome}, {reached} UpdateKMSEncryption; the oracle says {expected.Status} {expected.Outcome} " +
                             $"({expected.Why}), {(expected.ReachesAck ? 1 : 0)} UpdateKMSEncryption. Answer: {text}");
            }

            var key = $"{expected.Status} {expected.Outcome}";
            decided[key] = decided.GetValueOrDefault(key) + 1;
        }, iter: 2_000, threads: 1);

        Assert.True(failures.Count == 0, $"{failures.Count} answers differ from the oracle:\n" + string.Join('\n', failures.Take(20)));
        // The generator reached every kind of answer the oracle knows, so none of them is checked vacuously.
        foreach (var kind in new[] { "400 ", "401 ", "403 ", "404 ", "409 ", "200 noChange", "200 dryRun", "200 applied" })
        {
            Assert.True(decided.ContainsKey(kind), $"no request was decided {kind}: {string.Join(", ", decided.Select(d => $"{d.Key} x{d.Value}"))}");
        }

        foreach (var (clusterId, key) in oracle.Clusters)
        {
            var emulated = Stack.Emulator.State.GetCluster(clusterId)!;
            Assert.True(key == (emulated.EncryptionDisabled ? null : emulated.EncryptionKeyId), $"{clusterId}: the oracle says key {key ?? "none"}, ACK has {(emulated.EncryptionDisabled ? "encryption off" : emulated.EncryptionKeyId)}");
        }
    }
}
