using System.Net;
using AckFc.Core.Compliance;
using AckFc.Core.Judging;
using AckFc.Core.Rules;
using AckFc.Local.Emulator;
using AckFc.Local.Runner;

namespace AckFc.Functions.Tests.EndToEnd;

/// <summary>The timer invocation through the Function Compute contract against the demo fleet.</summary>
public sealed class TimerEndToEndTests : LocalRunTest
{
    [Fact]
    public async Task Timer_DemoFleet_ReportsEveryPlantedRiskOnce()
    {
        var (report, status, _) = await Stack.FireTimerAsync("{\"mode\":\"report\"}", DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(200, status);
        Assert.NotNull(report);
        Assert.True(report.Complete);
        Assert.Equal(Stack.Emulator.State.GetClusters().Count, report.Clusters.Count);
        Assert.Equal(report.Clusters.Count, report.Clusters.Select(c => c.ClusterId).Distinct().Count());
        foreach (var scenario in DemoFleet.Scenarios)
        {
            var cluster = Assert.Single(report.Clusters, c => c.ClusterId == scenario.ClusterId);
            var failing = cluster.Findings.Where(f => f.Status is FindingStatus.Fail or FindingStatus.Waived).Select(f => f.RuleId).ToHashSet();
            foreach (var rule in scenario.RuleIds)
            {
                Assert.True(failing.Contains(rule), $"{scenario.ClusterId} should show {rule}; it shows {string.Join(", ", failing)}");
            }
        }

        Assert.Equal(0, Stack.Emulator.State.CountOf("UpdateKMSEncryption"));
        Assert.True(File.Exists(Path.Combine(Reports, "latest.json")));
    }

    [Fact]
    public async Task Timer_RemediateRetriedForSameTrigger_AppliesEachActionOnce()
    {
        var trigger = DateTimeOffset.UtcNow;
        var (first, _, _) = await Stack.FireTimerAsync("{\"mode\":\"remediate\"}", trigger, CancellationToken.None);
        var (retry, _, _) = await Stack.FireTimerAsync("{\"mode\":\"remediate\"}", trigger, CancellationToken.None);

        Assert.NotNull(first);
        Assert.NotNull(retry);
        Assert.Equal(first.SweepId, retry.SweepId);
        Assert.Contains(first.Actions, a => a.Status == RemediationStatus.Applied);
        Assert.DoesNotContain(retry.Actions, a => a.Status == RemediationStatus.Applied && first.Actions.Any(f => f.Status == RemediationStatus.Applied && f.Kind == a.Kind && f.KmsKeyId == a.KmsKeyId && f.ClusterId == a.ClusterId));
        Assert.Equal(1, Stack.Emulator.State.CountOf("CancelKeyDeletion"));
        Assert.Equal(1, Stack.Emulator.State.CountOf("EnableKey"));
        // The demo policy enables the enable-encryption remediation (c-demo-hz-analytics with key-demo-hz-spare): once, not zero times.
        Assert.Equal(1, Stack.Emulator.State.CountOf("UpdateKMSEncryption"));
    }

    [Fact]
    public async Task Invoke_BadPayload_404WithFcStatus()
    {
        var (report, status, body) = await Stack.FireTimerAsync("{\"mode\":\"destroy\"}", DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Null(report);
        Assert.Equal((int)HttpStatusCode.NotFound, status);
        Assert.Contains("mode", body, StringComparison.Ordinal);
    }
}
