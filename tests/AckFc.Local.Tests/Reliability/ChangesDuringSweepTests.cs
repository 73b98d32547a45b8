using AckFc.AlibabaCloud;
using AckFc.Core;
using AckFc.Core.Compliance;
using AckFc.Core.Rules;
using AckFc.Local.Emulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AckFc.Local.Tests.Reliability;

/// <summary>
/// The fleet changes while a sweep pages through it: clusters added ahead of the cursor (shifting later pages), a
/// cluster deleted, a key disabled. The sweep must not crash, must not report a cluster twice, and says what it saw.
/// </summary>
public sealed class ChangesDuringSweepTests
{
    [Fact]
    public async Task Sweep_FleetChangesBetweenPages_NoDuplicatesNoCrash()
    {
        var fleet = FleetGenerator.Generate(450, 1, 10, seed: 5);
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Fleet = fleet });
        var region = emulator.State.Regions[0];
        emulator.State.Faults.Set("DescribeClustersV1", new FaultProfile { LatencyMilliseconds = 150 });
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ACKFC_REGIONS"] = region,
            ["ACKFC_CS_ENDPOINT"] = emulator.Endpoint,
            ["ACKFC_KMS_ENDPOINT"] = emulator.Endpoint,
            ["ALIBABA_CLOUD_ACCESS_KEY_ID"] = emulator.Credential.AccessKeyId,
            ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = emulator.Credential.AccessKeySecret,
        }).Build();
        await using var services = new ServiceCollection().AddLogging().AddAlibabaCloud(configuration).AddAckFcCore(configuration).BuildServiceProvider();
        await using var scope = services.CreateAsyncScope();
        var before = emulator.State.GetClusters().Select(c => c.ClusterId).ToHashSet();
        var deleted = emulator.State.GetClusters().OrderBy(c => c.ClusterId, StringComparer.Ordinal).Last().ClusterId;
        var disabledKey = emulator.State.GetClusters().First(c => c.EncryptionKeyId is not null).EncryptionKeyId!;

        var sweep = scope.ServiceProvider.GetRequiredService<IComplianceService>().SweepAsync(new SweepRequest(SweepMode.Report, null, "moving", "test"));
        await Wait.UntilAsync(() => emulator.State.CountOf("DescribeClustersV1") > 0, "the sweep to ask for its first cluster page");

        // While page 1 is in flight: new clusters sort first and push existing ones onto later pages.
        emulator.State.AddClusters(Enumerable.Range(0, 30).Select(i => new ClusterDefinition
        {
            ClusterId = $"c-0000-added-{i:00}",
            Name = $"added-{i}",
            RegionId = region,
        }));
        emulator.State.DeleteCluster(deleted);
        emulator.State.DisableKey(disabledKey);
        var report = await sweep;

        var ids = report.Clusters.Select(c => c.ClusterId).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.True(report.Clusters.Count >= before.Count - 1, $"lost clusters: saw {report.Clusters.Count} of {before.Count}");
        // The key was read once for all its clusters: they agree on what was seen, whichever moment it was.
        var onDisabledKey = report.Clusters.Where(c => c.Encryption.KmsKeyId == disabledKey).ToList();
        Assert.NotEmpty(onDisabledKey);
        Assert.Single(onDisabledKey.Select(c => c.Findings.Any(f => f.RuleId == RuleCatalog.KeyDisabled && f.Status == FindingStatus.Fail)).Distinct());
        Assert.Equal(ReportSummary.From(report.Clusters).Clusters, report.Summary.Clusters);
    }
}
