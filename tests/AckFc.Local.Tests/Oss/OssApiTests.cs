using System.Net;
using System.Security.Cryptography;
using System.Text;
using AckFc.AlibabaCloud.Oss;
using AckFc.Local.Emulator;

namespace AckFc.Local.Tests.Oss;

/// <summary>The emulated OSS spoken to by hand: addressing styles, V1 and V4 verification, and the API rules OSS enforces.</summary>
public sealed class OssApiTests : IAsyncLifetime
{
    private RunningEmulator emulator = null!;
    private readonly HttpClient http = new();

    public async Task InitializeAsync() => emulator = await EmulatorHost.StartAsync(new EmulatorOptions());

    public async Task DisposeAsync()
    {
        http.Dispose();
        await emulator.DisposeAsync();
    }

    /// <summary>A V4 header-signed request; <paramref name="host"/> set means virtual-hosted (path is then the key).</summary>
    private HttpRequestMessage SignedV4(HttpMethod method, string key, string? host = null, string? secret = null, Action<HttpRequestMessage>? extra = null, byte[]? body = null)
    {
        var path = host is null ? "/" + OssApi.DefaultBucket + "/" + OssV4Signer.UriEncode(key, true) : "/" + OssV4Signer.UriEncode(key, true);
        var message = new HttpRequestMessage(method, emulator.Endpoint + path);
        if (host is not null)
        {
            message.Headers.Host = host;
        }

        if (body is not null)
        {
            message.Content = new ByteArrayContent(body);
            message.Content.Headers.TryAddWithoutValidation("Content-Type", "text/plain");
        }

        var date = OssV4Signer.FormatTimestamp(DateTimeOffset.UtcNow);
        message.Headers.TryAddWithoutValidation("x-oss-date", date);
        message.Headers.TryAddWithoutValidation("x-oss-content-sha256", OssV4Signer.UnsignedPayload);
        extra?.Invoke(message);
        var headers = message.Headers.NonValidated.Select(h => new KeyValuePair<string, string>(h.Key, h.Value.ToString()))
            .Concat(message.Content?.Headers.NonValidated.Select(h => new KeyValuePair<string, string>(h.Key, h.Value.ToString())) ?? []).ToList();
        var signature = OssV4Signer.SignHeaders(method.Method, OssApi.DefaultBucket, key, [], headers, null, "cn-hangzhou", secret ?? emulator.Credential.AccessKeySecret);
        message.Headers.TryAddWithoutValidation("Authorization", signature.AuthorizationHeader(emulator.Credential.AccessKeyId));
        return message;
    }

    [Fact]
    public async Task VirtualHostedStyle_BucketFromTheHostHeader()
    {
        const string host = OssApi.DefaultBucket + ".oss-cn-hangzhou.aliyuncs.com";
        using (var put = await http.SendAsync(SignedV4(HttpMethod.Put, "v/h.txt", host, body: "hosted"u8.ToArray())))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            Assert.NotNull(put.Headers.ETag);
        }

        using var get = await http.SendAsync(SignedV4(HttpMethod.Get, "v/h.txt", host));
        Assert.Equal("hosted", await get.Content.ReadAsStringAsync());
        Assert.Contains("v/h.txt", emulator.State.GetCalls().Where(c => c.Product == "OSS").Select(c => c.Path).Last(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("If-Match", "\"ABC\"")]
    [InlineData("If-None-Match", "*")]
    [InlineData("If-Modified-Since", "Tue, 01 Dec 2026 00:00:00 GMT")]
    [InlineData("If-Unmodified-Since", "Tue, 01 Dec 2026 00:00:00 GMT")]
    public async Task ConditionalHeaderOnPut_Is400NotImplemented(string header, string value)
    {
        using var response = await http.SendAsync(SignedV4(HttpMethod.Put, "cond", extra: m => m.Headers.TryAddWithoutValidation(header, value), body: "x"u8.ToArray()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var xml = await response.Content.ReadAsStringAsync();
        Assert.Contains("<Code>NotImplemented</Code>", xml, StringComparison.Ordinal);
        Assert.Contains($"<Header>{header}</Header>", xml, StringComparison.Ordinal);
        Assert.DoesNotContain("cond", emulator.Oss.Keys(OssApi.DefaultBucket));
    }

    [Fact]
    public async Task InvalidForbidOverwriteValue_Is400()
    {
        using var response = await http.SendAsync(SignedV4(HttpMethod.Put, "f", extra: m => m.Headers.TryAddWithoutValidation("x-oss-forbid-overwrite", "yes"), body: "x"u8.ToArray()));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task HeadOfMissingKey_404WithoutBody_ErrorInXOssErr()
    {
        using var response = await http.SendAsync(SignedV4(HttpMethod.Head, "missing"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        var xml = Encoding.UTF8.GetString(Convert.FromBase64String(response.Headers.GetValues("x-oss-err").Single()));
        Assert.Contains("<Code>NoSuchKey</Code>", xml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteOfMissingKey_Is204()
    {
        using var response = await http.SendAsync(SignedV4(HttpMethod.Delete, "never-was"));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task WrongSecretOrUnsignedOrSkewed_AreRefused()
    {
        using var wrong = await http.SendAsync(SignedV4(HttpMethod.Get, "x", secret: "wrong"));
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Contains("SignatureDoesNotMatch", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var anonymous = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, emulator.Endpoint + "/x") { Headers = { Host = OssApi.DefaultBucket + ".oss-cn-hangzhou.aliyuncs.com" } });
        Assert.Equal(HttpStatusCode.Forbidden, anonymous.StatusCode);

        var skewed = SignedV4(HttpMethod.Get, "x");
        skewed.Headers.Remove("x-oss-date");
        skewed.Headers.TryAddWithoutValidation("x-oss-date", OssV4Signer.FormatTimestamp(DateTimeOffset.UtcNow.AddHours(-1)));
        using var skewedResponse = await http.SendAsync(skewed);
        Assert.Equal(HttpStatusCode.Forbidden, skewedResponse.StatusCode);
    }

    [Fact]
    public async Task V1Signature_HeaderAndPresigned_VerifiedAndWrongOneRefused()
    {
        string V1(string secret, string stringToSign) =>
#pragma warning disable CA5350 // V1 is HMAC-SHA1 by definition.
            Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(stringToSign)));
#pragma warning restore CA5350

        HttpRequestMessage Put(string secret)
        {
            var date = DateTimeOffset.UtcNow.ToString("R");
            var message = new HttpRequestMessage(HttpMethod.Put, emulator.Endpoint + "/" + OssApi.DefaultBucket + "/v1/key%2B1") { Content = new ByteArrayContent("v1"u8.ToArray()) };
            message.Content.Headers.TryAddWithoutValidation("Content-Type", "text/plain");
            message.Headers.TryAddWithoutValidation("x-oss-date", date);
            message.Headers.TryAddWithoutValidation("x-oss-meta-author", "alice");
            var sts = $"PUT\n\ntext/plain\n{date}\nx-oss-date:{date}\nx-oss-meta-author:alice\n/{OssApi.DefaultBucket}/v1/key+1";
            message.Headers.TryAddWithoutValidation("Authorization", $"OSS {emulator.Credential.AccessKeyId}:{V1(secret, sts)}");
            return message;
        }

        using (var ok = await http.SendAsync(Put(emulator.Credential.AccessKeySecret)))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using (var refused = await http.SendAsync(Put("wrong")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        var expires = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();
        var signature = V1(emulator.Credential.AccessKeySecret, $"GET\n\n\n{expires}\n/{OssApi.DefaultBucket}/v1/key+1");
        var url = $"{emulator.Endpoint}/{OssApi.DefaultBucket}/v1/key%2B1?Expires={expires}&OSSAccessKeyId={emulator.Credential.AccessKeyId}&Signature={Uri.EscapeDataString(signature)}";
        Assert.Equal("v1", await http.GetStringAsync(url));
    }
}
