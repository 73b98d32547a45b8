using AckFc.AlibabaCloud;
using AckFc.Core;
using AckFc.Core.Compliance;
using AckFc.Core.Rules;
using AckFc.Local.Emulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AckFc.Local.Tests.Reliability;

/// <summary>
/// A sweep of 1,000 clusters over 3 regions while the emulated cloud throttles, fails and hangs: it ends inside its
/// deadline, reports every cluster exactly once, every status equals the fault-free run's, and with reads retried
/// no cluster ends unknown and the sweep is complete.
/// </summary>
public sealed class FaultStormTests(ITestOutputHelper output)
{
    private static async Task<(ComplianceReport Report, IReadOnlyDictionary<string, long> Calls)> SweepAsync(RunningEmulator emulator, TimeSpan deadline)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ACKFC_REGIONS"] = string.Join(',', emulator.State.Regions),
            ["ACKFC_CS_ENDPOINT"] = emulator.Endpoint,
            ["ACKFC_KMS_ENDPOINT"] = emulator.Endpoint,
            ["ALIBABA_CLOUD_ACCESS_KEY_ID"] = emulator.Credential.AccessKeyId,
            ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = emulator.Credential.AccessKeySecret,
            // Long enough that a slow answer on a busy machine is not taken for a hang; a hang (30 s) is still cut.
            ["ACKFC_CLOUD_ATTEMPT_TIMEOUT_SECONDS"] = "3",
            ["ACKFC_CLOUD_RETRY_BASE_DELAY_SECONDS"] = "0",
        }).Build();
        await using var services = new ServiceCollection().AddLogging().AddAlibabaCloud(configuration).AddAckFcCore(configuration).BuildServiceProvider();
        await using var scope = services.CreateAsyncScope();
        emulator.State.ResetCalls();
        var report = await scope.ServiceProvider.GetRequiredService<IComplianceService>()
            .SweepAsync(new SweepRequest(SweepMode.Report, null, "storm", "test", Deadline: DateTimeOffset.UtcNow + deadline));
        return (report, emulator.State.GetCounters());
    }

    [Fact]
    public async Task Sweep_UnderFaultStorm_EveryClusterOnceAndStatusesHold()
    {
        var fleet = FleetGenerator.Generate(1000, 3, 60, seed: 11);
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Fleet = fleet, Seed = 11 });
        var (calm, calmCalls) = await SweepAsync(emulator, TimeSpan.FromMinutes(2));
        Assert.True(calm.Complete && calm.Clusters.Count == 1000 && calm.Errors.Count == 0,
            $"the fault-free sweep itself failed: {calm.Clusters.Count} clusters, errors: {string.Join("; ", calm.Errors.Select(e => $"{e.Scope} {e.Code}"))}");

        emulator.State.Faults.Set(FaultSettings.AllActions, new FaultProfile
        {
            LatencyMilliseconds = 5,
            JitterMilliseconds = 20,
            QpsLimit = 70,
            RetryAfterMilliseconds = 100,
            ServiceUnavailableRate = 0.05,
            HangRate = 0.01,
            HangMilliseconds = 30_000,
        });
        var started = DateTimeOffset.UtcNow;
        var (storm, stormCalls) = await SweepAsync(emulator, TimeSpan.FromSeconds(90));
        var took = DateTimeOffset.UtcNow - started;

        var calls = emulator.State.GetCalls();
        var failedCalls = calls.Count(c => c.Status >= 400);
        var byCode = string.Join(", ", calls.Where(c => c.ErrorCode is not null).GroupBy(c => c.ErrorCode).Select(g => $"{g.Key} {g.Count()}"));
        output.WriteLine(
            $"fault-free: {calmCalls.Values.Sum()} calls; storm: {stormCalls.Values.Sum()} calls ({failedCalls} answered with an error: {byCode}), " +
            $"{took.TotalSeconds:0.0} s, unknown clusters {storm.Clusters.Count(c => c.Status == FindingStatus.Unknown)}, complete {storm.Complete}");
        Assert.True(took < TimeSpan.FromSeconds(90), $"took {took}");
        Assert.Equal(1000, storm.Clusters.Count);
        Assert.Equal(1000, storm.Clusters.Select(c => c.ClusterId).Distinct().Count());
        Assert.True(failedCalls > 0, "the storm injected no faults");

        var before = calm.Clusters.ToDictionary(c => c.ClusterId);
        foreach (var cluster in storm.Clusters)
        {
            if (cluster.Status == FindingStatus.Unknown && before[cluster.ClusterId].Status != FindingStatus.Unknown)
            {
                Assert.Contains(cluster.Findings, f => f.Status == FindingStatus.Unknown && f.ErrorCode is not null);
                continue;
            }

            Assert.Equal(before[cluster.ClusterId].Status, cluster.Status);
        }

        // With retries on, (near) none is unknown: a read fails for good only when every one of its attempts fails. The
        // bound catches a retry path that stops working: with transient read retries removed 61 of 1,000 went unknown,
        // and while throttled retries all came back inside the same one-second window, 0 to 66 did.
        var unknown = storm.Clusters.Count(c => c.Status == FindingStatus.Unknown && before[c.ClusterId].Status != FindingStatus.Unknown);
        Assert.True(unknown <= 5, $"{unknown} of 1,000 clusters went unknown under the storm with retries on (bound 5)");
        Assert.DoesNotContain(storm.Errors, e => e.Scope is "region" or "deadline");
        Assert.True(storm.Complete, "no region failed, so the sweep must be complete");

        // Retries cost calls, within a stated bound: at most four times the fault-free count.
        Assert.InRange(stormCalls.Values.Sum(), calmCalls.Values.Sum(), 4 * calmCalls.Values.Sum());
    }
}
