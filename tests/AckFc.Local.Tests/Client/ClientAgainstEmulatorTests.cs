using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Cs;
using AckFc.AlibabaCloud.Kms;
using AckFc.Local.Emulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AckFc.Local.Tests.Client;

/// <summary>Our OpenAPI client against the emulated region over loopback: every API, paging and the failures the cloud gives.</summary>
public sealed class ClientAgainstEmulatorTests : IAsyncLifetime
{
    private RunningEmulator emulator = null!;
    private ServiceProvider services = null!;
    private AsyncServiceScope scope;

    private IAckClient Ack => scope.ServiceProvider.GetRequiredService<IAckClient>();
    private IKmsClient Kms => scope.ServiceProvider.GetRequiredService<IKmsClient>();

    public async Task InitializeAsync()
    {
        var fleet = DemoFleet.Create();
        fleet.Clusters.AddRange(FleetGenerator.Generate(250, 1, 5, seed: 3).Clusters.Select(c => { c.RegionId = "cn-shanghai"; return c; }));
        var generatedKeys = FleetGenerator.Generate(250, 1, 5, seed: 3).Keys;
        foreach (var key in generatedKeys)
        {
            key.RegionId = "cn-shanghai";
        }

        fleet.Keys.AddRange(generatedKeys);
        emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Fleet = fleet, UpdatingDuration = TimeSpan.Zero });
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ACKFC_CS_ENDPOINT"] = emulator.Endpoint,
            ["ACKFC_KMS_ENDPOINT"] = emulator.Endpoint,
            ["ALIBABA_CLOUD_ACCESS_KEY_ID"] = emulator.Credential.AccessKeyId,
            ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = emulator.Credential.AccessKeySecret,
            ["ACKFC_CLOUD_RETRY_BASE_DELAY_SECONDS"] = "0",
            ["ACKFC_CLOUD_ATTEMPT_TIMEOUT_SECONDS"] = "2",
        }).Build();
        services = new ServiceCollection().AddLogging().AddAlibabaCloud(configuration).BuildServiceProvider();
        scope = services.CreateAsyncScope();
    }

    public async Task DisposeAsync()
    {
        await scope.DisposeAsync();
        await services.DisposeAsync();
        await emulator.DisposeAsync();
    }

    private async Task<List<AckCluster>> ListAsync(string region)
    {
        var list = new List<AckCluster>();
        await foreach (var cluster in Ack.ListClustersAsync(region))
        {
            list.Add(cluster);
        }

        return list;
    }

    [Fact]
    public async Task ListClusters_SeveralPages_EveryClusterOnceWithEncryption()
    {
        var expected = emulator.State.GetClusters().Where(c => c.RegionId == "cn-shanghai").ToList();

        var clusters = await ListAsync("cn-shanghai");

        Assert.Equal(expected.Count, clusters.Count);
        Assert.Equal(clusters.Count, clusters.Select(c => c.ClusterId).Distinct().Count());
        Assert.True(emulator.State.CountOf("DescribeClustersV1") >= 3);
        var web = Assert.Single(clusters, c => c.ClusterId == "c-demo-sh-web");
        Assert.Equal(EncryptionState.Enabled, web.Encryption.State);
        Assert.Equal("key-demo-sh-web", web.Encryption.KmsKeyId);
    }

    [Fact]
    public async Task GetCluster_MissingCluster_NotFound()
    {
        var e = await Assert.ThrowsAsync<AlibabaCloudException>(() => Ack.GetClusterAsync("cn-hangzhou", "c-nothere01"));

        Assert.Equal((AlibabaCloudErrorKind.NotFound, "ErrorClusterNotFound", 404), (e.Kind, e.Code, e.StatusCode));
    }

    [Fact]
    public async Task UpdateKmsEncryption_ThenAgainInsideCoolDown_409()
    {
        await Ack.UpdateKmsEncryptionAsync("cn-hangzhou", "c-demo-hz-analytics", new KmsEncryptionChange("key-demo-hz-spare", false));
        var updated = await Ack.GetClusterAsync("cn-hangzhou", "c-demo-hz-analytics");

        var again = await Assert.ThrowsAsync<AlibabaCloudException>(() =>
            Ack.UpdateKmsEncryptionAsync("cn-hangzhou", "c-demo-hz-analytics", new KmsEncryptionChange("key-demo-hz-orders", false)));

        Assert.Equal("key-demo-hz-spare", updated.Encryption.KmsKeyId);
        Assert.Equal(AlibabaCloudErrorKind.Conflict, again.Kind);
        Assert.Equal(2, emulator.State.CountOf("UpdateKMSEncryption"));
    }

    [Fact]
    public async Task DescribeKey_ByIdAndAlias_AndServiceKeyListing()
    {
        var byId = await Kms.DescribeKeyAsync("cn-hangzhou", "key-demo-hz-orders");
        var alias = (await ToListAsync(Kms.ListAliasesAsync("cn-hangzhou"))).First(a => a.KeyId == "key-demo-hz-orders");
        var byAlias = await Kms.DescribeKeyAsync("cn-hangzhou", alias.AliasName);
        var service = await ToListAsync(Kms.ListKeysAsync("cn-shanghai", [KmsKeyFilter.ServiceKeys]));

        Assert.Equal(byId.KeyId, byAlias.KeyId);
        Assert.Equal("cn-hangzhou", byId.RegionId);
        Assert.Contains(service, k => k.KeyId == "key-demo-sh-acs-ecs");
        Assert.DoesNotContain(service, k => k.KeyId == "key-demo-sh-web");
    }

    [Fact]
    public async Task KeyWrites_CancelDeletionProtectAndEnable_ChangeTheKey()
    {
        await Kms.CancelKeyDeletionAsync("cn-hangzhou", "key-demo-hz-reporting");
        var reporting = await Kms.DescribeKeyAsync("cn-hangzhou", "key-demo-hz-reporting");
        await Kms.SetDeletionProtectionAsync("cn-hangzhou", reporting.Arn!, true, "AckFc test");
        await Kms.EnableKeyAsync("cn-hangzhou", "key-demo-hz-batch");

        Assert.Equal("Enabled", (await Kms.DescribeKeyAsync("cn-hangzhou", "key-demo-hz-reporting")).KeyState);
        Assert.True((await Kms.DescribeKeyAsync("cn-hangzhou", "key-demo-hz-reporting")).DeletionProtection);
        Assert.Equal("Enabled", (await Kms.DescribeKeyAsync("cn-hangzhou", "key-demo-hz-batch")).KeyState);
    }

    [Fact]
    public async Task Throttling_WithRetryAfter_RetriedUntilItPasses()
    {
        emulator.State.Faults.Set("DescribeKey", new FaultProfile { QpsLimit = 1, RetryAfterMilliseconds = 1000 });

        var keys = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Kms.DescribeKeyAsync("cn-hangzhou", "key-demo-hz-orders")));

        Assert.All(keys, k => Assert.Equal("key-demo-hz-orders", k.KeyId));
        Assert.Contains(emulator.State.GetCalls(), c => c.Action == "DescribeKey" && c.ErrorCode == "Throttling.User");
    }

    [Fact]
    public async Task ServiceUnavailable_ReadRetriedWriteNot()
    {
        emulator.State.Faults.Set("DescribeClusterDetail", new FaultProfile { ServiceUnavailableRate = 1.0 });
        emulator.State.Faults.Set("UpdateKMSEncryption", new FaultProfile { ServiceUnavailableRate = 1.0 });

        var read = await Assert.ThrowsAsync<AlibabaCloudException>(() => Ack.GetClusterAsync("cn-hangzhou", "c-demo-hz-orders"));
        var write = await Assert.ThrowsAsync<AlibabaCloudException>(() =>
            Ack.UpdateKmsEncryptionAsync("cn-hangzhou", "c-demo-hz-analytics", new KmsEncryptionChange("key-demo-hz-spare", false)));

        Assert.Equal(AlibabaCloudErrorKind.Transient, read.Kind);
        Assert.True(emulator.State.CountOf("DescribeClusterDetail") > 1);
        Assert.Equal(AlibabaCloudErrorKind.Transient, write.Kind);
        Assert.Equal(1, emulator.State.CountOf("UpdateKMSEncryption"));
    }

    [Fact]
    public async Task MalformedBody_ClearErrorNotACrash()
    {
        emulator.State.Faults.Set("DescribeKey", new FaultProfile { MalformedBodyRate = 1.0 });

        var e = await Assert.ThrowsAsync<AlibabaCloudException>(() => Kms.DescribeKeyAsync("cn-hangzhou", "key-demo-hz-orders"));

        Assert.Equal("InvalidResponse", e.Code);
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
