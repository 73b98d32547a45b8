using AckFc.AlibabaCloud.Kms;
using AckFc.AlibabaCloud.Tests.TestDoubles;

namespace AckFc.AlibabaCloud.Tests.Kms;

public sealed class KmsClientTests : IAsyncLifetime
{
    private AcsTestServer _server = null!;

    public async Task InitializeAsync() => _server = await AcsTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task DescribeKeyAsync_FullMetadata_ParsesEveryFieldFromASignedRpcCall()
    {
        _server.Enqueue(ScriptedResponse.Json("""
            {"RequestId":"R-1","KeyMetadata":{"KeyId":"key-1","Arn":"acs:kms:cn-hangzhou:1540355698848459:key/key-1",
             "KeyState":"PendingDeletion","KeySpec":"Aliyun_AES_256","KeyUsage":"ENCRYPT/DECRYPT","Origin":"EXTERNAL",
             "ProtectionLevel":"HSM","Creator":"1540355698848459","Description":"cluster secrets",
             "CreationDate":"2024-05-20T06:34:21Z","DeleteDate":"2026-12-05T00:00:00Z","DeletionProtection":"Enabled",
             "DeletionProtectionDescription":"guarded","AutomaticRotation":"Suspended","RotationInterval":"31536000s",
             "LastRotationDate":"2025-05-20T06:34:21Z","NextRotationDate":"2026-05-20T06:34:21Z","PrimaryKeyVersion":"v-1",
             "MaterialExpireTime":"2027-01-01T00:00:00Z","DKMSInstanceId":"kst-1","SomethingNew":42}}
            """));
        await using var harness = ClientHarness.Create(_server);

        var key = await harness.Kms.DescribeKeyAsync(ClientHarness.Region, "key-1");

        var request = Assert.Single(_server.Requests);
        Assert.Null(request.SignatureProblem);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/?KeyId=key-1", request.RawTarget);
        Assert.Equal("DescribeKey", request.Header("x-acs-action"));
        Assert.Equal("2016-01-20", request.Header("x-acs-version"));
        Assert.Empty(request.Body);
        Assert.Null(request.Header("content-type"));
        Assert.Equal(new KmsKeyMetadata
        {
            KeyId = "key-1",
            Arn = "acs:kms:cn-hangzhou:1540355698848459:key/key-1",
            KeyState = "PendingDeletion",
            KeySpec = "Aliyun_AES_256",
            KeyUsage = "ENCRYPT/DECRYPT",
            Origin = "EXTERNAL",
            ProtectionLevel = "HSM",
            Creator = "1540355698848459",
            Description = "cluster secrets",
            CreationDate = new DateTimeOffset(2024, 5, 20, 6, 34, 21, TimeSpan.Zero),
            DeleteDate = new DateTimeOffset(2026, 12, 5, 0, 0, 0, TimeSpan.Zero),
            DeletionProtection = true,
            DeletionProtectionDescription = "guarded",
            AutomaticRotation = "Suspended",
            RotationInterval = "31536000s",
            LastRotationDate = new DateTimeOffset(2025, 5, 20, 6, 34, 21, TimeSpan.Zero),
            NextRotationDate = new DateTimeOffset(2026, 5, 20, 6, 34, 21, TimeSpan.Zero),
            PrimaryKeyVersion = "v-1",
            MaterialExpireTime = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero),
            DkmsInstanceId = "kst-1",
        }, key);
        Assert.Equal("cn-hangzhou", key.RegionId);
        Assert.Equal("1540355698848459", key.AccountId);
    }

    [Fact]
    public async Task DescribeKeyAsync_MinimalMetadata_EmptyMaterialExpiryIsNeverAndProtectionOff()
    {
        _server.Enqueue(ScriptedResponse.Json("""
            {"RequestId":"R-1","KeyMetadata":{"KeyId":"key-1","KeyState":"Enabled","DeletionProtection":"Disabled","MaterialExpireTime":""}}
            """));
        await using var harness = ClientHarness.Create(_server);

        var key = await harness.Kms.DescribeKeyAsync(ClientHarness.Region, "key-1");

        Assert.Null(key.MaterialExpireTime);
        Assert.Null(key.DeleteDate);
        Assert.False(key.DeletionProtection);
        Assert.Null(key.RegionId);
    }

    [Fact]
    public async Task DescribeKeyAsync_AliasWithStsCredentials_EncodesAliasAndSignsStsHeaders()
    {
        _server.Enqueue(ScriptedResponse.Json("""{"KeyMetadata":{"KeyId":"key-1","KeyState":"Enabled"}}"""));
        await using var harness = ClientHarness.Create(_server);
        harness.Invocation.TrySetFromHeaders(AcsTestServer.StsAccessKeyId, AcsTestServer.StsAccessKeySecret, AcsTestServer.StsToken);

        await harness.Kms.DescribeKeyAsync(ClientHarness.Region, "alias/my-key");

        var request = Assert.Single(_server.Requests);
        Assert.Null(request.SignatureProblem);
        Assert.Equal("/?KeyId=alias%2Fmy-key", request.RawTarget);
        Assert.Equal(AcsTestServer.StsToken, request.Header("x-acs-security-token"));
        Assert.Equal(AcsTestServer.StsAccessKeyId, request.Header("x-acs-accesskey-id"));
        Assert.Contains("x-acs-security-token", request.SignedHeaders);
        Assert.Contains("x-acs-accesskey-id", request.SignedHeaders);
        Assert.StartsWith($"ACS3-HMAC-SHA256 Credential={AcsTestServer.StsAccessKeyId},", request.Header("authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeKeyAsync_LongTermKey_SendsNoStsHeaders()
    {
        _server.Enqueue(ScriptedResponse.Json("""{"KeyMetadata":{"KeyId":"key-1","KeyState":"Enabled"}}"""));
        await using var harness = ClientHarness.Create(_server);

        await harness.Kms.DescribeKeyAsync(ClientHarness.Region, "key-1");

        var request = Assert.Single(_server.Requests);
        Assert.Null(request.Header("x-acs-security-token"));
        Assert.Null(request.Header("x-acs-accesskey-id"));
        Assert.Equal(
            ["host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"],
            request.SignedHeaders);
    }

    [Fact]
    public async Task DescribeKeyAsync_KeyNotFound_ThrowsNotFoundWithoutRetrying()
    {
        _server.Enqueue(new ScriptedResponse(404,
            """{"Code":"Forbidden.KeyNotFound","Message":"The specified Key is not found.","RequestId":"R-k404","HostId":"kms.cn-hangzhou.aliyuncs.com"}"""));
        await using var harness = ClientHarness.Create(_server);

        var error = await Assert.ThrowsAsync<AlibabaCloudException>(() => harness.Kms.DescribeKeyAsync(ClientHarness.Region, "key-missing"));

        Assert.Equal(AlibabaCloudErrorKind.NotFound, error.Kind);
        Assert.Equal("Forbidden.KeyNotFound", error.Code);
        Assert.Equal("R-k404", error.RequestId);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task DescribeKeyAsync_NoKeyMetadata_ThrowsInvalidResponse()
    {
        _server.Enqueue(ScriptedResponse.Json("""{"RequestId":"R-1"}"""));
        await using var harness = ClientHarness.Create(_server);

        var error = await Assert.ThrowsAsync<AlibabaCloudException>(() => harness.Kms.DescribeKeyAsync(ClientHarness.Region, "key-1"));

        Assert.Equal("InvalidResponse", error.Code);
        Assert.Equal(AlibabaCloudErrorKind.Transient, error.Kind);
    }

    [Fact]
    public async Task ListKeysAsync_ServiceKeyFilter_SendsJsonFilterOnEveryPage()
    {
        _server.Enqueue(KeysPage(1, 150, 100), KeysPage(2, 150, 50));
        await using var harness = ClientHarness.Create(_server);

        var keys = await harness.Kms.ListKeysAsync(ClientHarness.Region, [KmsKeyFilter.ServiceKeys]).ToListAsync();

        Assert.Equal(150, keys.Count);
        Assert.Equal("acs:kms:cn-hangzhou:1:key/key-2-0", keys[100].KeyArn);
        var requests = _server.Requests;
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r =>
        {
            Assert.Null(r.SignatureProblem);
            Assert.Equal("ListKeys", r.Header("x-acs-action"));
            Assert.Equal("""[{"Key":"CreatorType","Values":["Service"]}]""", r.Query["Filters"]);
            Assert.Equal("100", r.Query["PageSize"]);
        });
        Assert.Equal(["1", "2"], requests.Select(r => r.Query["PageNumber"]));
    }

    [Fact]
    public async Task ListKeysAsync_NoFilters_OmitsFiltersParameter()
    {
        _server.Enqueue(KeysPage(1, 1, 1));
        await using var harness = ClientHarness.Create(_server);

        await harness.Kms.ListKeysAsync(ClientHarness.Region, []).ToListAsync();

        Assert.False(Assert.Single(_server.Requests).Query.ContainsKey("Filters"));
    }

    [Fact]
    public async Task ListAliasesAsync_OnePage_ParsesAliases()
    {
        _server.Enqueue(ScriptedResponse.Json("""
            {"RequestId":"R","PageNumber":1,"PageSize":100,"TotalCount":2,"Aliases":{"Alias":[
              {"AliasName":"alias/acs/ecs","KeyId":"key-s","AliasArn":"acs:kms:cn-hangzhou:1:alias/acs/ecs"},
              {"AliasName":"alias/my-key","KeyId":"key-1","AliasArn":""}]}}
            """));
        await using var harness = ClientHarness.Create(_server);

        var aliases = await harness.Kms.ListAliasesAsync(ClientHarness.Region).ToListAsync();

        Assert.Equal(
            [new KmsAlias("alias/acs/ecs", "key-s", "acs:kms:cn-hangzhou:1:alias/acs/ecs"), new KmsAlias("alias/my-key", "key-1", null)],
            aliases);
        Assert.Equal("ListAliases", Assert.Single(_server.Requests).Header("x-acs-action"));
    }

    [Fact]
    public async Task SetDeletionProtectionAsync_Enable_SendsParametersAndReturnsRequestId()
    {
        _server.Enqueue(ScriptedResponse.Json("""{"RequestId":"R-sdp"}"""));
        await using var harness = ClientHarness.Create(_server);

        var requestId = await harness.Kms.SetDeletionProtectionAsync(
            ClientHarness.Region, "acs:kms:cn-hangzhou:1:key/key-1", true, "used by ACK");

        var request = Assert.Single(_server.Requests);
        Assert.Null(request.SignatureProblem);
        Assert.Equal("SetDeletionProtection", request.Header("x-acs-action"));
        Assert.Equal("acs:kms:cn-hangzhou:1:key/key-1", request.Query["ProtectedResourceArn"]);
        Assert.Equal("true", request.Query["EnableDeletionProtection"]);
        Assert.Equal("used by ACK", request.Query["DeletionProtectionDescription"]);
        Assert.Equal("hdr-1", requestId);
    }

    [Theory]
    [InlineData("CancelKeyDeletion")]
    [InlineData("EnableKey")]
    public async Task KeyWrite_Success_SendsKeyIdAndReturnsRequestId(string action)
    {
        _server.Enqueue(ScriptedResponse.Json("""{"RequestId":"R-w"}"""));
        await using var harness = ClientHarness.Create(_server);

        var requestId = action == "EnableKey"
            ? await harness.Kms.EnableKeyAsync(ClientHarness.Region, "key-1")
            : await harness.Kms.CancelKeyDeletionAsync(ClientHarness.Region, "key-1");

        var request = Assert.Single(_server.Requests);
        Assert.Equal(action, request.Header("x-acs-action"));
        Assert.Equal("/?KeyId=key-1", request.RawTarget);
        Assert.NotNull(requestId);
    }

    [Fact]
    public async Task EnableKeyAsync_InternalFailure_NotRetried()
    {
        _server.Fallback = _ => ScriptedResponse.Error(500, "InternalFailure");
        await using var harness = ClientHarness.Create(_server);

        var error = await Assert.ThrowsAsync<AlibabaCloudException>(() => harness.Kms.EnableKeyAsync(ClientHarness.Region, "key-1"));

        Assert.Equal(AlibabaCloudErrorKind.Transient, error.Kind);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task CancelKeyDeletionAsync_ThrottlingAs400_RetriedThenSucceeds()
    {
        _server.Enqueue(ScriptedResponse.Error(400, "Throttling"), ScriptedResponse.Json("""{"RequestId":"R-ok"}"""));
        await using var harness = ClientHarness.Create(_server);

        await harness.Kms.CancelKeyDeletionAsync(ClientHarness.Region, "key-1");

        Assert.Equal(2, _server.Requests.Count);
    }

    private static ScriptedResponse KeysPage(int number, int total, int count)
    {
        var keys = string.Join(',', Enumerable.Range(0, count)
            .Select(i => $$"""{"KeyId":"key-{{number}}-{{i}}","KeyArn":"acs:kms:cn-hangzhou:1:key/key-{{number}}-{{i}}"}"""));
        return ScriptedResponse.Json(
            $$$"""{"RequestId":"R","PageNumber":{{{number}}},"PageSize":100,"TotalCount":{{{total}}},"Keys":{"Key":[{{{keys}}}]}}""");
    }
}
