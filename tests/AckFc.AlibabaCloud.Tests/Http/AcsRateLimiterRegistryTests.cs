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
}
