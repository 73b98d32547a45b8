using System.Text.Json;
using AckFc.Core.Compliance;
using AckFc.Core.Reporting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AckFc.Core.Tests.Reporting;

/// <summary>The file store's trend read: each set's small <c>summary.json</c>, never its report.</summary>
public sealed class FileReportStoreTrendTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "ackfc-trend-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private FileReportStore Store(int retention = 30) =>
        new(Options.Create(new ReportingOptions { ReportDirectory = directory, Retention = retention }), NullLogger<FileReportStore>.Instance);

    /// <summary>A sweep on day <paramref name="day"/> whose fleet has <paramref name="skip"/> fewer clusters than the demo fleet.</summary>
    private static ComplianceReport Sweep(int day, int skip = 0, bool complete = true)
    {
        var demo = ReportFixtures.DemoFleet(hostile: false, sweepId: $"daily-{day:D2}", at: ReportFixtures.Start.AddDays(day));
        return ReportFixtures.Report([.. demo.Clusters.Skip(skip)], demo.SweepId, demo.StartedAt, complete);
    }

    private static async Task SaveAsync(FileReportStore store, ComplianceReport report, bool fullScope = true) =>
        await store.SaveAsync(report, [], new ReportSetState { SweepId = report.SweepId, PublishedAt = report.FinishedAt, ReplacesLatest = fullScope });

    [Fact]
    public async Task LoadTrendAsync_SavedSweeps_TheirCountsOldestFirst()
    {
        var store = Store();
        var sweeps = new[] { Sweep(2, skip: 1), Sweep(0), Sweep(1, skip: 3, complete: false) };
        foreach (var sweep in sweeps)
        {
            await SaveAsync(store, sweep);
        }

        var trend = await store.LoadTrendAsync(30);

        Assert.Equal(["daily-00", "daily-01", "daily-02"], trend.Select(p => p.SweepId));
        foreach (var point in trend)
        {
            var report = sweeps.Single(s => s.SweepId == point.SweepId);
            Assert.Equal(new TrendPoint(report.SweepId, report.StartedAt, report.Summary.Fail, report.Summary.Unknown, report.Summary.Pass, true, report.Complete), point);
        }

        Assert.False(trend[1].Complete);
    }

    [Fact]
    public async Task LoadTrendAsync_ReadsTheSummariesNotTheReports()
    {
        var store = Store();
        for (var day = 0; day < 3; day++)
        {
            await SaveAsync(store, Sweep(day));
        }

        // Were the trend to open a report it would fail now.
        foreach (var report in Directory.EnumerateFiles(directory, FileReportStore.ReportFileName, SearchOption.AllDirectories))
        {
            await File.WriteAllTextAsync(report, "{ not a report");
        }

        var trend = await store.LoadTrendAsync(30);

        Assert.Equal(3, trend.Count);
        var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "2026-11-28T030000Z_daily-00", FileReportStore.SummaryFileName))).RootElement;
        Assert.Equal("daily-00", summary.GetProperty("sweepId").GetString());
        Assert.True(summary.GetProperty("fullScope").GetBoolean());
    }

    [Fact]
    public async Task LoadTrendAsync_PartialScopeSweeps_LeftOut()
    {
        var store = Store();
        await SaveAsync(store, Sweep(0));
        await SaveAsync(store, Sweep(1), fullScope: false);
        await SaveAsync(store, Sweep(2));
        await SaveAsync(store, Sweep(3), fullScope: false);

        var trend = await store.LoadTrendAsync(30);

        Assert.Equal(["daily-00", "daily-02"], trend.Select(p => p.SweepId));
        Assert.All(trend, p => Assert.True(p.FullScope));
    }

    [Fact]
    public async Task LoadTrendAsync_MoreSetsThanAsked_TheNewestCountOfThem()
    {
        var store = Store(retention: 40);
        for (var day = 0; day < 35; day++)
        {
            await SaveAsync(store, Sweep(day), fullScope: day != 33);
        }

        var trend = await store.LoadTrendAsync(30);

        Assert.Equal(30, trend.Count);
        // 34 and 32 … 4: the partial sweep of day 33 does not take a place.
        Assert.Equal("daily-04", trend[0].SweepId);
        Assert.Equal("daily-34", trend[^1].SweepId);
        Assert.DoesNotContain(trend, p => p.SweepId == "daily-33");
        Assert.Equal(trend.OrderBy(p => p.SweepTime), trend);
    }

    [Fact]
    public async Task LoadTrendAsync_Before_OnlyEarlierSweeps()
    {
        var store = Store();
        for (var day = 0; day < 5; day++)
        {
            await SaveAsync(store, Sweep(day));
        }

        var trend = await store.LoadTrendAsync(2, before: ReportFixtures.Start.AddDays(3));

        Assert.Equal(["daily-01", "daily-02"], trend.Select(p => p.SweepId));
    }

    [Fact]
    public async Task LoadTrendAsync_SetsOfAnEarlierRelease_WithoutSummary_LeftOut()
    {
        var store = Store();
        await SaveAsync(store, Sweep(0));
        await SaveAsync(store, Sweep(1));
        File.Delete(Path.Combine(directory, "2026-11-28T030000Z_daily-00", FileReportStore.SummaryFileName));

        var trend = await store.LoadTrendAsync(30);

        Assert.Equal("daily-01", Assert.Single(trend).SweepId);
    }

    [Fact]
    public async Task LoadTrendAsync_NothingPublished_Empty()
    {
        Assert.Empty(await Store().LoadTrendAsync(30));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store().LoadTrendAsync(0));
    }

    [Fact]
    public async Task LoadTrendAsync_CorruptSummary_InvalidDataNamingTheSet()
    {
        var store = Store();
        await SaveAsync(store, Sweep(0));
        await File.WriteAllTextAsync(Path.Combine(directory, "2026-11-28T030000Z_daily-00", FileReportStore.SummaryFileName), "{");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => store.LoadTrendAsync(30));

        Assert.Contains("2026-11-28T030000Z_daily-00/summary.json", error.Message, StringComparison.Ordinal);
    }
}
