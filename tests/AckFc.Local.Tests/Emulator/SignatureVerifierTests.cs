using System.Text;
using AckFc.AlibabaCloud.Signing;
using AckFc.Local.Emulator;
using Microsoft.Extensions.Time.Testing;

namespace AckFc.Local.Tests.Emulator;

public sealed class SignatureVerifierTests
{
    private static SignedRequest DescribeKey(string keyId = "key-demo-hz-prod") => SignedRequest.Kms("DescribeKey", ("KeyId", keyId));

    [Fact]
    public async Task Verify_ValidSignature_Answers200()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(DescribeKey());

        Assert.Equal(200, status);
        Assert.Equal("key-demo-hz-prod", body.GetProperty("KeyMetadata").GetProperty("KeyId").GetString());
    }

    [Fact]
    public async Task Verify_WrongSecret_SignatureDoesNotMatchShowingServerStringToSign()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(new SignedRequest
        {
            Action = "DescribeKey",
            Query = [new("KeyId", "key-demo-hz-prod")],
            Secret = "not-the-secret",
        });

        Assert.Equal(400, status);
        Assert.Equal("SignatureDoesNotMatch", body.GetProperty("Code").GetString());
        var message = body.GetProperty("Message").GetString()!;
        Assert.Contains("server string to sign is:ACS3-HMAC-SHA256\n", message, StringComparison.Ordinal);
        Assert.DoesNotContain(TestEmulator.Credential.AccessKeySecret, message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("HostId").GetString()));
    }

    [Fact]
    public async Task Verify_UnknownAccessKey_InvalidAccessKeyIdNotFound404()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(new SignedRequest
        {
            Action = "DescribeKey",
            Query = [new("KeyId", "key-demo-hz-prod")],
            AccessKeyId = "someone-else",
        });

        Assert.Equal(404, status);
        Assert.Equal("InvalidAccessKeyId.NotFound", body.GetProperty("Code").GetString());
    }

    [Fact]
    public async Task Verify_NoAuthorization_IncompleteSignature()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(new SignedRequest { Action = "ListKeys", OmitAuthorization = true });

        Assert.Equal(400, status);
        Assert.Equal("IncompleteSignature", body.GetProperty("Code").GetString());
    }

    [Theory]
    [InlineData("x-acs-credentials-provider")]
    [InlineData("x-acs-something-new")]
    public async Task Verify_UnsignedAcsHeader_IncompleteSignatureNamingIt(string header)
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(new SignedRequest
        {
            Action = "ListKeys",
            UnsignedHeaders = new() { [header] = "static_ak" },
        });

        Assert.Equal(400, status);
        Assert.Equal("IncompleteSignature", body.GetProperty("Code").GetString());
        Assert.Contains(header, body.GetProperty("Message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_BodyHashDiffersFromBody_SignatureDoesNotMatchNamingTheHash()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(new SignedRequest
        {
            Action = "DescribeKey",
            Body = "KeyId=key-demo-hz-prod"u8.ToArray(),
            ContentType = "application/x-www-form-urlencoded",
            BodyHashOverride = AcsV3Signer.EmptyPayloadHash,
        });

        Assert.Equal(400, status);
        Assert.Equal("SignatureDoesNotMatch", body.GetProperty("Code").GetString());
        Assert.Contains("x-acs-content-sha256", body.GetProperty("Message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-16, "InvalidTimeStamp.Expired")]
    [InlineData(16, "InvalidTimeStamp.Expired")]
    [InlineData(-14, null)]
    [InlineData(14, null)]
    public async Task Verify_ClockSkew_RefusedBeyondFifteenMinutes(int minutes, string? expectedCode)
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(new SignedRequest
        {
            Action = "DescribeKey",
            Query = [new("KeyId", "key-demo-hz-prod")],
            Date = TestEmulator.Start.AddMinutes(minutes),
        });

        if (expectedCode is null)
        {
            Assert.Equal(200, status);
        }
        else
        {
            Assert.Equal(400, status);
            Assert.Equal(expectedCode, body.GetProperty("Code").GetString());
        }
    }

    [Fact]
    public async Task Verify_NonceReused_SignatureNonceUsed()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);
        var request = new SignedRequest { Action = "ListKeys", Nonce = "nonce-reused-once" };

        var first = await client.SendJsonAsync(request);
        var second = await client.SendJsonAsync(request);

        Assert.Equal(200, first.Status);
        Assert.Equal(400, second.Status);
        Assert.Equal("SignatureNonceUsed", second.Body.GetProperty("Code").GetString());
    }

    [Fact]
    public async Task Verify_ReplayAfterWindow_RefusedByTheDateSoNoncesCanExpire()
    {
        var time = new FakeTimeProvider(TestEmulator.Start);
        await using var emulator = await TestEmulator.StartAsync(time);
        using var client = new SignedClient(emulator);
        var request = new SignedRequest { Action = "ListKeys", Nonce = "nonce-old", Date = TestEmulator.Start };

        var first = await client.SendJsonAsync(request);
        time.Advance(TimeSpan.FromMinutes(20));
        var replay = await client.SendJsonAsync(request);

        Assert.Equal(200, first.Status);
        Assert.Equal("InvalidTimeStamp.Expired", replay.Body.GetProperty("Code").GetString());
    }

    [Fact]
    public async Task Verify_StsTokenSigned_Accepted()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, _, _) = await client.SendJsonAsync(new SignedRequest { Action = "ListKeys", SecurityToken = "sts-token+/=" });

        Assert.Equal(200, status);
    }

    [Fact]
    public async Task Verify_StsTokenNotSigned_IncompleteSignature()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(new SignedRequest { Action = "ListKeys", SecurityToken = "sts-token", SignSecurityToken = false });

        Assert.Equal(400, status);
        Assert.Equal("IncompleteSignature", body.GetProperty("Code").GetString());
        Assert.Contains("x-acs-security-token", body.GetProperty("Message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ConfiguredStsTokenMismatch_Refused()
    {
        await using var emulator = await TestEmulator.StartAsync(configure: o =>
        {
            o.Credentials.Clear();
            o.Credentials.Add(TestEmulator.Credential with { SecurityToken = "the-right-token" });
        });
        using var client = new SignedClient(emulator);

        var wrong = await client.SendJsonAsync(new SignedRequest { Action = "ListKeys", SecurityToken = "another-token" });
        var right = await client.SendJsonAsync(new SignedRequest { Action = "ListKeys", SecurityToken = "the-right-token" });

        Assert.Equal("InvalidSecurityToken.MismatchWithAccessKey", wrong.Body.GetProperty("Code").GetString());
        Assert.Equal(200, right.Status);
    }

    [Fact]
    public async Task Verify_ChunkedBody_Accepted()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, _, _) = await client.SendJsonAsync(
            SignedRequest.UpdateKms("c-demo-hz-analytics", """{"disable_encryption":false,"kms_key_id":"key-demo-hz-spare"}""", chunked: true));

        Assert.Equal(200, status);
        Assert.Equal("updating", emulator.State.GetCluster("c-demo-hz-analytics")!.State);
    }

    [Fact]
    public async Task Verify_PathSignedDecodedInsteadOfRaw_SignatureDoesNotMatch()
    {
        var fleet = new FleetDefinition
        {
            Regions = ["cn-hangzhou"],
            Clusters = [new ClusterDefinition { ClusterId = "c 1*~", RegionId = "cn-hangzhou" }],
        };
        await using var emulator = await TestEmulator.StartAsync(fleet: fleet);
        using var client = new SignedClient(emulator);
        var path = AcsV3Signer.EncodePath("clusters", "c 1*~");

        var raw = await client.SendJsonAsync(SignedRequest.CsGet("DescribeClusterDetail", path));
        var decoded = await client.SendJsonAsync(new SignedRequest
        {
            Method = HttpMethod.Get,
            Action = "DescribeClusterDetail",
            Version = "2015-12-15",
            Path = path,
            SignedPathOverride = "/clusters/c 1*~",
        });

        Assert.Equal("/clusters/c%201%2A~", path);
        Assert.Equal(200, raw.Status);
        Assert.Equal("c 1*~", raw.Body.GetProperty("cluster_id").GetString());
        Assert.Equal("SignatureDoesNotMatch", decoded.Body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Verify_FormBodyParameters_SignedAndRead()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(new SignedRequest
        {
            Action = "DescribeKey",
            Body = Encoding.UTF8.GetBytes("KeyId=" + Uri.EscapeDataString("alias/ackfc-prod-hz")),
            ContentType = "application/x-www-form-urlencoded",
        });

        Assert.Equal(200, status);
        Assert.Equal("key-demo-hz-prod", body.GetProperty("KeyMetadata").GetProperty("KeyId").GetString());
    }

    [Fact]
    public async Task Verify_ContentTypeNotSigned_IncompleteSignature()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);
        var request = new HttpRequestMessage(HttpMethod.Post, "/?KeyId=key-demo-hz-prod");
        var headers = new Dictionary<string, string>
        {
            ["host"] = emulator.BaseAddress.Authority,
            ["x-acs-action"] = "DescribeKey",
            ["x-acs-version"] = "2016-01-20",
            ["x-acs-date"] = AcsV3Signer.FormatDate(TestEmulator.Start),
            ["x-acs-signature-nonce"] = AcsV3Signer.NewNonce(),
            ["x-acs-content-sha256"] = AcsV3Signer.Sha256Hex("x"u8),
        };
        var signature = AcsV3Signer.Sign("POST", "/", "KeyId=key-demo-hz-prod", headers, headers["x-acs-content-sha256"], TestEmulator.Credential.AccessKeySecret);
        foreach (var (name, value) in headers.Where(h => h.Key != "host"))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.TryAddWithoutValidation("Authorization", signature.AuthorizationHeader(TestEmulator.Credential.AccessKeyId));
        request.Content = new StringContent("x", Encoding.UTF8, "text/plain");

        var response = await client.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("IncompleteSignature", text, StringComparison.Ordinal);
        Assert.Contains("content-type", text, StringComparison.Ordinal);
    }

    [Fact]
    public void NonceCache_EntriesPastTheirWindow_ArePurged()
    {
        var time = new FakeTimeProvider(TestEmulator.Start);
        var cache = new NonceCache(time);
        var expires = TestEmulator.Start.AddMinutes(15);

        Assert.True(cache.TryUse("a", expires));
        Assert.True(cache.TryUse("b", expires));
        Assert.False(cache.TryUse("a", expires));
        time.Advance(TimeSpan.FromMinutes(16));
        Assert.True(cache.TryUse("c", time.GetUtcNow().AddMinutes(15)));

        Assert.Equal(1, cache.Count);
    }
}
