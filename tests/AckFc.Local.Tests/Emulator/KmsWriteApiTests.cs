namespace AckFc.Local.Tests.Emulator;

/// <summary>The KMS writes the key guard reacts to that came with it: UpdateRotationPolicy, DeleteKeyMaterial, DeleteAlias.</summary>
public sealed class KmsWriteApiTests
{
    [Fact]
    public async Task UpdateRotationPolicy_OnThenOff_MetadataFollowsAndEventCarriesParameters()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var on = await client.SendJsonAsync(SignedRequest.Kms("UpdateRotationPolicy", ("KeyId", "key-demo-sg-search"), ("EnableAutomaticRotation", "true"), ("RotationInterval", "7d")));
        var (_, described, _) = await client.SendJsonAsync(SignedRequest.Kms("DescribeKey", ("KeyId", "key-demo-sg-search")));
        var off = await client.SendJsonAsync(SignedRequest.Kms("UpdateRotationPolicy", ("KeyId", "key-demo-sg-search"), ("EnableAutomaticRotation", "false")));

        Assert.Equal(200, on.Status);
        var m = described.GetProperty("KeyMetadata");
        Assert.Equal("Enabled", m.GetProperty("AutomaticRotation").GetString());
        Assert.Equal("604800s", m.GetProperty("RotationInterval").GetString());
        Assert.Equal("2026-12-05T12:00:00Z", m.GetProperty("NextRotationDate").GetString());
        Assert.Equal(200, off.Status);
        var key = emulator.State.GetKey("key-demo-sg-search")!;
        Assert.Equal("Disabled", key.AutomaticRotation);
        Assert.Null(key.NextRotationDate);
        var e = System.Text.Json.JsonDocument.Parse(emulator.Events.GetEmitted()[1].Json).RootElement.GetProperty("data").GetProperty("requestParameters");
        Assert.Equal("false", e.GetProperty("EnableAutomaticRotation").GetString());
        Assert.Equal("key-demo-sg-search", e.GetProperty("KeyId").GetString());
    }

    [Theory]
    [InlineData("key-demo-sg-search", "true", "", 400, "MissingParameter")]
    [InlineData("key-demo-sg-search", "true", "6d", 400, "InvalidParameter")]
    [InlineData("key-demo-sg-search", "true", "731d", 400, "InvalidParameter")]
    [InlineData("key-demo-sg-search", "true", "1y", 400, "InvalidParameter")]
    [InlineData("key-demo-sg-search", "yes", "30d", 400, "InvalidParameter")]
    [InlineData("key-demo-hz-byok", "true", "30d", 400, "UnsupportedOperation")]
    [InlineData("key-demo-hz-reporting", "true", "30d", 409, "Rejected.PendingDeletion")]
    [InlineData("key-demo-sh-acs-ecs", "false", "", 403, "Forbidden.NoPermission")]
    [InlineData("key-missing", "false", "", 404, "Forbidden.KeyNotFound")]
    public async Task UpdateRotationPolicy_Refused(string keyId, string enable, string interval, int status, string code)
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);
        var before = emulator.State.GetKey(keyId);

        var result = await client.SendJsonAsync(SignedRequest.Kms("UpdateRotationPolicy", ("KeyId", keyId), ("EnableAutomaticRotation", enable), ("RotationInterval", interval)));

        Assert.Equal(status, result.Status);
        Assert.Equal(code, TestEmulator.Code(result.Body));
        Assert.Equal(before?.AutomaticRotation, emulator.State.GetKey(keyId)?.AutomaticRotation);
        Assert.Equal(code, Assert.Single(emulator.Events.GetEmitted()).ErrorCode);
    }

    [Fact]
    public async Task DeleteKeyMaterial_ExternalKey_PendingImportAndClusterHarmed_SecondTimeRejected()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var deleted = await client.SendJsonAsync(SignedRequest.Kms("DeleteKeyMaterial", ("KeyId", "key-demo-hz-byok")));
        var again = await client.SendJsonAsync(SignedRequest.Kms("DeleteKeyMaterial", ("KeyId", "key-demo-hz-byok")));
        var native = await client.SendJsonAsync(SignedRequest.Kms("DeleteKeyMaterial", ("KeyId", "key-demo-hz-orders")));

        Assert.Equal(200, deleted.Status);
        var key = emulator.State.GetKey("key-demo-hz-byok")!;
        Assert.Equal("PendingImport", key.KeyState);
        Assert.Null(key.MaterialExpireTime);
        Assert.Equal("unavailable", emulator.State.GetCluster("c-demo-hz-byok")!.State);
        Assert.Equal(409, again.Status);
        Assert.Equal("Rejected.PendingImport", TestEmulator.Code(again.Body));
        Assert.Equal(400, native.Status);
        Assert.Equal("UnsupportedOperation", TestEmulator.Code(native.Body));
        Assert.Equal("Enabled", emulator.State.GetKey("key-demo-hz-orders")!.KeyState);
    }

    [Fact]
    public async Task DeleteAlias_AliasGoneKeyStays_EventNamesTheAliasOnly()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var deleted = await client.SendJsonAsync(SignedRequest.Kms("DeleteAlias", ("AliasName", "alias/ackfc-orders-hz")));
        var byAlias = await client.SendJsonAsync(SignedRequest.Kms("DescribeKey", ("KeyId", "alias/ackfc-orders-hz")));
        var again = await client.SendJsonAsync(SignedRequest.Kms("DeleteAlias", ("AliasName", "alias/ackfc-orders-hz")));

        Assert.Equal(200, deleted.Status);
        Assert.Equal("Forbidden.AliasNotFound", TestEmulator.Code(byAlias.Body));
        Assert.Empty(emulator.State.GetKey("key-demo-hz-orders")!.Aliases);
        Assert.Equal(404, again.Status);
        Assert.Equal("Forbidden.AliasNotFound", TestEmulator.Code(again.Body));
        var e = emulator.Events.GetEmitted()[0];
        Assert.Equal("acs.kms:cn-hangzhou:1000000000000001:alias/ackfc-orders-hz", e.Subject);
        var p = System.Text.Json.JsonDocument.Parse(e.Json).RootElement.GetProperty("data").GetProperty("requestParameters");
        Assert.Equal("alias/ackfc-orders-hz", p.GetProperty("AliasName").GetString());
        Assert.False(p.TryGetProperty("KeyId", out _));
    }

    [Theory]
    [InlineData("alias/acs/ecs", 403, "Forbidden.NoPermission")]
    [InlineData("ackfc-orders-hz", 400, "InvalidParameter")]
    [InlineData("", 400, "MissingParameter")]
    public async Task DeleteAlias_Refused(string alias, int status, string code)
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var result = await client.SendJsonAsync(SignedRequest.Kms("DeleteAlias", ("AliasName", alias)));

        Assert.Equal(status, result.Status);
        Assert.Equal(code, TestEmulator.Code(result.Body));
        Assert.Single(emulator.State.GetKey("key-demo-sh-acs-ecs")!.Aliases);
    }

    [Fact]
    public async Task ScheduleAndSetDeletionProtection_EventsCarryTheGuardsParameters()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);
        var arn = emulator.State.GetKey("key-demo-hz-orders")!.Arn;

        await client.SendJsonAsync(SignedRequest.Kms("SetDeletionProtection", ("ProtectedResourceArn", arn), ("EnableDeletionProtection", "false")));
        var scheduled = await client.SendJsonAsync(SignedRequest.Kms("ScheduleKeyDeletion", ("KeyId", "key-demo-hz-orders"), ("PendingWindowInDays", "30")));

        Assert.Equal(200, scheduled.Status);
        var events = emulator.Events.GetEmitted();
        Assert.EndsWith(":key/key-demo-hz-orders", events[0].Subject, StringComparison.Ordinal);
        var protection = System.Text.Json.JsonDocument.Parse(events[0].Json).RootElement.GetProperty("data").GetProperty("requestParameters");
        Assert.Equal(arn, protection.GetProperty("ProtectedResourceArn").GetString());
        Assert.Equal("false", protection.GetProperty("EnableDeletionProtection").GetString());
        var schedule = System.Text.Json.JsonDocument.Parse(events[1].Json).RootElement.GetProperty("data").GetProperty("requestParameters");
        Assert.Equal("30", schedule.GetProperty("PendingWindowInDays").GetString());
        Assert.Equal("PendingDeletion", emulator.State.GetKey("key-demo-hz-orders")!.KeyState);
    }
}
