using AckFc.AlibabaCloud.Http;
using Microsoft.Extensions.Options;

namespace AckFc.AlibabaCloud.Tests.Http;

public sealed class AcsRateLimiterRegistryTests
{
    [Fact]
    public void Get_SameServiceAndRegion_SharesOneLimiter()
    {
        using var registry = new AcsRateLimiterRegistry(Options.Create(new AlibabaCloudOptions()));

        Assert.Same(registry.Get(AcsService.Cs, "cn-hangzhou"), registry.Get(AcsService.Cs, "cn-hangzhou"));
        Assert.NotSame(registry.Get(AcsService.Cs, "cn-hangzhou"), registry.Get(AcsService.Cs, "cn-shanghai"));
        Assert.NotSame(registry.Get(AcsService.Cs, "cn-hangzhou"), registry.Get(AcsService.Kms, "cn-hangzhou"));
    }

    [Fact]
    public void Get_ConfiguredRate_BurstIsOneSecondOfTokens()
    {
        // One token a second: the bucket holds one, so a second immediate permit cannot exist.
        using var registry = new AcsRateLimiterRegistry(Options.Create(new AlibabaCloudOptions { KmsQps = 1, CsQps = 3 }));
        var kms = registry.Get(AcsService.Kms, "cn-hangzhou");
        var cs = registry.Get(AcsService.Cs, "cn-hangzhou");

        using var first = kms.AttemptAcquire();
        using var second = kms.AttemptAcquire();
        var csLeases = Enumerable.Range(0, 3).Select(_ => cs.AttemptAcquire()).ToList();

        Assert.True(first.IsAcquired);
        Assert.False(second.IsAcquired);
        Assert.All(csLeases, l => Assert.True(l.IsAcquired));
        csLeases.ForEach(l => l.Dispose());
    }

    [Fact]
    public void Get_Sts_OneBucketForAllRegionsOfAHundredCallsASecond()
    {
        using var registry = new AcsRateLimiterRegistry(Options.Create(new AlibabaCloudOptions { KmsQps = 1, CsQps = 1 }));
        var hangzhou = registry.Get(AcsService.Sts, "cn-hangzhou");

        Assert.Same(hangzhou, registry.Get(AcsService.Sts, "ap-southeast-1"));
        Assert.NotSame(hangzhou, registry.Get(AcsService.Kms, "cn-hangzhou"));
        var leases = Enumerable.Range(0, 101).Select(_ => hangzhou.AttemptAcquire()).ToList();

        Assert.Equal(100, AcsRateLimiterRegistry.StsQps);
        Assert.All(leases.Take(100), l => Assert.True(l.IsAcquired));
        Assert.False(leases[100].IsAcquired);
        leases.ForEach(l => l.Dispose());
    }

    [Fact]
    public void Get_ResourceManager_OneCentralBucketApartFromSts()
    {
        using var registry = new AcsRateLimiterRegistry(Options.Create(new AlibabaCloudOptions()));
        var rm = registry.Get(AcsService.ResourceManager, AcsRequest.CentralRegion);

        Assert.Same(rm, registry.Get(AcsService.ResourceManager, "cn-hangzhou"));
        Assert.NotSame(rm, registry.Get(AcsService.Sts, "cn-hangzhou"));
        var leases = Enumerable.Range(0, AcsRateLimiterRegistry.ResourceManagerQps + 1).Select(_ => rm.AttemptAcquire()).ToList();
        Assert.False(leases[^1].IsAcquired);
        leases.ForEach(l => l.Dispose());
    }
}
