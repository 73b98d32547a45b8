using AckFc.Core.Compliance;
using AckFc.Core.Judging;
using AckFc.Core.Reporting;
using AckFc.Core.Rules;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AckFc.Core.Tests.Reporting;

/// <summary>
/// Issue 17 items 3 to 5: a crash between delivery and the state write never makes a retried timer notify twice,
/// leftovers of crashed writes are removed, and a partial-scope sweep never announces what it did not look at.
/// </summary>
public sealed class PublicationCrashSafetyTests
{
    private const string Token = "crash-tok3n-a1b2c3d4e5f6";
    private const string Secret = "ops:webhook-secret-that-is-long-enough-0123456789";
    private static readonly string[] Channels = ["dingtalk", "lark", "slack", "webhook"];

    /// <summary>Every channel pointed at one loopback server, told apart by the first path segment.</summary>
    private static ReportingHarness AllChannels(LoopbackServer server, string? regions = null) => new(new Dictionary<string, string?>
    {
        ["ACKFC_NOTIFY_DINGTALK_URL"] = new Uri(server.BaseAddress, $"dingtalk/robot/send?access_token={Token}").AbsoluteUri,
        ["ACKFC_NOTIFY_LARK_URL"] = new Uri(server.BaseAddress, $"lark/open-apis/bot/v2/hook/{Token}").AbsoluteUri,
        ["ACKFC_NOTIFY_SLACK_URL"] = new Uri(server.BaseAddress, $"slack/services/T000/B000/{Token}").AbsoluteUri,
        ["ACKFC_NOTIFY_WEBHOOK_URL"] = new Uri(server.BaseAddress, $"webhook/notify?token={Token}").AbsoluteUri,
        ["ACKFC_NOTIFY_WEBHOOK_SECRET"] = Secret,
        ["ACKFC_REGIONS"] = regions,
    });

    private static Dictionary<string, int> MessagesPerChannel(LoopbackServer server) =>
        Channels.ToDictionary(c => c, c => server.Requests.Count(r => r.Path.StartsWith("/" + c + "/", StringComparison.Ordinal)), StringComparer.Ordinal);

    private static ReportPublisher Publisher(ReportingHarness h, IReportStore store) =>
        new(store, h.Notifier, h.Provider.GetRequiredService<IOptions<ReportingOptions>>(), h.Time, NullLogger<ReportPublisher>.Instance);

    /// <summary>The file store, except that its first <see cref="SaveAsync"/> dies like a process killed before the state write.</summary>
    private sealed class CrashingStore(IReportStore inner) : ForwardingReportStore(inner)
    {
        public int Crashes { get; private set; }

        public override Task<IReadOnlyList<string>> SaveAsync(ComplianceReport report, IReadOnlyList<ReportFile> files, ReportSetState state, CancellationToken cancellationToken = default)
        {
            Crashes++;
            throw new IOException("simulated crash: the instance died before the publication record was written");
        }
    }

    private static ComplianceReport Sweep(string sweepId, int day, params ClusterReport[] clusters) =>
        ReportFixtures.Report(clusters, sweepId, ReportFixtures.Start.AddDays(day));

    private static ClusterReport Failing(string id, string region, Severity? severity = null) =>
        ReportFixtures.Cluster(id, id, region, [ReportFixtures.Fail(RuleCatalog.KeyPendingDeletion, "deleted in 5 days", "key-" + id, 5, severity)], "key-" + id);

    private static ClusterReport Passing(string id, string region) =>
        ReportFixtures.Cluster(id, id, region, [ReportFixtures.Pass(RuleCatalog.KeyPendingDeletion, "key-" + id)], "key-" + id);

    [Fact]
    public async Task PublishAsync_CrashAfterDeliveryBeforeStateWrite_RetriedTimerNotifiesEachChannelOnce()
    {
        await using var server = await LoopbackServer.StartAsync(_ => (200, "{}"));
        using var h = AllChannels(server);
        var report = ReportFixtures.DemoFleet(hostile: false, sweepId: "daily-crash");
        var crashing = new CrashingStore(h.Store);

        var crash = await Assert.ThrowsAsync<ReportPublishException>(() => Publisher(h, crashing).PublishAsync(report));
        Assert.IsType<IOException>(crash.InnerException);
        Assert.Equal(h.Store.Location, crash.Store);
        Assert.Equal(1, crashing.Crashes);
        Assert.Null(await h.Store.LoadStateAsync("daily-crash"));
        Assert.All(MessagesPerChannel(server), c => Assert.Equal(1, c.Value));

        // The retried timer: same sweep id, a healthy store this time.
        var retried = await h.Publisher.PublishAsync(report);

        Assert.All(MessagesPerChannel(server), c => Assert.True(c.Value == 1, $"{c.Key} got {c.Value} messages"));
        Assert.Equal(4, server.Requests.Count);
        Assert.DoesNotContain(retried.Report.Errors, e => e.Scope == "notification");
        var state = await h.Store.LoadStateAsync("daily-crash");
        Assert.Equal(Channels, state!.NotifiedChannels.Order(StringComparer.Ordinal));

        // And once more: still one message each.
        await h.Publisher.PublishAsync(report);
        Assert.Equal(4, server.Requests.Count);
    }

    [Fact]
    public async Task PublishAsync_IntentWithoutOutcome_NotSentAgainAndReportedAsAnError()
    {
        await using var server = await LoopbackServer.StartAsync(_ => (200, "{}"));
        using var h = AllChannels(server);
        var report = ReportFixtures.DemoFleet(hostile: false, sweepId: "daily-midway");
        // An earlier run recorded its intent to notify Slack and died before it knew the outcome.
        Assert.True(await h.Store.TryCreateMarkerAsync("daily-midway", "notify-intent.slack.1"));

        var published = await h.Publisher.PublishAsync(report);

        var perChannel = MessagesPerChannel(server);
        Assert.Equal(0, perChannel["slack"]);
        Assert.Equal(1, perChannel["dingtalk"]);
        Assert.Equal(1, perChannel["lark"]);
        Assert.Equal(1, perChannel["webhook"]);
        var error = Assert.Single(published.Report.Errors, e => e.Scope == "notification");
        Assert.Equal(("slack", "NotificationInterrupted"), (error.Action, error.Code));
        Assert.Contains("not sent again", error.Message, StringComparison.Ordinal);
        var stored = await h.Store.LoadAsync("daily-midway");
        Assert.Contains(stored!.Errors, e => e.Code == "NotificationInterrupted");
        Assert.DoesNotContain("slack", (await h.Store.LoadStateAsync("daily-midway"))!.NotifiedChannels);
        Assert.Contains("did not record the outcome", h.AllLogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishAsync_DefiniteFailureRecorded_NextPublicationTriesAgainOnce()
    {
        var failing = true;
        await using var server = await LoopbackServer.StartAsync(r => failing && r.Path.StartsWith("/slack/", StringComparison.Ordinal) ? (503, "{}") : (200, "{}"));
        using var h = AllChannels(server);
        var report = ReportFixtures.DemoFleet(hostile: false, sweepId: "daily-retry");

        var first = await h.Publisher.PublishAsync(report);
        Assert.Equal("NotificationFailed", Assert.Single(first.Report.Errors, e => e.Scope == "notification").Code);

        failing = false;
        var second = await h.Publisher.PublishAsync(report);
        var third = await h.Publisher.PublishAsync(report);

        Assert.DoesNotContain(second.Report.Errors, e => e.Scope == "notification");
        Assert.DoesNotContain(third.Report.Errors, e => e.Scope == "notification");
        var slack = server.Requests.Where(r => r.Path.StartsWith("/slack/", StringComparison.Ordinal)).ToList();
        Assert.Equal(3 + 1, slack.Count); // three refused attempts, then one delivery
        Assert.Equal(
            ["notified.dingtalk", "notified.lark", "notified.slack", "notified.webhook", "notify-failed.slack.1",
             "notify-intent.dingtalk.1", "notify-intent.lark.1", "notify-intent.slack.1", "notify-intent.slack.2", "notify-intent.webhook.1"],
            (await h.Store.LoadMarkersAsync("daily-retry")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task PublishAsync_TwoInstancesPublishTheSameSweepAtOnce_EachChannelNotifiedOnce()
    {
        await using var server = await LoopbackServer.StartAsync(_ => (200, "{}"));
        using var h = AllChannels(server);
        var report = ReportFixtures.DemoFleet(hostile: false, sweepId: "daily-race");
        var other = Publisher(h, h.Store);

        await Task.WhenAll(h.Publisher.PublishAsync(report), other.PublishAsync(report)).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.All(MessagesPerChannel(server), c => Assert.True(c.Value == 1, $"{c.Key} got {c.Value} messages"));
    }

    [Fact]
    public async Task SaveAsync_LeftoverTempFilesOfCrashedRuns_RemovedButAFreshOneIsKept()
    {
        using var h = new ReportingHarness(new Dictionary<string, string?>());
        var first = ReportFixtures.DemoFleet(hostile: false, sweepId: "daily-1");
        await h.Publisher.PublishAsync(first);
        var set = Directory.GetDirectories(h.Directory, "*_daily-1").Single();
        var stale = new[]
        {
            Path.Combine(h.Directory, ".latest.json.0123456789abcdef0123456789abcdef.tmp"),
            Path.Combine(set, ".report.json.fedcba9876543210fedcba9876543210.tmp"),
        };
        var fresh = Path.Combine(set, ".report.html.00112233445566778899aabbccddeeff.tmp");
        foreach (var path in stale.Append(fresh))
        {
            await File.WriteAllBytesAsync(path, new byte[4096]);
        }

        foreach (var path in stale)
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow - FileReportStore.LeftoverAge - TimeSpan.FromMinutes(5));
        }

        await h.Publisher.PublishAsync(ReportFixtures.DemoFleet(hostile: false, sweepId: "daily-2", at: ReportFixtures.Start.AddDays(1)));

        Assert.All(stale, path => Assert.False(File.Exists(path), path));
        Assert.True(File.Exists(fresh), "a temporary file younger than the safe age may belong to a live writer");
        Assert.True(File.Exists(Path.Combine(set, "report.json")));
    }

    [Fact]
    public async Task PublishAsync_RegionScopedSweep_NothingOutsideItsScopeResolvedOrNewAndLatestKept()
    {
        await using var server = await LoopbackServer.StartAsync(_ => (200, "{}"));
        using var h = AllChannels(server, regions: "cn-hangzhou,cn-shanghai");
        var full = Sweep("daily-1", 0, Failing("c-hz", "cn-hangzhou"), Failing("c-sh-critical", "cn-shanghai"), Passing("c-sh-ok", "cn-shanghai"));
        await h.Publisher.PublishAsync(full);

        // POST /sweeps {"regions":["cn-hangzhou"]}: only Hangzhou was looked at, and its finding is unchanged.
        var scoped = Sweep("manual-1", 0, Failing("c-hz", "cn-hangzhou")) with { Regions = ["cn-hangzhou"] };
        var scopedPublished = await h.Publisher.PublishAsync(scoped);

        Assert.True(scopedPublished.Changes!.IsEmpty, "Shanghai's findings were not looked at: neither resolved nor new");
        Assert.Equal("daily-1", (await h.Store.LoadLatestAsync())!.SweepId);
        Assert.False((await h.Store.LoadStateAsync("manual-1"))!.ReplacesLatest);

        // The next full sweep: compared with the full one, nothing is new.
        var next = await h.Publisher.PublishAsync(full with { SweepId = "daily-2", StartedAt = full.StartedAt.AddDays(1), TriggerTime = full.StartedAt.AddDays(1) });

        Assert.True(next.Changes!.IsEmpty);
        Assert.Equal("daily-2", (await h.Store.LoadLatestAsync())!.SweepId);
        Assert.DoesNotContain(server.Requests, r => System.Text.Encoding.UTF8.GetString(r.Body).Contains("no longer listed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PublishAsync_ScopedSweepWithAChangeInsideItsScope_OnlyThatChangeAnnounced()
    {
        await using var server = await LoopbackServer.StartAsync(_ => (200, "{}"));
        using var h = AllChannels(server, regions: "cn-hangzhou,cn-shanghai");
        await h.Publisher.PublishAsync(Sweep("daily-1", 0, Failing("c-hz", "cn-hangzhou"), Failing("c-sh", "cn-shanghai")));

        var scoped = Sweep("manual-1", 0, Passing("c-hz", "cn-hangzhou")) with { Regions = ["cn-hangzhou"] };
        var published = await h.Publisher.PublishAsync(scoped);

        var resolved = Assert.Single(published.Changes!.Resolved);
        Assert.Equal(("c-hz", "passes now"), (resolved.ClusterId, resolved.Why));
        Assert.Empty(published.Changes.New);
    }

    [Fact]
    public async Task PublishAsync_ConfiguredRegionsChangeBetweenSweeps_OnlyTheCommonRegionsCompared()
    {
        await using var server = await LoopbackServer.StartAsync(_ => (200, "{}"));
        var directory = string.Empty;
        ComplianceReport Full(string id, int day) => Sweep(id, day, Failing("c-hz", "cn-hangzhou"), Failing("c-sh", "cn-shanghai"));
        using (var both = AllChannels(server, regions: "cn-hangzhou,cn-shanghai"))
        {
            await both.Publisher.PublishAsync(Full("daily-1", 0));
            directory = both.Directory;

            // ACKFC_REGIONS narrowed to Hangzhou: the configured fleet is now one region, and that sweep is the latest.
            using var narrowed = new ReportingHarness(new Dictionary<string, string?> { ["ACKFC_REGIONS"] = "cn-hangzhou" });
            var hangzhou = await Publisher(narrowed, StoreAt(directory)).PublishAsync(Sweep("daily-2", 1, Failing("c-hz", "cn-hangzhou")));
            Assert.True(hangzhou.Changes!.IsEmpty, "Shanghai is no longer swept: its finding is not resolved");
            Assert.Equal("daily-2", (await StoreAt(directory).LoadLatestAsync())!.SweepId);

            // Widened again: Shanghai's finding failed all along and is not announced as new.
            var widened = await both.Publisher.PublishAsync(Full("daily-3", 2));
            Assert.True(widened.Changes!.IsEmpty, "Shanghai was not in the previous report's scope: its finding is not new");
        }
    }

    private static FileReportStore StoreAt(string directory) =>
        new(Options.Create(new ReportingOptions { ReportDirectory = directory }), NullLogger<FileReportStore>.Instance);

    [Fact]
    public async Task Markers_CreateOnly_OneWinnerUnderRaceAndListedPerSweep()
    {
        using var h = new ReportingHarness(new Dictionary<string, string?>());
        var store = h.Store;

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => store.TryCreateMarkerAsync("daily-1", "notify-intent.slack.1"))));

        Assert.Equal(1, results.Count(r => r));
        Assert.False(await store.TryCreateMarkerAsync("daily-1", "notify-intent.slack.1"));
        Assert.True(await store.TryCreateMarkerAsync("daily-1", "notified.slack"));
        Assert.True(await store.TryCreateMarkerAsync("daily:1", "notified.slack"), "an id that reduces to the same safe name has markers of its own");
        Assert.Equal(["notified.slack", "notify-intent.slack.1"], (await store.LoadMarkersAsync("daily-1")).Order(StringComparer.Ordinal));
        Assert.Empty(await store.LoadMarkersAsync("daily-2"));
        foreach (var bad in new[] { "../escape", ".hidden", "a/b", "", "x y", new string('a', 101) })
        {
            await Assert.ThrowsAsync<ArgumentException>(() => store.TryCreateMarkerAsync("daily-1", bad));
        }
    }
}
