using System.Text.Json;
using AckFc.Local.Emulator;
using Microsoft.Extensions.Time.Testing;

namespace AckFc.Local.Tests.Emulator;

public sealed class CsApiTests
{
    private static JsonElement MetaData(JsonElement cluster)
    {
        using var doc = JsonDocument.Parse(cluster.GetProperty("meta_data").GetString()!);
        return doc.RootElement.GetProperty("Capabilities").Clone();
    }

    [Fact]
    public async Task DescribeClustersV1_AllPages_ListEveryClusterOnce()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);
        var seen = new List<string>();
        int total;
        var page = 1;
        do
        {
            var (status, body, _) = await client.SendJsonAsync(
                SignedRequest.CsGet("DescribeClustersV1", "/api/v1/clusters", ("page_number", page.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("page_size", "5")));
            Assert.Equal(200, status);
            seen.AddRange(body.GetProperty("clusters").EnumerateArray().Select(c => c.GetProperty("cluster_id").GetString()!));
            var info = body.GetProperty("page_info");
            Assert.Equal(page, info.GetProperty("page_number").GetInt32());
            Assert.Equal(5, info.GetProperty("page_size").GetInt32());
            total = info.GetProperty("total_count").GetInt32();
            page++;
        }
        while ((page - 1) * 5 < total);

        Assert.Equal(DemoFleet.Scenarios.Count, total);
        Assert.Equal(DemoFleet.Scenarios.Select(s => s.ClusterId).Order(), seen.Order());
    }

    [Fact]
    public async Task DescribeClustersV1_DefaultPage_IsTenItems()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (_, body, _) = await client.SendJsonAsync(SignedRequest.CsGet("DescribeClustersV1", "/api/v1/clusters"));

        Assert.Equal(10, body.GetProperty("clusters").GetArrayLength());
        Assert.Equal(10, body.GetProperty("page_info").GetProperty("page_size").GetInt32());
    }

    [Fact]
    public async Task DescribeClustersV1_RegionFilter_OnlyThatRegion()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (_, body, _) = await client.SendJsonAsync(
            SignedRequest.CsGet("DescribeClustersV1", "/api/v1/clusters", ("region_id", "cn-shanghai"), ("page_size", "100")));

        var regions = body.GetProperty("clusters").EnumerateArray().Select(c => c.GetProperty("region_id").GetString()).ToList();
        Assert.NotEmpty(regions);
        Assert.All(regions, r => Assert.Equal("cn-shanghai", r));
        Assert.Equal(DemoFleet.Scenarios.Count(s => s.RegionId == "cn-shanghai"), body.GetProperty("page_info").GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task DescribeClustersV1_RegionInHostName_ScopesTheList()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);
        var request = SignedRequest.CsGet("DescribeClustersV1", "/api/v1/clusters", ("page_size", "100"));

        var (status, body, _) = await client.SendJsonAsync(new SignedRequest
        {
            Method = request.Method, Action = request.Action, Version = request.Version, Path = request.Path, Query = request.Query,
            Host = "cs.ap-southeast-1.aliyuncs.com",
        });

        Assert.Equal(200, status);
        Assert.All(body.GetProperty("clusters").EnumerateArray(), c => Assert.Equal("ap-southeast-1", c.GetProperty("region_id").GetString()));
    }

    [Theory]
    [InlineData("page_size", "0")]
    [InlineData("page_size", "101")]
    [InlineData("page_size", "ten")]
    [InlineData("page_number", "0")]
    public async Task DescribeClustersV1_BadPaging_InvalidParameter(string name, string value)
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(SignedRequest.CsGet("DescribeClustersV1", "/api/v1/clusters", (name, value)));

        Assert.Equal(400, status);
        Assert.Equal("InvalidParameter", body.GetProperty("code").GetString());
        Assert.Contains(name, body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeClustersV1_Filters_SpecAndName()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (_, basic, _) = await client.SendJsonAsync(SignedRequest.CsGet("DescribeClustersV1", "/api/v1/clusters", ("cluster_spec", "ack.standard")));
        var (_, named, _) = await client.SendJsonAsync(SignedRequest.CsGet("DescribeClustersV1", "/api/v1/clusters", ("name", "payments")));

        Assert.Equal("c-demo-hz-basic", Assert.Single(basic.GetProperty("clusters").EnumerateArray()).GetProperty("cluster_id").GetString());
        Assert.Equal("c-demo-hz-payments", Assert.Single(named.GetProperty("clusters").EnumerateArray()).GetProperty("cluster_id").GetString());
    }

    [Fact]
    public async Task DescribeClusterDetail_EncryptedCluster_MetaDataNamesKey()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(SignedRequest.CsGet("DescribeClusterDetail", "/clusters/c-demo-hz-payments"));

        Assert.Equal(200, status);
        Assert.Equal("running", body.GetProperty("state").GetString());
        Assert.Equal("ack.pro.small", body.GetProperty("cluster_spec").GetString());
        Assert.Equal("key-demo-hz-prod", MetaData(body).GetProperty("EncryptionKMSKeyId").GetString());
        Assert.False(MetaData(body).GetProperty("DisableEncryption").GetBoolean());
        Assert.Contains(body.GetProperty("tags").EnumerateArray(), t => t.GetProperty("key").GetString() == "env" && t.GetProperty("value").GetString() == "prod");
    }

    [Fact]
    public async Task DescribeClusterDetail_Missing_404ErrorClusterNotFoundLowerCase()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, response) = await client.SendJsonAsync(SignedRequest.CsGet("DescribeClusterDetail", "/clusters/c-missing"));

        Assert.Equal(404, status);
        Assert.Equal("ErrorClusterNotFound", body.GetProperty("code").GetString());
        Assert.Equal(404, body.GetProperty("status").GetInt32());
        Assert.Equal(response.Headers.Value("x-acs-request-id"), body.GetProperty("requestId").GetString());
    }

    [Fact]
    public async Task Route_UndocumentedMethod_InvalidActionNotFound()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(new SignedRequest
        {
            Method = HttpMethod.Delete, Action = "DescribeClusterDetail", Version = "2015-12-15", Path = "/clusters/c-demo-hz-payments",
        });

        Assert.Equal(404, status);
        Assert.Equal("InvalidAction.NotFound", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task UpdateKmsEncryption_Enable_UpdatingThenRunningWithNewKey()
    {
        var time = new FakeTimeProvider(TestEmulator.Start);
        await using var emulator = await TestEmulator.StartAsync(time);
        using var client = new SignedClient(emulator);

        var (status, _, _) = await client.SendJsonAsync(SignedRequest.UpdateKms("c-demo-hz-analytics", """{"disable_encryption":false,"kms_key_id":"key-demo-hz-spare"}"""));
        var during = await client.SendJsonAsync(SignedRequest.CsGet("DescribeClusterDetail", "/clusters/c-demo-hz-analytics"));
        time.Advance(TimeSpan.FromSeconds(2));
        var after = await client.SendJsonAsync(SignedRequest.CsGet("DescribeClusterDetail", "/clusters/c-demo-hz-analytics"));

        Assert.Equal(200, status);
        Assert.Equal("updating", during.Body.GetProperty("state").GetString());
        Assert.False(MetaData(during.Body).TryGetProperty("EncryptionKMSKeyId", out _));
        Assert.Equal("running", after.Body.GetProperty("state").GetString());
        Assert.Equal("key-demo-hz-spare", MetaData(after.Body).GetProperty("EncryptionKMSKeyId").GetString());
    }

    [Fact]
    public async Task UpdateKmsEncryption_WhileUpdating_409()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        await client.SendJsonAsync(SignedRequest.UpdateKms("c-demo-hz-analytics", """{"kms_key_id":"key-demo-hz-spare"}"""));
        var (status, body, _) = await client.SendJsonAsync(SignedRequest.UpdateKms("c-demo-hz-analytics", """{"kms_key_id":"key-demo-hz-spare"}"""));

        Assert.Equal(409, status);
        Assert.Equal("ErrorClusterState", body.GetProperty("code").GetString());
        Assert.Contains("updating", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateKmsEncryption_InsideCoolDown_409ThenAllowedAfter()
    {
        var time = new FakeTimeProvider(TestEmulator.Start);
        await using var emulator = await TestEmulator.StartAsync(time);
        using var client = new SignedClient(emulator);

        await client.SendJsonAsync(SignedRequest.UpdateKms("c-demo-hz-analytics", """{"kms_key_id":"key-demo-hz-spare"}"""));
        time.Advance(TimeSpan.FromSeconds(2));
        time.Advance(TimeSpan.FromMinutes(4));
        var inside = await client.SendJsonAsync(SignedRequest.UpdateKms("c-demo-hz-analytics", """{"disable_encryption":true}"""));
        time.Advance(TimeSpan.FromMinutes(1));
        var after = await client.SendJsonAsync(SignedRequest.UpdateKms("c-demo-hz-analytics", """{"disable_encryption":true}"""));

        Assert.Equal(409, inside.Status);
        Assert.Equal("ErrorClusterState", inside.Body.GetProperty("code").GetString());
        Assert.Equal(200, after.Status);
    }

    [Fact]
    public async Task UpdateKmsEncryption_Disable_MetaDataSaysDisabled()
    {
        await using var emulator = await TestEmulator.StartAsync(configure: o => o.UpdatingDuration = TimeSpan.Zero);
        using var client = new SignedClient(emulator);

        var (status, _, _) = await client.SendJsonAsync(SignedRequest.UpdateKms("c-demo-hz-orders", """{"disable_encryption":true}"""));
        var detail = await client.SendJsonAsync(SignedRequest.CsGet("DescribeClusterDetail", "/clusters/c-demo-hz-orders"));

        Assert.Equal(200, status);
        Assert.Equal("running", detail.Body.GetProperty("state").GetString());
        Assert.True(MetaData(detail.Body).GetProperty("DisableEncryption").GetBoolean());
    }

    [Fact]
    public async Task UpdateKmsEncryption_ByAlias_StoresTheKeyId()
    {
        await using var emulator = await TestEmulator.StartAsync(configure: o => o.UpdatingDuration = TimeSpan.Zero);
        using var client = new SignedClient(emulator);

        var (status, _, _) = await client.SendJsonAsync(SignedRequest.UpdateKms("c-demo-hz-analytics", """{"kms_key_id":"alias/ackfc-spare-hz"}"""));

        Assert.Equal(200, status);
        Assert.Equal("key-demo-hz-spare", emulator.State.GetCluster("c-demo-hz-analytics")!.EncryptionKeyId);
    }

    [Theory]
    [InlineData("c-demo-hz-analytics", "key-demo-sh-spare", 400, "ErrorKMSKeyRegionMismatch")]
    [InlineData("c-demo-hz-analytics", "key-demo-hz-batch", 400, "ErrorKMSKeyNotEnabled")]
    [InlineData("c-demo-hz-analytics", "key-demo-hz-reporting", 400, "ErrorKMSKeyNotEnabled")]
    [InlineData("c-demo-hz-analytics", "key-nowhere", 400, "ErrorKMSKeyNotFound")]
    [InlineData("c-demo-sh-web", "key-demo-sh-sm4", 400, "ErrorKMSKeySpecNotSupported")]
    [InlineData("c-demo-sh-web", "key-demo-sh-acs-ecs", 400, "ErrorKMSServiceKeyNotSupported")]
    [InlineData("c-demo-sg-serverless", "key-demo-sg-signing", 400, "ErrorKMSKeySpecNotSupported")]
    [InlineData("c-demo-hz-basic", "key-demo-hz-spare", 400, "ErrorClusterSpecNotSupported")]
    [InlineData("c-demo-hz-batch", "key-demo-hz-spare", 409, "ErrorClusterState")]
    [InlineData("c-missing", "key-demo-hz-spare", 404, "ErrorClusterNotFound")]
    public async Task UpdateKmsEncryption_RuleBroken_RefusedWithClearCode(string clusterId, string keyId, int expectedStatus, string expectedCode)
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(SignedRequest.UpdateKms(clusterId, $$"""{"kms_key_id":"{{keyId}}"}"""));

        Assert.Equal(expectedStatus, status);
        Assert.Equal(expectedCode, body.GetProperty("code").GetString());
        Assert.NotEqual("updating", emulator.State.GetCluster(clusterId)?.State);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"disable_encryption":false}""")]
    [InlineData("not json")]
    [InlineData("""{"kms_key_id": 7}""")]
    public async Task UpdateKmsEncryption_BadBody_InvalidParameter(string json)
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(SignedRequest.UpdateKms("c-demo-hz-analytics", json, chunked: false));

        Assert.Equal(400, status);
        Assert.Equal("InvalidParameter", body.GetProperty("code").GetString());
    }
}
