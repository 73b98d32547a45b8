using System.Net;
using System.Text.Json;
using AckFc.Local;
using AckFc.Local.Emulator;
using AckFc.Local.Runner;
using AckFc.Worker;

namespace AckFc.Functions.Tests.EndToEnd;

/// <summary>
/// Reports on OSS across Function Compute instances, each one a separate process of the published binary with nothing
/// in common but the emulated region's bucket: concurrent publishers, fresh processes that still compare with the
/// previous sweep, and retried or duplicated timers that never notify twice.
/// </summary>
public sealed class OssProcessesTests(PublishedBinaryFixture fixture) : IClassFixture<PublishedBinaryFixture>, IAsyncLifetime
{
    private const string Bucket = "ackfc-procs";
    private const string Prefix = "fleet/";
    private static readonly DateTimeOffset Day1 = new(2026, 12, 1, 3, 0, 0, TimeSpan.Zero);
    private RunningEmulator emulator = null!;
    private NotificationReceiver receiver = null!;
    private readonly List<BinaryHost> hosts = [];

    public async Task InitializeAsync()
    {
        emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Fleet = DemoFleet.Create() });
        emulator.Oss.EnsureBucket(Bucket);
        receiver = await NotificationReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var host in hosts)
        {
            await host.DisposeAsync();
        }

        await receiver.DisposeAsync();
        await emulator.DisposeAsync();
    }

    [Fact]
    public async Task TwoProcessesPublishingAtOnce_OneConsistentLatestAndBothCompleteSets()
    {
        var a = await StartHostAsync();
        var b = await StartHostAsync();

        var answers = await Task.WhenAll(a.InvokeTimerAsync("procs-a", Day1), b.InvokeTimerAsync("procs-b", Day1.AddHours(1)));

        Assert.All(answers, r => Assert.True(r.Status == HttpStatusCode.OK, $"{r.Status} {r.FcStatus}: {r.Body}"));
        var ids = answers.Select(r => SweepIdOf(r.Body)).ToArray();
        var keys = emulator.Oss.Keys(Bucket);
        var index = keys.Where(k => k.StartsWith(Prefix + "index/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(2, index.Count);
        // Newest first in key order: the sweep triggered an hour later is "latest" whoever finished first.
        Assert.EndsWith("_" + ids[1] + ".json", index[0], StringComparison.Ordinal);
        Assert.EndsWith("_" + ids[0] + ".json", index[1], StringComparison.Ordinal);
        foreach (var id in ids)
        {
            var set = keys.Where(k => k.Contains("/" + id + "/", StringComparison.Ordinal) && k.StartsWith(Prefix + "sweeps/", StringComparison.Ordinal))
                .Select(k => k[(k.LastIndexOf('/') + 1)..]).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(["publish-000001.json", "report.csv", "report.html", "report.json", "report.md", "report.ocsf.jsonl"], set);
        }

        // Neither process could take the other's sweep as its previous one: both were the first of the bucket, or one
        // compared with the other's complete set — never with a half-written one.
        foreach (var id in ids)
        {
            using var state = JsonDocument.Parse(emulator.Oss.Read(Bucket, keys.Single(k => k.Contains("/" + id + "/publish-000001.json", StringComparison.Ordinal))));
            if (state.RootElement.TryGetProperty("comparedWith", out var with) && with.ValueKind == JsonValueKind.String)
            {
                Assert.Contains(with.GetString(), ids);
            }
        }
    }

    [Fact]
    public async Task FourFreshProcesses_NotifyOnlyWhatChanged_AndARetriedTimerOnAFifthNotifiesNothing()
    {
        // 1. The first sweep of the bucket: every failing cluster is news.
        var first = await SweepOnAFreshProcessAsync("procs-1", Day1);
        var digests = receiver.Digests;
        Assert.Single(digests);
        Assert.Equal(first, digests[0].GetProperty("sweepId").GetString());
        Assert.True(digests[0].GetProperty("summary").GetProperty("fail").GetInt32() > 0);

        // 2. Nothing changed: a fresh process still finds the previous sweep on OSS, compares, and says nothing.
        var second = await SweepOnAFreshProcessAsync("procs-2", Day1.AddDays(1));
        Assert.Single(receiver.Digests);
        Assert.Equal(first, ComparedWith(second));

        // 3. The reporting key's deletion moves to tomorrow: the finding it already had escalates.
        emulator.State.ScheduleKeyDeletion("key-demo-hz-reporting", 1);
        var third = await SweepOnAFreshProcessAsync("procs-3", Day1.AddDays(2));
        digests = receiver.Digests;
        Assert.Equal(2, digests.Count);
        Assert.Equal(second, ComparedWith(third));
        Assert.Equal(third, digests[1].GetProperty("sweepId").GetString());
        Assert.Contains("c-demo-hz-reporting/ACKFC-KEY-003", NotificationReceiver.Changes(digests[1], "escalated"));
        Assert.Empty(NotificationReceiver.Changes(digests[1], "new"));

        // 4. The deletion is cancelled: resolved.
        emulator.State.CancelKeyDeletion("key-demo-hz-reporting");
        var fourth = await SweepOnAFreshProcessAsync("procs-4", Day1.AddDays(3));
        digests = receiver.Digests;
        Assert.Equal(3, digests.Count);
        Assert.Equal(third, ComparedWith(fourth));
        Assert.Contains("c-demo-hz-reporting/ACKFC-KEY-003", NotificationReceiver.Changes(digests[2], "resolved"));

        // 5. Function Compute retries the fourth timer on yet another instance: the same sweep id, recognised from what
        // the bucket holds — published again, compared with the same sweep, and no channel told twice.
        var retried = await SweepOnAFreshProcessAsync("procs-4", Day1.AddDays(3));
        Assert.Equal(fourth, retried);
        Assert.Equal(3, receiver.Digests.Count);
        using var state = JsonDocument.Parse(emulator.Oss.Read(Bucket, StateKey(fourth, 2)));
        Assert.Equal(2, state.RootElement.GetProperty("publications").GetInt32());
        Assert.Equal(third, state.RootElement.GetProperty("comparedWith").GetString());
        Assert.Contains("webhook", state.RootElement.GetProperty("notifiedChannels").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task SameTimerOnTwoProcessesAtOnce_NotifiesOnce()
    {
        // A slow bucket widens the window in which both processes are between "nobody notified yet" and "notified".
        foreach (var action in new[] { "GetObject", "ListObjectsV2", "PutObject" })
        {
            emulator.State.Faults.Set(action, new FaultProfile { LatencyMilliseconds = 200 });
        }

        var a = await StartHostAsync();
        var b = await StartHostAsync();

        var answers = await Task.WhenAll(a.InvokeTimerAsync("procs-dup", Day1), b.InvokeTimerAsync("procs-dup", Day1));

        Assert.All(answers, r => Assert.True(r.Status == HttpStatusCode.OK, $"{r.Status} {r.FcStatus}: {r.Body}"));
        Assert.Equal(SweepIdOf(answers[0].Body), SweepIdOf(answers[1].Body));
        Assert.Single(receiver.Digests);
        Assert.Single(emulator.Oss.Keys(Bucket), k => k.StartsWith(Prefix + "index/", StringComparison.Ordinal));
    }

    private async Task<BinaryHost> StartHostAsync()
    {
        var environment = LocalHostEnvironment.For(emulator) with
        {
            PolicyFile = LocalSettings.DefaultPolicy,
            OssReportStore = $"oss://{Bucket}/{Prefix}",
        };
        var extra = new Dictionary<string, string>(receiver.HostVariables) { ["ACKFC_CLOUD_TOTAL_TIMEOUT_SECONDS"] = "15" };
        var host = await BinaryHost.StartAsync(fixture.Binary, environment, extra);
        hosts.Add(host);
        return host;
    }

    /// <summary>One timer invocation on a process started for it and stopped after it, as a fresh FC instance would be.</summary>
    private async Task<string> SweepOnAFreshProcessAsync(string requestId, DateTimeOffset trigger)
    {
        var host = await StartHostAsync();
        var (status, fcStatus, body) = await host.InvokeTimerAsync(requestId, trigger);
        await host.StopAsync();
        Assert.True(status == HttpStatusCode.OK, $"{status} {fcStatus}: {body}{Environment.NewLine}{host.Output}");
        return SweepIdOf(body);
    }

    private string ComparedWith(string sweepId)
    {
        using var state = JsonDocument.Parse(emulator.Oss.Read(Bucket, StateKey(sweepId, 1)));
        return state.RootElement.GetProperty("comparedWith").GetString()!;
    }

    private string StateKey(string sweepId, int publication) =>
        emulator.Oss.Keys(Bucket).Single(k => k.EndsWith($"/{sweepId}/publish-{publication:D6}.json", StringComparison.Ordinal));

    private static string SweepIdOf(string answer)
    {
        using var json = JsonDocument.Parse(answer);
        return json.RootElement.GetProperty("sweepId").GetString()!;
    }
}
