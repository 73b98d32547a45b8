using System.Net;
using System.Text;
using System.Text.Json;
using AckFc.Core.Signatures;
using AckFc.Local.Emulator;
using Microsoft.Extensions.Logging;

namespace AckFc.Functions.Tests.EndToEnd;

/// <summary>
/// Hostile input over real HTTP (issue 17 items 6–11 and 13): a clear 4xx naming what is wrong, never a 500, and
/// nothing reaches ACK that should not. Raw sockets where the item is about the wire (slow bodies, lengths, headers).
/// </summary>
public sealed class WebhookHostileInputTests : IAsyncLifetime
{
    private WebhookRig rig = null!;

    public async Task InitializeAsync() => rig = await WebhookRig.StartAsync();

    public async Task DisposeAsync() => await rig.DisposeAsync();

    private long Updates => rig.Emulator.State.CountOf("UpdateKMSEncryption");

    private async Task<(int Status, JsonElement Body, string Text)> SendBytesAsync(string method, string path, byte[] body, int host = 0)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation(AckFcSignature.HeaderName, rig.Sign(method, path, body));
        request.Headers.Add("x-fc-control-path", "/http-invoke");
        using var client = rig.Client(host);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonElement json = default;
        if (text.StartsWith('{'))
        {
            json = JsonDocument.Parse(text).RootElement.Clone();
        }

        return ((int)response.StatusCode, json, text);
    }

    private Task<(int Status, JsonElement Body, string Text)> SendAsync(string method, string path, string body, int host = 0) =>
        SendBytesAsync(method, path, Encoding.UTF8.GetBytes(body), host);

    // ---- item 6: lone surrogates and invalid UTF-8 -----------------------------------------------------------

    [Theory]
    [InlineData("PUT", "/clusters/c-demo-hz-analytics/kms", """{"kms_key_id":"key-\ud800"}""", "kms_key_id")]
    [InlineData("PUT", "/clusters/c-demo-hz-analytics/kms", """{"kms_key_id":"key-demo-hz-spare","reason":"\udfff tail"}""", "reason")]
    [InlineData("PUT", "/clusters/c-demo-hz-analytics/kms", """{"kms\ud800":"key-demo-hz-spare"}""", "body")]
    [InlineData("POST", "/sweeps", """{"mode":"\ud83d"}""", "mode")]
    [InlineData("POST", "/sweeps", """{"regions":["cn-\udc00"]}""", "regions")]
    public async Task LoneSurrogate_400NamingTheField(string method, string path, string body, string field)
    {
        var (status, problem, text) = await SendAsync(method, path, body);

        Assert.True(status == 400, $"{status}: {text}");
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Equal(0, Updates);
    }

    [Theory]
    [InlineData("PUT", "/clusters/c-demo-hz-analytics/kms", "{\"kms_key_id\":\"key-", "\"}", "kms_key_id")]
    [InlineData("PUT", "/clusters/c-demo-hz-analytics/kms", "{\"kms_key_id\":\"key-demo-hz-spare\",\"reason\":\"", "\"}", "reason")]
    [InlineData("POST", "/sweeps", "{\"mode\":\"", "\"}", "mode")]
    public async Task InvalidUtf8_400NamingTheField(string method, string path, string before, string after, string field)
    {
        foreach (var bad in new byte[][] { [0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC0, 0xAF] })
        {
            byte[] body = [.. Encoding.UTF8.GetBytes(before), .. bad, .. Encoding.UTF8.GetBytes(after)];
            var (status, problem, text) = await SendBytesAsync(method, path, body);

            Assert.True(status == 400, $"{Convert.ToHexString(bad)}: {status}: {text}");
            Assert.Equal(field, problem.GetProperty("field").GetString());
        }

        Assert.Equal(0, Updates);
    }

    // ---- item 9: exact cluster ids ------------------------------------------------------------------------

    [Theory]
    [InlineData("/clusters/c-demo-hz-orders%0A/kms")]
    [InlineData("/clusters/c-demo-hz-orders%0D%0A/kms")]
    [InlineData("/clusters/%0Ac-demo-hz-orders/kms")]
    public async Task ClusterIdWithNewline_400AndNeverReachesTheCloud(string path)
    {
        foreach (var method in new[] { "GET", "PUT" })
        {
            var calls = rig.Emulator.State.GetCalls().Count;
            var (status, problem, text) = await SendAsync(method, path, method == "PUT" ? """{"kms_key_id":"key-demo-hz-orders"}""" : "");

            Assert.True(status == 400, $"{method} {path}: {status}: {text}");
            Assert.Equal("clusterId", problem.GetProperty("field").GetString());
            Assert.Equal(calls, rig.Emulator.State.GetCalls().Count);
        }
    }

    [Fact]
    public async Task ClusterIdEncodedTwice_DecodedOnce_400AndNeverReachesTheCloud()
    {
        // %252D decodes once to %2D, which is not a cluster id; decoded twice (the path, then the segment) it was '-',
        // and the call acted on c-demo-hz-orders although the caller signed a different path.
        foreach (var method in new[] { "GET", "PUT" })
        {
            var calls = rig.Emulator.State.GetCalls().Count;
            var (status, problem, text) = await SendAsync(method, "/clusters/c%252Ddemo-hz-orders/kms", method == "PUT" ? """{"kms_key_id":"key-demo-hz-orders","dry_run":true}""" : "");

            Assert.True(status == 400, $"{method}: {status}: {text}");
            Assert.Equal("clusterId", problem.GetProperty("field").GetString());
            Assert.Equal(calls, rig.Emulator.State.GetCalls().Count);
        }
    }

    // ---- item 10: ambiguous signatures ---------------------------------------------------------------------

    [Fact]
    public async Task SeveralV1Values_401()
    {
        const string path = "/clusters/c-demo-hz-analytics/kms";
        var body = Encoding.UTF8.GetBytes("""{"kms_key_id":"key-demo-hz-spare","dry_run":true}""");
        var good = rig.Sign("PUT", path, body);
        var v1 = good[(good.IndexOf("v1=", StringComparison.Ordinal) + 3)..];
        foreach (var header in new[] { $"{good},v1={new string('0', 64)}", good.Replace("v1=", $"v1={new string('0', 64)},v1=", StringComparison.Ordinal), $"{good},v1={v1}" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new ByteArrayContent(body) };
            request.Headers.TryAddWithoutValidation(AckFcSignature.HeaderName, header);
            using var client = rig.Client();
            using var response = await client.SendAsync(request);

            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{header}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task DuplicateSignatureHeaderLines_401()
    {
        // Raw bytes: two X-AckFc-Signature lines, garbage first and a valid one last (the last used to win).
        const string path = "/clusters/c-demo-hz-analytics/kms";
        var body = Encoding.UTF8.GetBytes("""{"kms_key_id":"key-demo-hz-spare"}""");
        var head = rig.SignedHead("PUT", path, body, "dup-headers");
        var signatureLine = head.Split("\r\n").Single(l => l.StartsWith(AckFcSignature.HeaderName, StringComparison.Ordinal));
        foreach (var first in new[] { $"{AckFcSignature.HeaderName}: t=1,kid=local,v1=00", signatureLine })
        {
            var twice = head.Replace(signatureLine, first + "\r\n" + signatureLine, StringComparison.Ordinal);
            using var tcp = await rig.ConnectAsync();
            var stream = tcp.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(twice).Concat(body).ToArray());
            var (status, text) = await WebhookRig.ReadAnswerAsync(stream, TimeSpan.FromSeconds(20));

            Assert.True(status == 401, $"{status}: {text}");
        }

        Assert.Equal(0, Updates);
    }

    [Fact]
    public async Task TwoIdenticalRequestsInOneSecond_DistinctQueryParameterIsTheNonce()
    {
        // The documented way to send the same request twice within a second: a distinct query parameter, which is signed.
        var body = """{"kms_key_id":"key-demo-hz-spare","dry_run":true}""";
        var at = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var bytes = Encoding.UTF8.GetBytes(body);
        async Task<int> Send(string path, long t)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new ByteArrayContent(bytes) };
            request.Headers.TryAddWithoutValidation(AckFcSignature.HeaderName, rig.Sign("PUT", path, bytes, t));
            using var client = rig.Client();
            using var response = await client.SendAsync(request);
            return (int)response.StatusCode;
        }

        Assert.Equal(200, await Send("/clusters/c-demo-hz-analytics/kms", at));
        Assert.Equal(401, await Send("/clusters/c-demo-hz-analytics/kms", at));
        Assert.Equal(200, await Send("/clusters/c-demo-hz-analytics/kms?n=2", at));
        Assert.Equal(200, await Send("/clusters/c-demo-hz-analytics/kms?n=3", at));
    }

    // ---- item 11: ambiguous bodies and the configured scope ---------------------------------------------------

    [Theory]
    [InlineData("""{"kms_key_id":"key-demo-hz-orders","disable_encryption":true}""")]
    [InlineData("""{"disable_encryption":true,"kms_key_id":""}""")]
    public async Task KeyTogetherWithDisable_400Ambiguous(string body)
    {
        var (status, problem, text) = await SendAsync("PUT", "/clusters/c-demo-hz-orders/kms", body);

        Assert.True(status == 400, $"{status}: {text}");
        Assert.Equal("kms_key_id", problem.GetProperty("field").GetString());
        Assert.Contains("Ambiguous", problem.GetProperty("detail").GetString()!, StringComparison.Ordinal);
        Assert.Equal(0, Updates);
        Assert.Equal("key-demo-hz-orders", rig.Emulator.State.GetCluster("c-demo-hz-orders")!.EncryptionKeyId);
    }

    [Fact]
    public async Task ClusterOutsideTheConfiguredRegions_404ForGetAndPut()
    {
        await using var hangzhouOnly = await WebhookRig.StartAsync(settings: "ACKFC_REGIONS=cn-hangzhou");
        foreach (var (method, body) in new[] { ("GET", ""), ("PUT", """{"kms_key_id":"key-demo-sh-spare"}""") })
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            using var request = new HttpRequestMessage(new HttpMethod(method), "/clusters/c-demo-sh-web/kms") { Content = new ByteArrayContent(bytes) };
            request.Headers.TryAddWithoutValidation(AckFcSignature.HeaderName, hangzhouOnly.Sign(method, "/clusters/c-demo-sh-web/kms", bytes));
            using var client = hangzhouOnly.Client();
            using var response = await client.SendAsync(request);

            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method}: {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        Assert.Equal(0, hangzhouOnly.Emulator.State.CountOf("UpdateKMSEncryption"));
        Assert.Equal("key-demo-sh-web", hangzhouOnly.Emulator.State.GetCluster("c-demo-sh-web")!.EncryptionKeyId);
    }

    [Fact]
    public async Task SweepOfARegionOutsideTheConfiguredOnes_400NamingRegions_NothingListed()
    {
        await using var hangzhouOnly = await WebhookRig.StartAsync(settings: "ACKFC_REGIONS=cn-hangzhou");
        var bytes = Encoding.UTF8.GetBytes("""{"mode":"report","regions":["cn-hangzhou","cn-shanghai"]}""");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/sweeps") { Content = new ByteArrayContent(bytes) };
        request.Headers.TryAddWithoutValidation(AckFcSignature.HeaderName, hangzhouOnly.Sign("POST", "/sweeps", bytes));
        using var client = hangzhouOnly.Client();
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        using var problem = JsonDocument.Parse(text);
        Assert.Equal("regions", problem.RootElement.GetProperty("field").GetString());
        Assert.Contains("cn-shanghai", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, hangzhouOnly.Emulator.State.CountOf("DescribeClustersV1"));
    }

    // ---- item 13: the cloud's failures are 502/503, never 400/403, and its diagnostics stay in the log ----------

    [Fact]
    public async Task OwnSignatureRejectedByTheCloud_502ForPutAndGet_WithoutTheCanonicalRequest()
    {
        await using var wrong = await WebhookRig.StartAsync(settings: "ALIBABA_CLOUD_ACCESS_KEY_SECRET=not-the-emulator-secret-at-all");
        foreach (var (method, body) in new[] { ("GET", ""), ("PUT", """{"kms_key_id":"key-demo-hz-spare"}""") })
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            using var request = new HttpRequestMessage(new HttpMethod(method), "/clusters/c-demo-hz-analytics/kms") { Content = new ByteArrayContent(bytes) };
            request.Headers.TryAddWithoutValidation(AckFcSignature.HeaderName, wrong.Sign(method, "/clusters/c-demo-hz-analytics/kms", bytes));
            using var client = wrong.Client();
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();

            Assert.True(response.StatusCode == HttpStatusCode.BadGateway, $"{method}: {(int)response.StatusCode}: {text}");
            Assert.Contains("SignatureDoesNotMatch", text, StringComparison.Ordinal);
            Assert.DoesNotContain(wrong.Emulator.Credential.AccessKeyId, text, StringComparison.Ordinal);
            Assert.DoesNotContain(wrong.Emulator.Endpoint.Replace("http://", "", StringComparison.Ordinal), text, StringComparison.Ordinal);
            Assert.DoesNotContain("x-acs-", text, StringComparison.OrdinalIgnoreCase);
        }

        // The diagnostics are still there for the operator: in the log.
        Assert.Contains(wrong.Logs(), r => r.Message.Contains("SignatureDoesNotMatch", StringComparison.Ordinal) && r.Level >= LogLevel.Warning);
        Assert.Equal(0, wrong.Emulator.State.CountOf("UpdateKMSEncryption"));
    }

    [Theory]
    [InlineData("ListKeys")]
    [InlineData("ListAliases")]
    [InlineData("DescribeKey")]
    [InlineData("DescribeClusterDetail")]
    public async Task CloudUnavailableDuringTheReads_503NotDeniedByPolicy(string action)
    {
        await using var flaky = await WebhookRig.StartAsync(settings: ["ACKFC_CLOUD_MAX_ATTEMPTS=1"]);
        flaky.Emulator.State.Faults.Set(action, new FaultProfile { ServiceUnavailableRate = 1 });
        var bytes = Encoding.UTF8.GetBytes("""{"kms_key_id":"key-demo-hz-spare"}""");
        using var request = new HttpRequestMessage(HttpMethod.Put, "/clusters/c-demo-hz-analytics/kms") { Content = new ByteArrayContent(bytes) };
        request.Headers.TryAddWithoutValidation(AckFcSignature.HeaderName, flaky.Sign("PUT", "/clusters/c-demo-hz-analytics/kms", bytes));
        using var client = flaky.Client();
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{action}: {(int)response.StatusCode}: {text}");
        Assert.Equal(0, flaky.Emulator.State.CountOf("UpdateKMSEncryption"));
    }

    // ---- item 7: slow bodies --------------------------------------------------------------------------------

    [Fact]
    public async Task SlowBodies_408AndAtMostOneLogLine()
    {
        // Below Kestrel's minimum data rate (240 bytes/s after a 5 s grace): three connections trickle one byte a second.
        var body = Encoding.UTF8.GetBytes("""{"kms_key_id":"key-demo-hz-spare","reason":"slow"}""");
        var answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(async i =>
        {
            using var tcp = await rig.ConnectAsync();
            var stream = tcp.GetStream();
            var head = rig.SignedHead("PUT", "/clusters/c-demo-hz-analytics/kms", [.. body, .. new byte[2000]], "slow-" + i);
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            var reading = WebhookRig.ReadAnswerAsync(stream, TimeSpan.FromSeconds(30));
            try
            {
                for (var b = 0; b < body.Length && !reading.IsCompleted; b++)
                {
                    await stream.WriteAsync(body.AsMemory(b, 1));
                    await Task.WhenAny(reading, Task.Delay(1000));
                }
            }
            catch (IOException)
            {
                // The server gave up on us: what it answered is read below.
            }

            return await reading;
        }));

        Assert.All(answers, a => Assert.True(a.Status is 408 or 400, $"{a.Status}: {a.Text}"));
        Assert.DoesNotContain(rig.Logs(), r => r.Level >= LogLevel.Error);
        Assert.True(rig.Logs().Count(r => r.Level >= LogLevel.Warning) <= 1, string.Join("\n", rig.Logs().Where(r => r.Level >= LogLevel.Warning).Select(r => r.Message)));
        Assert.Equal(0, Updates);
    }

    // ---- item 8: bodies refused by their length, reading stops at the limit ---------------------------------

    [Fact]
    public async Task DeclaredLengthOverTheLimit_413BeforeTheBodyIsSent()
    {
        using var tcp = await rig.ConnectAsync();
        var stream = tcp.GetStream();
        var head = rig.SignedHead("PUT", "/clusters/c-demo-hz-analytics/kms", new byte[1024 * 1024], "declared-1mib");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        // Not a byte of the body follows: the answer must come from the declared length alone.
        var (status, text) = await WebhookRig.ReadAnswerAsync(stream, TimeSpan.FromSeconds(10));

        Assert.True(status == 413, $"{status}: {text}");
    }

    [Fact]
    public async Task ChunkedBodyOverTheLimit_413()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/clusters/c-demo-hz-analytics/kms")
        {
            Content = new StreamContent(new MemoryStream(new byte[200 * 1024])),
        };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.TryAddWithoutValidation(AckFcSignature.HeaderName, "t=1,kid=local,v1=00");
        using var client = rig.Client();
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task ThreeHundredConcurrentOneMebibytePuts_AllRefusedWithoutBufferingThem()
    {
        var payload = new byte[1024 * 1024];
        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var statuses = await Task.WhenAll(Enumerable.Range(0, 300).Select(async i =>
        {
            using var tcp = await rig.ConnectAsync();
            var stream = tcp.GetStream();
            var head = $"PUT /clusters/c-demo-hz-analytics/kms HTTP/1.1\r\nHost: x\r\nContent-Length: {payload.Length}\r\n{AckFcSignature.HeaderName}: t=1,kid=local,v1=00\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            var reading = WebhookRig.ReadAnswerAsync(stream, TimeSpan.FromSeconds(60));
            try
            {
                await stream.WriteAsync(payload);
            }
            catch (IOException)
            {
                // The server answered and stopped reading.
            }

            return (await reading).Status;
        }));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        Assert.All(statuses, s => Assert.Equal(413, s));
        Console.WriteLine($"300 concurrent 1 MiB PUTs: {allocated / (1024 * 1024)} MiB allocated in the test process (client and host)");
        // Buffering each body would allocate at least 300 MiB; refusing by Content-Length allocates a small fraction.
        Assert.True(allocated < 100L * 1024 * 1024, $"{allocated / (1024 * 1024)} MiB allocated");
    }
}
