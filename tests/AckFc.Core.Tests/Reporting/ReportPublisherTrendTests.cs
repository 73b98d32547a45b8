using AckFc.Core.Compliance;
using AckFc.Core.Reporting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace AckFc.Core.Tests.Reporting;

/// <summary>The publisher hands the HTML report the trend of the last sweeps, read from the store's small objects.</summary>
public sealed partial class ReportPublisherTrendTests
{
    private static ComplianceReport Sweep(int day, int skip = 0, IReadOnlyList<string>? regions = null)
    {
        var demo = ReportFixtures.DemoFleet(hostile: false, sweepId: $"daily-{day:D2}", at: ReportFixtures.Start.AddDays(day));
        var clusters = demo.Clusters.Skip(skip).Where(c => regions is null || regions.Contains(c.RegionId)).ToList();
        var report = ReportFixtures.Report(clusters, demo.SweepId, demo.StartedAt);
        return regions is null ? report : report with { Regions = regions };
    }

    private static string Html(PublishedReport published) =>
        File.ReadAllText(published.Files.Single(f => f.EndsWith("report.html", StringComparison.Ordinal)));

    private static List<string> Bars(string html) =>
        [.. System.Text.RegularExpressions.Regex.Matches(html, "<g class=\"trend-bar\" data-sweep=\"([^\"]*)\"").Select(m => m.Groups[1].Value)];

    [Fact]
    public async Task PublishAsync_FirstSweep_TheTrendStartsWithIt()
    {
        using var h = new ReportingHarness(new Dictionary<string, string?>());

        var html = Html(await h.Publisher.PublishAsync(Sweep(0)));

        Assert.Contains("The trend starts with this sweep", html, StringComparison.Ordinal);
        Assert.Empty(Bars(html));
    }

    [Fact]
    public async Task PublishAsync_SweepsInARow_EachReportChartsTheEarlierOnesAndItselfLast()
    {
        using var h = new ReportingHarness(new Dictionary<string, string?> { ["ACKFC_REGIONS"] = "cn-hangzhou,cn-shanghai" });
        await h.Publisher.PublishAsync(Sweep(0));
        await h.Publisher.PublishAsync(Sweep(1, skip: 2));
        // A sweep of Hangzhou alone keeps its set but is in nobody's trend, not even its own chart.
        var partial = Html(await h.Publisher.PublishAsync(Sweep(2, regions: ["cn-hangzhou"])));
        var last = await h.Publisher.PublishAsync(Sweep(3, skip: 1));

        Assert.Equal(["daily-00", "daily-01"], Bars(partial));
        Assert.Contains("This sweep covered part of the configured scope", partial, StringComparison.Ordinal);
        var html = Html(last);
        Assert.Equal(["daily-00", "daily-01", "daily-03"], Bars(html));
        var report = last.Report;
        Assert.Contains($"data-sweep=\"daily-03\" data-fail=\"{report.Summary.Fail}\" data-unknown=\"{report.Summary.Unknown}\" data-pass=\"{report.Summary.Pass}\" data-current=\"true\"",
            html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishAsync_ThirtyFiveSweeps_AtMostThirtyBarsTheNewestLast()
    {
        using var h = new ReportingHarness(new Dictionary<string, string?> { ["ACKFC_REPORT_RETENTION"] = "40" });
        PublishedReport? last = null;
        for (var day = 0; day < 35; day++)
        {
            last = await h.Publisher.PublishAsync(Sweep(day));
        }

        var bars = Bars(Html(last!));

        Assert.Equal(ReportTrend.Length, bars.Count);
        Assert.Equal([.. Enumerable.Range(5, 30).Select(d => $"daily-{d:D2}")], bars);
    }

    [Fact]
    public async Task PublishAsync_SameSweepAgain_ChartedOnce()
    {
        using var h = new ReportingHarness(new Dictionary<string, string?>());
        await h.Publisher.PublishAsync(Sweep(0));
        await h.Publisher.PublishAsync(Sweep(1));

        var again = await h.Publisher.PublishAsync(Sweep(1));

        Assert.Equal(["daily-00", "daily-01"], Bars(Html(again)));
    }

    [Fact]
    public async Task PublishAsync_TrendReadFails_WarningAndTheReportStillPublishedWithANote()
    {
        using var h = new ReportingHarness(new Dictionary<string, string?>());
        await h.Publisher.PublishAsync(Sweep(0));
        var logger = new FakeLogger<ReportPublisher>();
        var publisher = new ReportPublisher(
            new TrendlessStore(h.Store), h.Notifier, h.Provider.GetRequiredService<IOptions<ReportingOptions>>(), h.Time, logger);

        var published = await publisher.PublishAsync(Sweep(1));

        var html = Html(published);
        Assert.Contains("The trend of earlier sweeps could not be read for this report", html, StringComparison.Ordinal);
        Assert.Empty(Bars(html));
        Assert.Equal("daily-01", (await h.Store.LoadLatestAsync())?.SweepId);
        Assert.Equal(6, published.Files.Count);
        var warning = Assert.Single(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Contains("daily-01", warning.Message, StringComparison.Ordinal);
        Assert.Contains("IOException: the NAS went away", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishAsync_StoreWithoutATrend_WarningNotAFailure()
    {
        using var h = new ReportingHarness(new Dictionary<string, string?>());
        var logger = new FakeLogger<ReportPublisher>();
        var publisher = new ReportPublisher(
            new NoTrendStore(h.Store), h.Notifier, h.Provider.GetRequiredService<IOptions<ReportingOptions>>(), h.Time, logger);

        var published = await publisher.PublishAsync(Sweep(0));

        Assert.Contains("could not be read", Html(published), StringComparison.Ordinal);
        Assert.Contains("NotSupportedException", Assert.Single(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning).Message, StringComparison.Ordinal);
    }

    /// <summary>The file store, except that its trend read fails the way a NAS that went away does.</summary>
    private sealed class TrendlessStore(IReportStore inner) : ForwardingReportStore(inner)
    {
        public override async Task<IReadOnlyList<TrendPoint>> LoadTrendAsync(int count, DateTimeOffset? before = null, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            throw new IOException("the NAS went away");
        }
    }

    /// <summary>A store written before the trend: it does not implement the read at all.</summary>
    private sealed class NoTrendStore(IReportStore inner) : IReportStore
    {
        public Task<ComplianceReport?> LoadLatestAsync(CancellationToken cancellationToken = default) => inner.LoadLatestAsync(cancellationToken);

        public Task<ComplianceReport?> LoadAsync(string sweepId, CancellationToken cancellationToken = default) => inner.LoadAsync(sweepId, cancellationToken);

        public Task<ReportSetState?> LoadStateAsync(string sweepId, CancellationToken cancellationToken = default) => inner.LoadStateAsync(sweepId, cancellationToken);

        public Task<IReadOnlyList<string>> SaveAsync(ComplianceReport report, IReadOnlyList<ReportFile> files, ReportSetState state, CancellationToken cancellationToken = default) =>
            inner.SaveAsync(report, files, state, cancellationToken);

        public Task<bool> TryCreateMarkerAsync(string sweepId, string name, CancellationToken cancellationToken = default) => inner.TryCreateMarkerAsync(sweepId, name, cancellationToken);

        public Task<IReadOnlyCollection<string>> LoadMarkersAsync(string sweepId, CancellationToken cancellationToken = default) => inner.LoadMarkersAsync(sweepId, cancellationToken);
    }
}
