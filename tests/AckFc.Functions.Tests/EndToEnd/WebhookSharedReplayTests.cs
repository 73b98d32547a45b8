using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AckFc.Core.Signatures;
using AckFc.Functions;
using AckFc.Local.Emulator;
using Microsoft.Extensions.Logging;

namespace AckFc.Functions.Tests.EndToEnd;

/// <summary>
/// Issue 12: with the report store on OSS the webhook's replay memory is shared. Two real hosts (two Function Compute
/// instances) over loopback against one emulated region and its OSS: a signature accepted by one is refused by the
/// other, and while OSS cannot record the claim nothing is done and the answer is 503, never 500.
/// </summary>
public sealed class WebhookSharedReplayTests
{
    private const string Bucket = "ackfc-replay-test";
    private const string Path = "/clusters/c-demo-hz-analytics/kms";
    private const string Body = """{"kms_key_id":"key-demo-hz-spare","reason":"replay across instances"}""";

    private static readonly string[] OssStore =
    [
        $"ACKFC_REPORT_STORE=oss://{Bucket}/rig",
        "ACKFC_OSS_ENDPOINT={emulator}",
    ];

    [Fact]
    public async Task SignedRequestAcceptedByHostA_SameBytesReplayedToHostB_401AndNoSecondChange()
    {
        await using var rig = await WebhookRig.StartAsync(hosts: 2, settings: OssStore);
        rig.Emulator.Oss.EnsureBucket(Bucket);
        var bytes = Encoding.UTF8.GetBytes(Body);
        var signature = rig.Sign("PUT", Path, bytes);

        var (first, firstText) = await SendAsync(rig, 0, signature, bytes, "first");
        var (replayed, replayedText, replayedResponse) = await SendWithHeadersAsync(rig, 1, signature, bytes, "replayed");

        Assert.True(first is 200 or 202, $"host A: {first} {firstText}");
        Assert.Equal(401, replayed);
        Assert.Equal(WebhookAuthenticator.ReplayProblem, JsonDocument.Parse(replayedText).RootElement.GetProperty("detail").GetString());
        Assert.Equal(WebhookAuthentication.Scheme, replayedResponse.Headers.WwwAuthenticate.ToString());
        // One change reached ACK, one decision was audited (by host A; host B decided nothing).
        Assert.Equal(1, rig.Emulator.State.CountOf("UpdateKMSEncryption"));
        Assert.Empty(rig.Audits(1));
        Assert.Equal(["first"], rig.Audits(0).Select(a => a.GetProperty("requestId").GetString()).Distinct());
        // The claim is the one object under replay/: the key id, then the SHA-256 of v1.
        var v1 = signature[(signature.IndexOf("v1=", StringComparison.Ordinal) + 3)..];
        var claim = Assert.Single(rig.Emulator.Oss.Keys(Bucket), k => k.StartsWith("rig/replay/", StringComparison.Ordinal));
        Assert.Equal($"rig/replay/{WebhookRig.KeyId}/{Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(v1)))}", claim);
        // Replayed to host A as well: its own memory refuses it without asking OSS again.
        var putsBefore = rig.Emulator.State.CountOf("PutObject");
        Assert.Equal(401, (await SendAsync(rig, 0, signature, bytes, "replayed-to-a")).Status);
        Assert.Equal(putsBefore, rig.Emulator.State.CountOf("PutObject"));
        Assert.Equal(1, rig.Emulator.State.CountOf("UpdateKMSEncryption"));
        foreach (var host in new[] { 0, 1 })
        {
            Assert.Contains(rig.Logs(host), r => r.Level == LogLevel.Information
                && r.Message == $"Webhook replay memory: shared on oss://{Bucket}/rig/replay/ (create-only objects; a per-instance cache in front)");
        }
    }

    [Fact]
    public async Task OssOutage_503WithRetryAfterNothingApplied_AndTheSameRequestGoesThroughOnceOssIsBack()
    {
        await using var rig = await WebhookRig.StartAsync(hosts: 2, settings: OssStore);
        rig.Emulator.Oss.EnsureBucket(Bucket);
        var bytes = Encoding.UTF8.GetBytes(Body);
        var signature = rig.Sign("PUT", Path, bytes);
        rig.Emulator.State.Faults.Set("PutObject", new FaultProfile { ServiceUnavailableRate = 1 });

        var (status, text, response) = await SendWithHeadersAsync(rig, 0, signature, bytes, "during-outage");

        Assert.Equal(503, status);
        Assert.Equal(WebhookAuthenticator.ReplayMemoryUnavailableProblem, JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString());
        Assert.Equal("30", response.Headers.RetryAfter?.ToString());
        Assert.Equal(0, rig.Emulator.State.CountOf("UpdateKMSEncryption"));
        Assert.Equal(0, rig.Emulator.State.CountOf("DescribeClusterDetail"));
        Assert.Empty(rig.Audits(0));
        Assert.True(rig.Emulator.State.CountOf("PutObject") >= 1, "the claim was tried");
        Assert.DoesNotContain(rig.Emulator.Oss.Keys(Bucket), k => k.StartsWith("rig/replay/", StringComparison.Ordinal));
        var warning = Assert.Single(rig.Logs(0), r => r.Level >= LogLevel.Warning && r.Category == typeof(OssReplayMemory).FullName);
        Assert.Contains($"oss://{Bucket}/rig/replay/", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(rig.Secret, warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(rig.Logs(0), r => r.Level >= LogLevel.Error);

        // Nothing was done, so the caller's retry of the same bytes (here to the other instance) is the first use.
        rig.Emulator.State.Faults.Clear();
        var (retried, retriedText) = await SendAsync(rig, 1, signature, bytes, "after-outage");
        Assert.True(retried is 200 or 202, $"retry after the outage: {retried} {retriedText}");
        Assert.Equal(1, rig.Emulator.State.CountOf("UpdateKMSEncryption"));
        Assert.Equal(401, (await SendAsync(rig, 0, signature, bytes, "replay-after-outage")).Status);
        Assert.Equal(1, rig.Emulator.State.CountOf("UpdateKMSEncryption"));
    }

    [Fact]
    public async Task DirectoryStore_ReplayMemoryStaysPerInstance_NoOssCall()
    {
        await using var rig = await WebhookRig.StartAsync();
        var bytes = Array.Empty<byte>();
        var signature = rig.Sign("GET", Path, bytes);

        Assert.Equal(200, (await SendAsync(rig, 0, signature, bytes, "read", "GET")).Status);
        Assert.Equal(401, (await SendAsync(rig, 0, signature, bytes, "read-again", "GET")).Status);

        Assert.DoesNotContain(rig.Emulator.State.GetCalls(), c => c.Action == "PutObject");
        Assert.Contains(rig.Logs(), r => r.Level == LogLevel.Information
            && r.Message.StartsWith("Webhook replay memory: per instance (ACKFC_REPORT_STORE is not oss://", StringComparison.Ordinal));
    }

    private static async Task<(int Status, string Text)> SendAsync(WebhookRig rig, int host, string signature, byte[] body, string requestId, string method = "PUT")
    {
        var (status, text, response) = await SendWithHeadersAsync(rig, host, signature, body, requestId, method);
        response.Dispose();
        return (status, text);
    }

    private static async Task<(int Status, string Text, HttpResponseMessage Response)> SendWithHeadersAsync(
        WebhookRig rig, int host, string signature, byte[] body, string requestId, string method = "PUT")
    {
        using var client = rig.Client(host);
        using var request = new HttpRequestMessage(new HttpMethod(method), Path);
        if (body.Length > 0)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new("application/json");
        }

        request.Headers.TryAddWithoutValidation(AckFcSignature.HeaderName, signature);
        request.Headers.Add("x-fc-control-path", "/http-invoke");
        request.Headers.Add("x-fc-request-id", requestId);
        var response = await client.SendAsync(request);
        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }
}
