using System.Text.Json;
using AckFc.Local.Emulator;
using Microsoft.Extensions.Time.Testing;

namespace AckFc.Local.Tests.Emulator;

public sealed class KmsApiTests
{
    private static List<string> KeyIds(JsonElement body) =>
        [.. body.GetProperty("Keys").GetProperty("Key").EnumerateArray().Select(k => k.GetProperty("KeyId").GetString()!)];

    [Fact]
    public async Task DescribeKey_ById_EveryMetadataField()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, response) = await client.SendJsonAsync(SignedRequest.Kms("DescribeKey", ("KeyId", "key-demo-hz-prod")));

        Assert.Equal(200, status);
        Assert.Equal(response.Headers.Value("x-acs-request-id"), body.GetProperty("RequestId").GetString());
        var m = body.GetProperty("KeyMetadata");
        Assert.Equal("acs:kms:cn-hangzhou:1000000000000001:key/key-demo-hz-prod", m.GetProperty("Arn").GetString());
        Assert.Equal("Enabled", m.GetProperty("KeyState").GetString());
        Assert.Equal("Aliyun_AES_256", m.GetProperty("KeySpec").GetString());
        Assert.Equal("ENCRYPT/DECRYPT", m.GetProperty("KeyUsage").GetString());
        Assert.Equal("Aliyun_KMS", m.GetProperty("Origin").GetString());
        Assert.Equal("SOFTWARE", m.GetProperty("ProtectionLevel").GetString());
        Assert.Equal("1000000000000001", m.GetProperty("Creator").GetString());
        Assert.Equal("2024-05-20T06:34:21Z", m.GetProperty("CreationDate").GetString());
        Assert.Equal("Enabled", m.GetProperty("DeletionProtection").GetString());
        Assert.Equal("Enabled", m.GetProperty("AutomaticRotation").GetString());
        Assert.Equal("31536000s", m.GetProperty("RotationInterval").GetString());
        Assert.Equal("2026-10-29T12:00:00Z", m.GetProperty("LastRotationDate").GetString());
        Assert.False(string.IsNullOrEmpty(m.GetProperty("PrimaryKeyVersion").GetString()));
        Assert.False(m.TryGetProperty("DeleteDate", out _));
    }

    [Fact]
    public async Task DescribeKey_ByAlias_SameKey()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(SignedRequest.Kms("DescribeKey", ("KeyId", "alias/ackfc-orders-hz")));

        Assert.Equal(200, status);
        Assert.Equal("key-demo-hz-orders", body.GetProperty("KeyMetadata").GetProperty("KeyId").GetString());
    }

    [Theory]
    [InlineData("key-missing", "Forbidden.KeyNotFound")]
    [InlineData("alias/missing", "Forbidden.AliasNotFound")]
    public async Task DescribeKey_Missing_404WithKmsErrorShape(string keyId, string code)
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(SignedRequest.Kms("DescribeKey", ("KeyId", keyId)));

        Assert.Equal(404, status);
        Assert.Equal(code, body.GetProperty("Code").GetString());
        Assert.True(body.TryGetProperty("RequestId", out _));
        Assert.True(body.TryGetProperty("HostId", out _));
        Assert.True(body.TryGetProperty("Message", out _));
    }

    [Fact]
    public async Task DescribeKey_NoKeyId_MissingParameter()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(SignedRequest.Kms("DescribeKey"));

        Assert.Equal(400, status);
        Assert.Equal("MissingParameter", body.GetProperty("Code").GetString());
    }

    [Fact]
    public async Task DescribeKey_KeyOfAnotherRegion_NotFoundInThatRegion()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var byParam = await client.SendJsonAsync(SignedRequest.Kms("DescribeKey", ("KeyId", "key-demo-hz-prod"), ("RegionId", "cn-shanghai")));
        var byHost = await client.SendJsonAsync(new SignedRequest { Action = "DescribeKey", Query = [new("KeyId", "key-demo-hz-prod")], Host = "kms.cn-shanghai.aliyuncs.com" });
        var ownRegion = await client.SendJsonAsync(new SignedRequest { Action = "DescribeKey", Query = [new("KeyId", "key-demo-hz-prod")], Host = "kms.cn-hangzhou.aliyuncs.com" });

        Assert.Equal("Forbidden.KeyNotFound", byParam.Body.GetProperty("Code").GetString());
        Assert.Equal("Forbidden.KeyNotFound", byHost.Body.GetProperty("Code").GetString());
        Assert.Equal(200, ownRegion.Status);
    }

    [Fact]
    public async Task ListKeys_AllPages_EveryKeyOfEveryRegion()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);
        var ids = new List<string>();
        for (var page = 1; page <= 4; page++)
        {
            var (_, body, _) = await client.SendJsonAsync(SignedRequest.Kms("ListKeys", ("PageNumber", page.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("PageSize", "5")));
            Assert.Equal(emulator.State.GetKeys().Count, body.GetProperty("TotalCount").GetInt32());
            ids.AddRange(KeyIds(body));
        }

        Assert.Equal(emulator.State.GetKeys().Select(k => k.KeyId).Order(), ids.Order());
    }

    [Fact]
    public async Task ListKeys_Filters_CreatorTypeAndState()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (_, service, _) = await client.SendJsonAsync(SignedRequest.Kms("ListKeys", ("Filters", """[{"Key":"CreatorType","Values":["Service"]}]"""), ("PageSize", "100")));
        var (_, broken, _) = await client.SendJsonAsync(SignedRequest.Kms("ListKeys",
            ("PageSize", "100"), ("Filters", """[{"Key":"CreatorType","Values":["User"]},{"Key":"KeyState","Values":["Disabled","PendingDeletion"]}]""")));

        Assert.Equal(["key-demo-sh-acs-ecs"], KeyIds(service));
        Assert.Equal(["key-demo-hz-batch", "key-demo-hz-reporting"], KeyIds(broken).Order());
    }

    [Fact]
    public async Task ListKeys_RegionId_OnlyThatRegion()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (_, body, _) = await client.SendJsonAsync(SignedRequest.Kms("ListKeys", ("RegionId", "ap-southeast-1"), ("PageSize", "100")));

        Assert.Equal(emulator.State.GetKeys().Where(k => k.RegionId == "ap-southeast-1").Select(k => k.KeyId).Order(), KeyIds(body).Order());
        Assert.All(body.GetProperty("Keys").GetProperty("Key").EnumerateArray(), k => Assert.StartsWith("acs:kms:ap-southeast-1:", k.GetProperty("KeyArn").GetString(), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Filters", "not json")]
    [InlineData("Filters", """[{"Key":"Colour","Values":["blue"]}]""")]
    [InlineData("Filters", """{"Key":"KeyState"}""")]
    [InlineData("PageSize", "101")]
    [InlineData("PageNumber", "0")]
    [InlineData("RegionId", "mars-north-1")]
    public async Task ListKeys_BadParameter_400(string name, string value)
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(SignedRequest.Kms("ListKeys", (name, value)));

        Assert.Equal(400, status);
        Assert.StartsWith("Invalid", body.GetProperty("Code").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAliases_ListsAliasWithArnAndKey()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (_, body, _) = await client.SendJsonAsync(SignedRequest.Kms("ListAliases", ("PageSize", "100")));

        var aliases = body.GetProperty("Aliases").GetProperty("Alias").EnumerateArray().ToList();
        Assert.Equal(emulator.State.GetKeys().Sum(k => k.Aliases.Count), body.GetProperty("TotalCount").GetInt32());
        var ecs = Assert.Single(aliases, a => a.GetProperty("AliasName").GetString() == "alias/acs/ecs");
        Assert.Equal("key-demo-sh-acs-ecs", ecs.GetProperty("KeyId").GetString());
        Assert.Equal("acs:kms:cn-shanghai:1000000000000001:alias/acs/ecs", ecs.GetProperty("AliasArn").GetString());
    }

    [Fact]
    public async Task DisableKey_KeyInUse_ClusterLosesSecretsUntilEnableKey()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var disabled = await client.SendJsonAsync(SignedRequest.Kms("DisableKey", ("KeyId", "key-demo-hz-orders")));
        var harmed = emulator.State.GetCluster("c-demo-hz-orders")!;
        var enabled = await client.SendJsonAsync(SignedRequest.Kms("EnableKey", ("KeyId", "key-demo-hz-orders")));
        var healed = emulator.State.GetCluster("c-demo-hz-orders")!;

        Assert.Equal(200, disabled.Status);
        Assert.Equal("unavailable", harmed.State);
        Assert.False(harmed.SecretsReadable);
        Assert.Contains("Disabled", harmed.SecretsProblem, StringComparison.Ordinal);
        Assert.Equal(200, enabled.Status);
        Assert.Equal("running", healed.State);
        Assert.True(healed.SecretsReadable);
    }

    [Theory]
    [InlineData("6")]
    [InlineData("367")]
    [InlineData("")]
    public async Task ScheduleKeyDeletion_WindowOutsideSevenTo366_Refused(string days)
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(SignedRequest.Kms("ScheduleKeyDeletion", ("KeyId", "key-demo-sg-api"), ("PendingWindowInDays", days)));

        Assert.Equal(400, status);
        Assert.Equal(days.Length == 0 ? "MissingParameter" : "InvalidParameter", body.GetProperty("Code").GetString());
    }

    [Fact]
    public async Task ScheduleKeyDeletion_Unprotected_PendingDeletionThenCancel()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var scheduled = await client.SendJsonAsync(SignedRequest.Kms("ScheduleKeyDeletion", ("KeyId", "key-demo-sg-api"), ("PendingWindowInDays", "7")));
        var (_, described, _) = await client.SendJsonAsync(SignedRequest.Kms("DescribeKey", ("KeyId", "key-demo-sg-api")));
        var harmed = emulator.State.GetCluster("c-demo-sg-api")!;
        var cancelled = await client.SendJsonAsync(SignedRequest.Kms("CancelKeyDeletion", ("KeyId", "key-demo-sg-api")));
        var again = await client.SendJsonAsync(SignedRequest.Kms("CancelKeyDeletion", ("KeyId", "key-demo-sg-api")));

        Assert.Equal(200, scheduled.Status);
        Assert.Equal("PendingDeletion", described.GetProperty("KeyMetadata").GetProperty("KeyState").GetString());
        Assert.Equal("2026-12-05T12:00:00Z", described.GetProperty("KeyMetadata").GetProperty("DeleteDate").GetString());
        Assert.Equal("unavailable", harmed.State);
        Assert.Equal(200, cancelled.Status);
        Assert.Equal("Enabled", emulator.State.GetKey("key-demo-sg-api")!.KeyState);
        Assert.Equal(409, again.Status);
        Assert.Equal("Rejected.StateModifiedFailed", again.Body.GetProperty("Code").GetString());
    }

    [Fact]
    public async Task ScheduleKeyDeletion_Protected_Forbidden()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(SignedRequest.Kms("ScheduleKeyDeletion", ("KeyId", "key-demo-hz-prod"), ("PendingWindowInDays", "30")));

        Assert.Equal(403, status);
        Assert.Equal("Forbidden.DeletionProtection", body.GetProperty("Code").GetString());
        Assert.Equal("Enabled", emulator.State.GetKey("key-demo-hz-prod")!.KeyState);
    }

    [Fact]
    public async Task SetDeletionProtection_ByArn_TogglesProtection()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);
        var arn = emulator.State.GetKey("key-demo-sg-api")!.Arn;

        var on = await client.SendJsonAsync(SignedRequest.Kms("SetDeletionProtection",
            ("ProtectedResourceArn", arn), ("EnableDeletionProtection", "true"), ("DeletionProtectionDescription", "used by ACK")));
        var key = emulator.State.GetKey("key-demo-sg-api")!;
        var bad = await client.SendJsonAsync(SignedRequest.Kms("SetDeletionProtection", ("ProtectedResourceArn", arn), ("EnableDeletionProtection", "maybe")));

        Assert.Equal(200, on.Status);
        Assert.True(key.DeletionProtection);
        Assert.Equal("used by ACK", key.DeletionProtectionDescription);
        Assert.Equal("InvalidParameter", bad.Body.GetProperty("Code").GetString());
    }

    [Theory]
    [InlineData("DisableKey")]
    [InlineData("EnableKey")]
    public async Task StateChange_ServiceKey_Forbidden(string action)
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(SignedRequest.Kms(action, ("KeyId", "alias/acs/ecs")));

        Assert.Equal(403, status);
        Assert.Equal("Forbidden.NoPermission", body.GetProperty("Code").GetString());
    }

    [Fact]
    public async Task EnableKey_PendingDeletion_Rejected()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(SignedRequest.Kms("EnableKey", ("KeyId", "key-demo-hz-reporting")));

        Assert.Equal(409, status);
        Assert.Equal("Rejected.PendingDeletion", body.GetProperty("Code").GetString());
    }

    [Fact]
    public async Task DescribeKey_AfterDeleteDate_KeyIsGone()
    {
        var time = new FakeTimeProvider(TestEmulator.Start);
        await using var emulator = await TestEmulator.StartAsync(time);
        using var client = new SignedClient(emulator);

        var before = await client.SendJsonAsync(SignedRequest.Kms("DescribeKey", ("KeyId", "key-demo-hz-reporting")));
        time.Advance(TimeSpan.FromDays(5));
        var after = await client.SendJsonAsync(SignedRequest.Kms("DescribeKey", ("KeyId", "key-demo-hz-reporting")));

        Assert.Equal("2026-12-03T12:00:00Z", before.Body.GetProperty("KeyMetadata").GetProperty("DeleteDate").GetString());
        Assert.Equal("Forbidden.KeyNotFound", after.Body.GetProperty("Code").GetString());
        Assert.Contains("does not exist", emulator.State.GetCluster("c-demo-hz-reporting")!.SecretsProblem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeKey_ExternalMaterialExpired_BackToPendingImport()
    {
        var time = new FakeTimeProvider(TestEmulator.Start);
        await using var emulator = await TestEmulator.StartAsync(time);
        using var client = new SignedClient(emulator);

        var before = await client.SendJsonAsync(SignedRequest.Kms("DescribeKey", ("KeyId", "key-demo-hz-byok")));
        time.Advance(TimeSpan.FromDays(10));
        var after = await client.SendJsonAsync(SignedRequest.Kms("DescribeKey", ("KeyId", "key-demo-hz-byok")));

        Assert.Equal("2026-12-08T12:00:00Z", before.Body.GetProperty("KeyMetadata").GetProperty("MaterialExpireTime").GetString());
        Assert.Equal("Enabled", before.Body.GetProperty("KeyMetadata").GetProperty("KeyState").GetString());
        Assert.Equal("PendingImport", after.Body.GetProperty("KeyMetadata").GetProperty("KeyState").GetString());
    }

    [Theory]
    [InlineData("Encrypt")]
    [InlineData("NoSuchAction")]
    public async Task Dispatch_UnknownAction_InvalidActionNotFound(string action)
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(SignedRequest.Kms(action, ("KeyId", "key-demo-hz-prod")));

        Assert.Equal(404, status);
        Assert.Equal("InvalidAction.NotFound", body.GetProperty("Code").GetString());
    }

    [Fact]
    public async Task Dispatch_ActionOnlyInQuery_Used()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(new SignedRequest { Query = [new("Action", "DescribeKey"), new("KeyId", "key-demo-hz-prod")] });

        Assert.Equal(200, status);
        Assert.Equal("key-demo-hz-prod", body.GetProperty("KeyMetadata").GetProperty("KeyId").GetString());
    }
}
