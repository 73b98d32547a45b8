using System.Globalization;
using System.Text;
using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Oss;
using AckFc.Core.Compliance;
using AckFc.Core.Reporting;
using AckFc.Local.Emulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AckFc.Local.Tests.Oss;

/// <summary>
/// The trend read of the OSS report store against the emulated OSS over real HTTP: one list of the index and one
/// small GET per sweep, never a report.
/// </summary>
public sealed class OssReportStoreTrendTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 3, 0, 0, TimeSpan.Zero);
    private static readonly OssBucket Bucket = new("ackfc-reports", "cn-hangzhou");
    private RunningEmulator emulator = null!;

    public async Task InitializeAsync() => emulator = await EmulatorHost.StartAsync(new EmulatorOptions());

    public async Task DisposeAsync() => await emulator.DisposeAsync();

    private OssStoreHost Start(string retention = "30", string? regions = null) => OssStoreHost.Start(emulator, settings =>
    {
        settings["ACKFC_REGIONS"] = regions;
        settings["ACKFC_REPORT_RETENTION"] = retention;
    });

    private static ComplianceReport Report(int day, IReadOnlyList<string>? regions = null) => new()
    {
        SweepId = $"daily-{day:D2}",
        StartedAt = T0.AddDays(day),
        FinishedAt = T0.AddDays(day).AddSeconds(5),
        TriggerTime = T0.AddDays(day),
        Complete = day % 7 != 3,
        Mode = SweepMode.Report,
        Regions = regions ?? ["cn-hangzhou", "cn-shanghai"],
        PolicyVersion = "test",
        // Counts that differ per day, so a point read from the wrong entry shows.
        Summary = new ReportSummary { Clusters = 20, Fail = day % 5, Unknown = day % 3, Pass = 20 - (day % 5) - (day % 3) },
        Clusters = [],
    };

    private static ReportSetState State(ComplianceReport report, bool fullScope = true) =>
        new() { SweepId = report.SweepId, PublishedAt = report.FinishedAt, ReplacesLatest = fullScope };

    private static IReadOnlyList<ReportFile> Files(ComplianceReport report) => [new("report.html", $"<html>{report.SweepId}</html>")];

    private static string IndexKey(DateTimeOffset time, string sweepId) =>
        "ackfc/index/" + (9_999_999_999_999 - time.ToUnixTimeMilliseconds()).ToString("D13", CultureInfo.InvariantCulture) + "_" + sweepId + ".json";

    private static async Task PutAsync(IOssClient oss, string key, string text) =>
        await oss.PutObjectAsync(Bucket, key, OssContent.FromBytes(Encoding.UTF8.GetBytes(text)), new OssPutOptions { ContentType = "application/json" });

    private static async Task<string> GetTextAsync(IOssClient oss, string key)
    {
        await using var obj = await oss.GetObjectAsync(Bucket, key);
        Assert.NotNull(obj);
        using var reader = new StreamReader(obj.Content);
        return await reader.ReadToEndAsync();
    }

    private List<CallRecord> OssCalls() => [.. emulator.State.GetCalls().Where(c => c.Product == "OSS")];

    [Fact]
    public async Task LoadTrendAsync_ThirtyFiveSweeps_OneListAndOneSmallGetPerPoint()
    {
        await using var host = Start(retention: "40");
        for (var day = 0; day < 35; day++)
        {
            var report = Report(day);
            await host.Store.SaveAsync(report, Files(report), State(report));
        }

        emulator.State.ResetCalls();
        var trend = await host.Store.LoadTrendAsync(29, before: T0.AddDays(34));

        // The 29 sweeps before day 34, oldest first, each with the counts of its own report.
        Assert.Equal([.. Enumerable.Range(5, 29).Select(d => $"daily-{d:D2}")], trend.Select(p => p.SweepId));
        Assert.All(trend, p =>
        {
            var day = int.Parse(p.SweepId[6..], CultureInfo.InvariantCulture);
            Assert.Equal(new TrendPoint(p.SweepId, T0.AddDays(day), day % 5, day % 3, 20 - (day % 5) - (day % 3), true, day % 7 != 3), p);
        });

        // The cost: one ListObjectsV2 and one GET of a small index entry per point; no report is opened.
        var calls = OssCalls();
        Assert.Equal(1, calls.Count(c => c.Action == "ListObjectsV2"));
        Assert.Equal(29, calls.Count(c => c.Action == "GetObject"));
        Assert.Equal(30, calls.Count);
        Assert.All(calls.Where(c => c.Action == "GetObject"), c => Assert.Contains("/ackfc/index/", c.Path, StringComparison.Ordinal));
        Assert.All(calls, c => Assert.Equal(200, c.Status));

        var newest = await host.Store.LoadTrendAsync(30);
        Assert.Equal(30, newest.Count);
        Assert.Equal("daily-05", newest[0].SweepId);
        Assert.Equal("daily-34", newest[^1].SweepId);
    }

    [Fact]
    public async Task LoadTrendAsync_PartialScopeSweeps_LeftOut()
    {
        await using var host = Start();
        for (var day = 0; day < 4; day++)
        {
            var report = Report(day, day % 2 == 1 ? ["cn-hangzhou"] : null);
            await host.Store.SaveAsync(report, Files(report), State(report, fullScope: day % 2 == 0));
        }

        var trend = await host.Store.LoadTrendAsync(30);

        Assert.Equal(["daily-00", "daily-02"], trend.Select(p => p.SweepId));
        // The partial sweeps keep their sets, found by id.
        Assert.Equal("daily-03", (await host.Store.LoadAsync("daily-03"))?.SweepId);
    }

    [Fact]
    public async Task LoadTrendAsync_EntriesOfOtherShapes_WithoutCountsSkippedWithoutCompleteReadAsComplete()
    {
        await using var host = Start();
        var report = Report(2);
        await host.Store.SaveAsync(report, Files(report), State(report));
        // An entry of the first OSS layout (no "complete"), and one without counts.
        await PutAsync(host.Oss, IndexKey(T0, "daily-00"),
            """{"sweepId":"daily-00","set":"ackfc/sweeps/2026-12-01/daily-00/","sweepTime":"2026-12-01T03:00:00+00:00","fail":4,"unknown":1,"pass":7,"clusters":12}""");
        await PutAsync(host.Oss, IndexKey(T0.AddDays(1), "daily-01"),
            """{"sweepId":"daily-01","set":"ackfc/sweeps/2026-12-02/daily-01/","sweepTime":"2026-12-02T03:00:00+00:00"}""");

        var trend = await host.Store.LoadTrendAsync(30);

        Assert.Equal(["daily-00", "daily-02"], trend.Select(p => p.SweepId));
        Assert.Equal(new TrendPoint("daily-00", T0, 4, 1, 7, true, true), trend[0]);
        var entry = await GetTextAsync(host.Oss, IndexKey(T0.AddDays(2), "daily-02"));
        Assert.Contains("\"complete\":true", entry, StringComparison.Ordinal);
        Assert.Contains("\"fail\":2", entry, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publisher_SweepsInARow_TheHtmlChartsTheTrendAndAFailedReadIsAWarning()
    {
        await using (var first = Start(regions: "cn-hangzhou,cn-shanghai"))
        {
            for (var day = 0; day < 3; day++)
            {
                await first.Publisher.PublishAsync(Report(day));
            }
        }

        // A restarted host reads the trend from the bucket alone.
        await using var host = Start(regions: "cn-hangzhou,cn-shanghai");
        emulator.State.ResetCalls();
        await host.Publisher.PublishAsync(Report(3));
        var html = await GetTextAsync(host.Oss, "ackfc/sweeps/2026-12-04/daily-03/report.html");
        Assert.Equal(4, System.Text.RegularExpressions.Regex.Count(html, "<g class=\"trend-bar\""));
        Assert.Contains("data-sweep=\"daily-03\" data-fail=\"3\" data-unknown=\"0\" data-pass=\"17\" data-current=\"true\"", html, StringComparison.Ordinal);
        Assert.Single(OssCalls(), c => c.Action == "ListObjectsV2" && c.Path.Contains("start-after", StringComparison.Ordinal));

        // An index entry that is not JSON makes the trend unreadable: the next sweep still publishes, with a note and a warning.
        await PutAsync(host.Oss, IndexKey(T0.AddHours(-1), "broken"), "{ not json");
        var published = await host.Publisher.PublishAsync(Report(4));

        Assert.Equal("daily-04", (await host.Store.LoadLatestAsync())?.SweepId);
        Assert.Equal("daily-04", published.Report.SweepId);
        var noted = await GetTextAsync(host.Oss, "ackfc/sweeps/2026-12-05/daily-04/report.html");
        Assert.Contains("The trend of earlier sweeps could not be read for this report", noted, StringComparison.Ordinal);
        var warning = Assert.Single(host.Logs, r => r.Level == LogLevel.Warning && r.Message.Contains("trend", StringComparison.Ordinal));
        Assert.Contains("InvalidDataException", warning.Message, StringComparison.Ordinal);
    }
}
