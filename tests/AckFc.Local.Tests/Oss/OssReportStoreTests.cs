using AckFc.AlibabaCloud;
using AckFc.Core.Compliance;
using AckFc.Core.Reporting;
using AckFc.Local.Emulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AckFc.Local.Tests.Oss;

/// <summary>The OSS report store against the emulated OSS, each "instance" a service provider of its own.</summary>
public sealed class OssReportStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 3, 0, 0, TimeSpan.Zero);
    private RunningEmulator emulator = null!;

    public async Task InitializeAsync() => emulator = await EmulatorHost.StartAsync(new EmulatorOptions());

    public async Task DisposeAsync() => await emulator.DisposeAsync();

    private Dictionary<string, string?> Settings(string store = OssStoreHost.DefaultStore)
    {
        var settings = OssStoreHost.Settings(emulator, store);
        settings["ACKFC_CLOUD_MAX_ATTEMPTS"] = "6";
        return settings;
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings) => OssStoreHost.Build(settings);

    private OssStoreHost Start(Action<Dictionary<string, string?>>? adjust = null)
    {
        var settings = Settings();
        adjust?.Invoke(settings);
        return new OssStoreHost(settings);
    }

    private static ComplianceReport Report(string sweepId, DateTimeOffset time, int fail = 0) => new()
    {
        SweepId = sweepId,
        StartedAt = time,
        FinishedAt = time.AddSeconds(5),
        TriggerTime = time,
        Complete = true,
        Mode = SweepMode.Report,
        Regions = ["cn-hangzhou"],
        PolicyVersion = "test",
        Summary = new ReportSummary { Clusters = fail, Fail = fail },
        Clusters = [],
    };

    private static ReportSetState State(string sweepId, int publication = 1) =>
        new() { SweepId = sweepId, PublishedAt = T0, Publications = publication };

    private static IReadOnlyList<ReportFile> Files(ComplianceReport report) =>
        [new("report.html", $"<html>{report.SweepId}</html>"), new("report.md", "# " + report.SweepId)];

    [Fact]
    public async Task Latest_IsTheNewestSweepWhateverTheOrderOfPublication()
    {
        await using var host = Start();
        Assert.Null(await host.Store.LoadLatestAsync());

        var newer = Report("sweep-new", T0.AddDays(1));
        var older = Report("sweep-old", T0);
        var paths = await host.Store.SaveAsync(newer, Files(newer), State(newer.SweepId));
        await host.Store.SaveAsync(older, Files(older), State(older.SweepId));

        Assert.Equal("sweep-new", (await host.Store.LoadLatestAsync())?.SweepId);
        Assert.Equal("sweep-old", (await host.Store.LoadAsync("sweep-old"))?.SweepId);
        Assert.Contains("oss://ackfc-reports/ackfc/sweeps/2026-12-02/sweep-new/report.json", paths);
        Assert.Contains("ackfc/sweeps/2026-12-02/sweep-new/report.html", emulator.Oss.Keys("ackfc-reports"));
        Assert.Contains("ackfc/sweeps/2026-12-02/sweep-new/publish-000001.json", emulator.Oss.Keys("ackfc-reports"));
    }

    [Fact]
    public async Task TwoInstancesPublishingAtOnce_OneConsistentLatestAndBothSets()
    {
        await using var a = Start();
        await using var b = Start();
        for (var round = 0; round < 5; round++)
        {
            var first = Report($"a-{round}", T0.AddHours(round * 2));
            var second = Report($"b-{round}", T0.AddHours(round * 2 + 1));
            await Task.WhenAll(
                a.Store.SaveAsync(first, Files(first), State(first.SweepId)),
                b.Store.SaveAsync(second, Files(second), State(second.SweepId)));

            Assert.Equal($"b-{round}", (await a.Store.LoadLatestAsync())?.SweepId);
            Assert.Equal($"b-{round}", (await b.Store.LoadLatestAsync())?.SweepId);
            Assert.Equal($"a-{round}", (await b.Store.LoadAsync($"a-{round}"))?.SweepId);
        }
    }

    [Fact]
    public async Task RetriedPublication_RecognisesItsEarlierOne_KeepsTheFirstFilesAndOneIndexEntry()
    {
        await using var first = Start();
        var report = Report("retried", T0);
        await first.Store.SaveAsync(report, [new("report.html", "first")], State("retried", 1));

        await using var retry = Start();
        var earlier = await retry.Store.LoadStateAsync("retried");
        Assert.Equal(1, earlier?.Publications);
        await retry.Store.SaveAsync(report, [new("report.html", "second")], State("retried", 2));

        Assert.Equal(2, (await retry.Store.LoadStateAsync("retried"))?.Publications);
        Assert.Single(emulator.Oss.Keys("ackfc-reports"), k => k.StartsWith("ackfc/index/", StringComparison.Ordinal));
        var html = emulator.Oss.Keys("ackfc-reports").Single(k => k.EndsWith("retried/report.html", StringComparison.Ordinal));
        Assert.Equal("ackfc/sweeps/2026-12-01/retried/report.html", html);
        Assert.Null(await retry.Store.LoadStateAsync("never-published"));
    }

    [Fact]
    public async Task Markers_AreCreateOnly_AcrossInstances()
    {
        await using var a = Start();
        await using var b = Start();

        Assert.True(await a.Store.TryCreateMarkerAsync("s-1", "notify-intent.slack"));
        Assert.False(await b.Store.TryCreateMarkerAsync("s-1", "notify-intent.slack"));
        Assert.True(await b.Store.TryCreateMarkerAsync("s-1", "notified.slack"));

        Assert.Equal(["notified.slack", "notify-intent.slack"], (await a.Store.LoadMarkersAsync("s-1")).Order(StringComparer.Ordinal));
        Assert.Empty(await a.Store.LoadMarkersAsync("s-2"));
        await Assert.ThrowsAsync<ArgumentException>(() => a.Store.TryCreateMarkerAsync("s-1", "../escape"));
    }

    [Fact]
    public async Task Retention_DeletesOldSetsWithTheirIdsAndMarkers()
    {
        await using var host = Start(s => s["ACKFC_REPORT_RETENTION"] = "2");
        for (var i = 0; i < 4; i++)
        {
            var report = Report($"r-{i}", T0.AddDays(i));
            await host.Store.TryCreateMarkerAsync(report.SweepId, "notified.slack");
            await host.Store.SaveAsync(report, Files(report), State(report.SweepId));
        }

        Assert.Null(await host.Store.LoadAsync("r-0"));
        Assert.Null(await host.Store.LoadAsync("r-1"));
        Assert.Equal("r-2", (await host.Store.LoadAsync("r-2"))?.SweepId);
        Assert.Equal("r-3", (await host.Store.LoadLatestAsync())?.SweepId);
        Assert.DoesNotContain(emulator.Oss.Keys("ackfc-reports"), k => k.Contains("r-0", StringComparison.Ordinal) || k.Contains("r-1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RestartedHost_ComparesWithThePreviousSweepFromOss()
    {
        await using (var first = Start())
        {
            var published = await first.Publisher.PublishAsync(Report("day-1", T0));
            Assert.Null(published.Changes);
        }

        await using var second = Start();
        var next = await second.Publisher.PublishAsync(Report("day-2", T0.AddDays(1)));

        Assert.NotNull(next.Changes);
        Assert.Equal("day-1", (await second.Store.LoadStateAsync("day-2"))?.ComparedWith);
    }

    [Theory]
    [InlineData("12h", 43200)]
    [InlineData(null, 604800)]
    public async Task Notification_CarriesAPresignedLinkThatOpensTheHtmlReport(string? ttl, int seconds)
    {
        await using var sink = await AckFc.Local.Tests.Emulator.EventSink.StartAsync();
        await using var host = Start(s =>
        {
            s["ACKFC_NOTIFY_WEBHOOK_URL"] = new Uri(sink.Address, "hook").AbsoluteUri;
            s["ACKFC_NOTIFY_WEBHOOK_SECRET"] = "ops:oss-link-test-secret-0123456789abcdef";
            s["ACKFC_NOTIFY_MODE"] = "always";
            s["ACKFC_REPORT_LINK_TTL"] = ttl;
        });

        await host.Publisher.PublishAsync(Report("linked-1", T0));

        var digest = System.Text.Json.JsonDocument.Parse(Assert.Single(sink.Received).Body).RootElement;
        var link = new Uri(digest.GetProperty("reportUrl").GetString()!);
        Assert.Contains("/ackfc/sweeps/2026-12-01/linked-1/report.html", link.AbsolutePath, StringComparison.Ordinal);
        Assert.Contains($"x-oss-expires={seconds}&", link.Query, StringComparison.Ordinal);
        Assert.Contains("x-oss-signature=", link.Query, StringComparison.Ordinal);
        Assert.DoesNotContain(emulator.Credential.AccessKeySecret, link.AbsoluteUri, StringComparison.Ordinal);

        // A person's browser: a plain GET without credentials or extra headers.
        using var browser = new HttpClient();
        using var response = await browser.GetAsync(link);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("linked-1", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The same link with its signature altered is refused: the emulated OSS checks it.
        var text = link.AbsoluteUri;
        using var forged = await browser.GetAsync(new Uri(text[..^1] + (text[^1] == '0' ? '1' : '0')));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, forged.StatusCode);
    }

    [Fact]
    public async Task Notification_ExplicitReportUrlTemplate_WinsOverThePresignedLink()
    {
        await using var sink = await AckFc.Local.Tests.Emulator.EventSink.StartAsync();
        await using var host = Start(s =>
        {
            s["ACKFC_NOTIFY_WEBHOOK_URL"] = new Uri(sink.Address, "hook").AbsoluteUri;
            s["ACKFC_NOTIFY_WEBHOOK_SECRET"] = "ops:oss-link-test-secret-0123456789abcdef";
            s["ACKFC_NOTIFY_MODE"] = "always";
            s["ACKFC_REPORT_URL"] = "https://reports.example.com/{sweepId}.html";
        });

        await host.Publisher.PublishAsync(Report("linked-2", T0));

        var digest = System.Text.Json.JsonDocument.Parse(Assert.Single(sink.Received).Body).RootElement;
        Assert.Equal("https://reports.example.com/linked-2.html", digest.GetProperty("reportUrl").GetString());
    }

    [Theory]
    [InlineData("s3://bucket/prefix", "ACKFC_REPORT_STORE")]
    [InlineData("oss://Bad_Bucket/prefix", "bucket")]
    [InlineData("oss://ok-bucket/a//b", "prefix")]
    public void BadStoreSetting_FailsAtStartNamingTheVariable(string value, string mentions)
    {
        using var provider = Build(Settings(value));

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ReportStoreOptions>>().Value);
        Assert.Contains("ACKFC_REPORT_STORE", error.Message, StringComparison.Ordinal);
        Assert.Contains(mentions, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OssStoreWithoutARegion_FailsAtStartNamingTheVariables()
    {
        var settings = Settings();
        settings.Remove("FC_REGION");
        using var provider = Build(settings);

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ReportStoreOptions>>().Value);
        Assert.Contains("FC_REGION", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DirectoryOrUnset_KeepsTheFileStore()
    {
        var directory = Path.Combine(Path.GetTempPath(), "ackfc-store-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var host = new OssStoreHost(Settings(directory));
            var report = Report("file-1", T0);
            var paths = await host.Store.SaveAsync(report, Files(report), State("file-1"));
            Assert.All(paths, p => Assert.StartsWith(directory, p, StringComparison.Ordinal));
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
