using System.Text.Json;
using AckFc.Core.Compliance;
using AckFc.Core.Reporting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AckFc.Core.Tests.Reporting;

public sealed class FileReportStoreTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "ackfc-store-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private FileReportStore Store(int retention = 30) =>
        new(Options.Create(new ReportingOptions { ReportDirectory = directory, Retention = retention }), NullLogger<FileReportStore>.Instance);

    private static ReportSetState State(ComplianceReport report, string? comparedWith = null) =>
        new() { SweepId = report.SweepId, ComparedWith = comparedWith, PublishedAt = report.FinishedAt };

    [Fact]
    public async Task SaveAsync_Report_WritesTimestampedSetAndLatest()
    {
        var store = Store();
        var report = ReportFixtures.DemoFleet();

        var paths = await store.SaveAsync(report, [new ReportFile("report.html", "<p>x</p>"), new ReportFile("report.csv", "a\r\n")], State(report));

        var set = Path.Combine(directory, "2026-11-28T030000Z_daily-20261128T030000Z");
        Assert.Contains(Path.Combine(set, "report.json"), paths);
        Assert.Contains(Path.Combine(set, "report.html"), paths);
        Assert.Contains(Path.Combine(directory, "latest.json"), paths);
        Assert.True(File.Exists(Path.Combine(set, "publish.json")));
        Assert.Equal("<p>x</p>", await File.ReadAllTextAsync(Path.Combine(set, "report.html")));
        var latest = await store.LoadLatestAsync();
        Assert.Equal(report.SweepId, latest?.SweepId);
        Assert.Equal(report.Clusters.Count, latest?.Clusters.Count);
        Assert.Empty(Directory.EnumerateFiles(directory, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task LoadAsync_BySweepIdAndState_RoundTrip()
    {
        var store = Store();
        var first = ReportFixtures.DemoFleet(sweepId: "s/1:weird id");
        var second = ReportFixtures.DemoFleet(sweepId: "s2", at: ReportFixtures.Start.AddDays(1));
        await store.SaveAsync(first, [], State(first));
        await store.SaveAsync(second, [], State(second, first.SweepId) with { NotifiedChannels = ["slack"] });

        var loaded = await store.LoadAsync(first.SweepId);
        var state = await store.LoadStateAsync(second.SweepId);

        Assert.Equal(first.SweepId, loaded?.SweepId);
        Assert.Equal(first.SweepId, state?.ComparedWith);
        Assert.Equal(["slack"], state?.NotifiedChannels);
        Assert.Null(await store.LoadAsync("never"));
        Assert.Null(await store.LoadStateAsync("never"));
        Assert.Equal("s2", (await store.LoadLatestAsync())?.SweepId);
    }

    [Fact]
    public async Task SaveAsync_SameSweepIdAgain_ReplacesItsSet()
    {
        var store = Store();
        var report = ReportFixtures.DemoFleet();
        await store.SaveAsync(report, [], State(report));

        var retried = report with { StartedAt = report.StartedAt.AddMinutes(3), Complete = false };
        await store.SaveAsync(retried, [], State(retried));

        Assert.Single(Directory.GetDirectories(directory));
        Assert.False((await store.LoadAsync(report.SweepId))?.Complete);
    }

    [Fact]
    public async Task SaveAsync_MoreSetsThanRetention_KeepsTheNewest()
    {
        var store = Store(retention: 3);
        for (var day = 0; day < 6; day++)
        {
            var report = ReportFixtures.DemoFleet(sweepId: $"daily-{day}", at: ReportFixtures.Start.AddDays(day));
            await store.SaveAsync(report, [], State(report));
        }

        var sets = Directory.GetDirectories(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(["2026-12-01T030000Z_daily-3", "2026-12-02T030000Z_daily-4", "2026-12-03T030000Z_daily-5"], sets);
        Assert.Equal("daily-5", (await store.LoadLatestAsync())?.SweepId);
    }

    [Fact]
    public async Task SaveAsync_ConcurrentReader_NeverSeesAPartialLatest()
    {
        var store = Store(retention: 2);
        var big = ReportFixtures.Report([.. Enumerable.Range(0, 400).SelectMany(_ => ReportFixtures.DemoFleet().Clusters).Select((c, i) => c with { ClusterId = $"c-{i}" })]);
        using var stop = new CancellationTokenSource();
        var reads = 0;
        var reader = Task.Run(async () =>
        {
            var latest = Path.Combine(directory, "latest.json");
            while (!stop.IsCancellationRequested)
            {
                if (File.Exists(latest))
                {
                    var text = await File.ReadAllTextAsync(latest, CancellationToken.None);
                    // Throws on a torn file.
                    var parsed = JsonSerializer.Deserialize(text, ReportJsonContext.Default.ComplianceReport);
                    Assert.NotNull(parsed);
                    reads++;
                }
            }
        });

        for (var i = 0; i < 15; i++)
        {
            var report = big with { SweepId = $"big-{i}", StartedAt = ReportFixtures.Start.AddHours(i), TriggerTime = ReportFixtures.Start.AddHours(i) };
            await store.SaveAsync(report, [], State(report));
        }

        await stop.CancelAsync();
        await reader;
        Assert.True(reads > 0);
        Assert.Empty(Directory.EnumerateFiles(directory, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task SaveAsync_FileNameWithPath_Refused()
    {
        var store = Store();
        var report = ReportFixtures.DemoFleet();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.SaveAsync(report, [new ReportFile("../escape.html", "x")], State(report)));

        Assert.Contains("../escape.html", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("daily-20261128T030000Z", "daily-20261128T030000Z")]
    [InlineData("a/b\\c:d e", "a-b-c-d-e")]
    [InlineData("../..", "..-..")]
    public void SafeId_AnySweepId_OnlyFileSystemSafeCharacters(string sweepId, string expected) =>
        Assert.Equal(expected, FileReportStore.SafeId(sweepId));
}
