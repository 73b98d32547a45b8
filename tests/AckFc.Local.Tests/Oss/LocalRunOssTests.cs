using System.Net;
using AckFc.Local.Runner;

namespace AckFc.Local.Tests.Oss;

/// <summary>The local runner with its reports in the emulated OSS (what <c>serve</c> does): the timer publishes there and the presigned link opens.</summary>
public sealed class LocalRunOssTests
{
    [Fact]
    public async Task TimerPublishesToTheEmulatedOss_AndThePresignedLinkOpensTheHtmlReport()
    {
        var unused = Path.Combine(Path.GetTempPath(), "ackfc-unused-" + Guid.NewGuid().ToString("N"));
        await using var stack = await LocalRun.StartAsync(
            new LocalSettings(null, LocalSettings.DefaultPolicy, unused, "http://127.0.0.1:0", false, ReportsOnOss: true), CancellationToken.None);
        var trigger = new DateTimeOffset(2026, 12, 1, 19, 0, 0, TimeSpan.Zero);

        var (report, status, body) = await stack.FireTimerAsync("{\"mode\":\"report\"}", trigger, CancellationToken.None);
        Assert.True(report is not null, $"HTTP {status}: {body}");
        var second = await stack.FireTimerAsync("{\"mode\":\"report\"}", trigger.AddDays(1), CancellationToken.None);
        Assert.NotNull(second.Report);

        using var http = new HttpClient();
        using var response = await http.GetAsync(stack.PresignReport(report));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(report.SweepId, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(unused));
        var keys = stack.Emulator.Oss.Keys(LocalSettings.OssBucket);
        Assert.Equal(2, keys.Count(k => k.StartsWith("local/index/", StringComparison.Ordinal)));
        Assert.Contains(keys, k => k.EndsWith("/publish-000001.json", StringComparison.Ordinal));
    }
}
