using System.Text;
using System.Text.Json;
using AckFc.Core.Signatures;
using AckFc.Functions;
using CsCheck;

namespace AckFc.Functions.Tests.EndToEnd;

/// <summary>
/// The fuzz suite's new cases (issue 17): validly signed bodies whose strings hold lone surrogates or bytes that are not
/// UTF-8, and requests with the signature header sent twice or with several v1 values. Oracle: never a 5xx, every
/// bad text a 400 naming a field, every ambiguous signature a 401, and nothing reaches UpdateKMSEncryption.
/// </summary>
public sealed class WebhookFuzzHostileTextTests : LocalRunTest
{
    private static readonly byte[][] BadText =
    [
        "\\ud800"u8.ToArray(), "\\udfff"u8.ToArray(), "\\ud83d\\u0041"u8.ToArray(), [0xFF], [0xC3], [0xC0, 0x80], [0xED, 0xA0, 0x80],
        [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80],
    ];

    private static readonly string[] Fields = ["kms_key_id", "reason"];

    [Fact]
    public async Task SignedBodiesWithBadText_Always400NamingTheField()
    {
        var gen =
            from field in Gen.OneOf(Fields)
            from bad in Gen.Int[0, BadText.Length - 1]
            from prefix in Gen.String[Gen.Char.AlphaNumeric, 0, 12]
            from suffix in Gen.String[Gen.Char.AlphaNumeric, 0, 12]
            from cluster in Gen.OneOf("c-demo-hz-analytics", "c-demo-hz-orders", "c-demo-sh-web")
            from method in Gen.OneOf("PUT", "POST")
            select (field, bad, prefix, suffix, cluster, method);

        var failures = new List<string>();
        await gen.SampleAsync(async sample =>
        {
            var (field, bad, prefix, suffix, cluster, method) = sample;
            var path = method == "PUT" ? $"/clusters/{cluster}/kms" : "/sweeps";
            var name = method == "PUT" ? field : "mode";
            byte[] body = method == "PUT" && field == "reason"
                ? [.. "{\"kms_key_id\":\"key-demo-hz-spare\",\"reason\":\""u8, .. Encoding.ASCII.GetBytes(prefix), .. BadText[bad], .. Encoding.ASCII.GetBytes(suffix), .. "\"}"u8]
                : [.. Encoding.ASCII.GetBytes($"{{\"{name}\":\"{prefix}"), .. BadText[bad], .. Encoding.ASCII.GetBytes(suffix + "\"}")];
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent(body) };
            request.Headers.TryAddWithoutValidation(AckFcSignature.HeaderName,
                Webhook.ContractSigner.Header(Stack.WebhookKeyId, Stack.WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), method, path, body));
            using var response = await Client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var ok = (int)response.StatusCode == 400
                && JsonDocument.Parse(text).RootElement.TryGetProperty("field", out var f) && f.GetString() == name;
            // A replayed signature (same second, same bytes) is a 401 and is fine too: it never reaches the parser.
            if (!ok && (int)response.StatusCode != 401)
            {
                lock (failures)
                {
                    failures.Add($"{method} {path} [{Convert.ToHexString(body)}] -> {(int)response.StatusCode}: {text}");
                }
            }
        }, iter: 1_000, threads: 2);

        Assert.Empty(failures);
        Assert.Equal(0, Stack.Emulator.State.CountOf("UpdateKMSEncryption"));
    }

    [Fact]
    public async Task AmbiguousSignatures_Always401()
    {
        var gen =
            from copies in Gen.Int[2, 4]
            from asHeaderLines in Gen.Bool
            from validAt in Gen.Int[0, 3]
            from garbage in Gen.String[Gen.Char.AlphaNumeric, 0, 64]
            select (copies, asHeaderLines, validAt, garbage);

        var failures = new List<string>();
        var round = 0;
        await gen.SampleAsync(async sample =>
        {
            var (copies, asHeaderLines, validAt, garbage) = sample;
            // A distinct query parameter per sample, so that no valid signature is a replay of another.
            var path = $"/clusters/c-demo-hz-analytics/kms?n={Interlocked.Increment(ref round)}";
            var body = """{"kms_key_id":"key-demo-hz-spare","dry_run":true}"""u8.ToArray();
            var valid = Webhook.ContractSigner.Header(Stack.WebhookKeyId, Stack.WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), "PUT", path, body);
            var values = Enumerable.Range(0, copies).Select(i => i == validAt % copies ? valid : $"t=1,kid=local,v1={garbage}").ToList();
            using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new ByteArrayContent(body) };
            if (asHeaderLines)
            {
                request.Headers.TryAddWithoutValidation(AckFcSignature.HeaderName, values);
            }
            else
            {
                // One header, its v1 given several times.
                var v1s = string.Join(",", values.Select(v => v[v.IndexOf("v1=", StringComparison.Ordinal)..]));
                request.Headers.TryAddWithoutValidation(AckFcSignature.HeaderName, valid[..valid.IndexOf("v1=", StringComparison.Ordinal)] + v1s);
            }

            using var response = await Client.SendAsync(request);
            if ((int)response.StatusCode != 401)
            {
                lock (failures)
                {
                    failures.Add($"{string.Join(" | ", request.Headers.GetValues(AckFcSignature.HeaderName))} -> {(int)response.StatusCode}");
                }
            }
        }, iter: 500, threads: 2);

        Assert.Empty(failures);
        Assert.Equal(0, Stack.Emulator.State.CountOf("UpdateKMSEncryption"));
    }
}
