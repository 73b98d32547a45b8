using AckFc.Core.Compliance;
using AckFc.Core.Rules;
using AckFc.Local.Emulator;

namespace AckFc.Local.Tests.Emulator;

public sealed class DemoFleetTests
{
    /// <summary>
    /// An independent reading of contracts §6 over the emulator's own state, so the docs table in DemoFleet
    /// cannot claim a risk the data does not carry (allow-list: aliases alias/ackfc-*; material window 30 days).
    /// </summary>
    private static List<string> Judge(ClusterSnapshot cluster, Func<string, KeySnapshot?> key, DateTimeOffset now)
    {
        var rules = new List<string>();
        if (!cluster.ClusterSpec.StartsWith("ack.pro.", StringComparison.Ordinal))
        {
            return rules;
        }

        if (cluster.EncryptionKeyId is null || cluster.EncryptionDisabled)
        {
            rules.Add(RuleCatalog.EncryptionEnabled);
            return rules;
        }

        var k = key(cluster.EncryptionKeyId);
        if (k is null)
        {
            rules.Add(RuleCatalog.KeyMissing);
            return rules;
        }

        if (k.KeyState == "Disabled") rules.Add(RuleCatalog.KeyDisabled);
        if (k.KeyState == "PendingDeletion") rules.Add(RuleCatalog.KeyPendingDeletion);
        if (k.KeyState == "PendingImport" || (k.Origin == "EXTERNAL" && k.MaterialExpireTime is { } t && t - now < TimeSpan.FromDays(30))) rules.Add(RuleCatalog.KeyMaterial);
        if (!k.Aliases.Any(a => a.StartsWith("alias/ackfc-", StringComparison.Ordinal))) rules.Add(RuleCatalog.KeyNotAllowed);
        if (k.KeySpec != "Aliyun_AES_256" || k.KeyUsage != "ENCRYPT/DECRYPT") rules.Add(RuleCatalog.KeyWrongType);
        if (k.CreatorType == "Service") rules.Add(RuleCatalog.ServiceKey);
        if (k.RegionId != cluster.RegionId) rules.Add(RuleCatalog.KeyOtherRegion);
        if (!k.DeletionProtection) rules.Add(RuleCatalog.DeletionProtection);
        if (k.AutomaticRotation != "Enabled") rules.Add(RuleCatalog.Rotation);
        return rules;
    }

    [Fact]
    public async Task Scenarios_MatchWhatTheFleetCarries()
    {
        await using var emulator = await TestEmulator.StartAsync();
        var now = emulator.State.Time.GetUtcNow();

        foreach (var scenario in DemoFleet.Scenarios)
        {
            var cluster = emulator.State.GetCluster(scenario.ClusterId);
            Assert.NotNull(cluster);
            Assert.Equal(scenario.RegionId, cluster.RegionId);
            Assert.Equal(scenario.RuleIds.Order(), Judge(cluster, emulator.State.GetKey, now).Order());
        }

        Assert.Equal(DemoFleet.Scenarios.Count, emulator.State.GetClusters().Count);
    }

    [Fact]
    public void Scenarios_EverySweepRuleFailsAtLeastOnce()
    {
        var shown = DemoFleet.Scenarios.SelectMany(s => s.RuleIds).ToHashSet();

        var missing = RuleCatalog.All.Select(r => r.Id).Where(id => id != RuleCatalog.NeverDisable && !shown.Contains(id)).ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public async Task Fleet_HasHealthyProtectedAndNotApplicableClusters()
    {
        await using var emulator = await TestEmulator.StartAsync();
        var clusters = emulator.State.GetClusters();

        var prod = Assert.Single(clusters, c => c.Tags.GetValueOrDefault("env") == "prod");
        Assert.Empty(DemoFleet.Scenarios.Single(s => s.ClusterId == prod.ClusterId).RuleIds);
        Assert.True(prod.SecretsReadable);
        Assert.Contains(clusters, c => !c.ClusterSpec.StartsWith("ack.pro.", StringComparison.Ordinal));
        Assert.True(DemoFleet.Scenarios.Count(s => s.RuleIds.Count == 0) >= 4);
        Assert.Equal(3, emulator.State.Regions.Count);
    }

    [Fact]
    public async Task Fleet_PendingDeletionIsFiveDaysAheadOfLoad()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var key = emulator.State.GetKey("key-demo-hz-reporting")!;

        Assert.Equal(TestEmulator.Start.AddDays(5), key.DeleteDate);
    }
}
