using AckFc.Core.Policy;

namespace AckFc.Core.Tests.Policy;

public sealed class PolicyProviderTests
{
    [Fact]
    public void FilePolicyProvider_NoPath_TheBundledPolicy()
    {
        var provider = new FilePolicyProvider(null);

        Assert.Equal(PolicyLoader.BundledSource, provider.Current.Source);
        Assert.Equal(PolicyLoader.LoadBundled().Version, provider.Current.Version);
    }

    [Fact]
    public void FilePolicyProvider_Path_ThatFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ackfc-provider-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, "version: 1\nremediation: { enableKey: true }\n");
        try
        {
            var provider = new FilePolicyProvider(path);

            Assert.Equal(path, provider.Current.Source);
            Assert.True(provider.Current.Policy.Remediation.EnableKey);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void FilePolicyProvider_BadFile_FailsAtConstruction()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ackfc-provider-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, "version: 2\n");
        try
        {
            var e = Assert.Throws<PolicyException>(() => new FilePolicyProvider(path));

            Assert.Equal((path, "version must be 1"), (e.File, e.Problem));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void StaticPolicyProvider_TheGivenPolicy()
    {
        var loaded = new LoadedPolicy(new AckFcPolicy(), "v1", "test");

        Assert.Same(loaded, new StaticPolicyProvider(loaded).Current);
    }
}
