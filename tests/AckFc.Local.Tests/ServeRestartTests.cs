using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using AckFc.Local.Emulator;
using AckFc.Local.Runner;

namespace AckFc.Local.Tests;

/// <summary>
/// <c>serve</c> runs every timer invocation on a fresh host instance, as Function Compute does, with its reports in
/// the emulated OSS: change-only notification has to work from what the bucket holds, not from memory.
/// </summary>
public sealed partial class ServeRestartTests
{
    [Fact]
    public async Task Serve_EachSweepOnAFreshHost_NotifiesOnlyWhatChanged()
    {
        var local = Path.Combine(AppContext.BaseDirectory, "AckFc.Local.dll");
        var start = new ProcessStartInfo("dotnet", ["exec", local, "serve", "--timer-every", "2s"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string Text() { lock (output) { return output.ToString(); } }
        List<string> Notified() => [.. Text().Split('\n').Where(l => l.TrimStart().StartsWith("notified:", StringComparison.Ordinal)).Select(l => l.Trim())];
        try
        {
            // 1. The first sweep: nothing in the bucket to compare with, every failing cluster is news.
            await Wait.UntilAsync(() => Notified().Count >= 2 || process.HasExited, "two sweeps of serve", timeout: TimeSpan.FromSeconds(120));
            var lines = Notified();
            Assert.True(lines.Count >= 2, Text());
            Assert.Equal("notified: every failing cluster (first sweep in the report store)", lines[0]);

            // 2. The second, on a fresh host: compared with the first (found in OSS), nothing changed, nothing sent.
            var first = Regex.Match(Text(), @"Sweep (\S+) \(host instance 1\)").Groups[1].Value;
            Assert.Matches(@"Sweep \S+ \(host instance 2\)", Text());
            Assert.Equal($"notified: nothing (compared with sweep {first}: no change; notifications are change-only)", lines[1]);

            // 3. An operator moves the reporting key's deletion to tomorrow: the next fresh host tells only that.
            var endpoint = EndpointLine().Match(Text()).Groups[1].Value;
            using (var http = new HttpClient { BaseAddress = new Uri(endpoint) })
            using (var moved = await http.PostAsync("/_emulator/keys/key-demo-hz-reporting/schedule-deletion?days=1", null))
            {
                Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
            }

            await Wait.UntilAsync(() => Notified().Any(l => l.Contains(" 1 escalated", StringComparison.Ordinal)) || process.HasExited, "a sweep that notifies the escalation", timeout: TimeSpan.FromSeconds(60));
            lines = Notified();
            var escalated = lines.FindIndex(l => l.Contains(" 1 escalated", StringComparison.Ordinal));
            Assert.True(escalated >= 2, Text());
            Assert.StartsWith("notified: 0 new, 1 escalated, 0 resolved (compared with sweep ", lines[escalated], StringComparison.Ordinal);
            // Every sweep between the first and the escalation compared with the one before it and said nothing.
            Assert.All(lines.Skip(1).Take(escalated - 1), l => Assert.Contains("no change", l, StringComparison.Ordinal));
            Assert.DoesNotContain("failed", Text(), StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }

    [Fact]
    public async Task RestartHost_SameAddressFreshInstance_EventsStillReachIt()
    {
        var unused = Path.Combine(Path.GetTempPath(), "ackfc-unused-" + Guid.NewGuid().ToString("N"));
        await using var stack = await LocalRun.StartAsync(
            new LocalSettings(null, LocalSettings.DefaultPolicy, unused, "http://127.0.0.1:0", false, ReportsOnOss: true, EventsToHost: true, NotifyInbox: true),
            CancellationToken.None);
        var address = stack.HostAddress;
        var before = stack.Host;

        await stack.RestartHostAsync(CancellationToken.None);

        Assert.NotSame(before, stack.Host);
        Assert.Equal(1, stack.HostRestarts);
        Assert.Equal(address, stack.HostAddress);
        using var http = new HttpClient { BaseAddress = stack.Emulator.BaseAddress };
        using var disabled = await http.PostAsync("/_emulator/keys/key-demo-hz-prod/disable", null);
        await Wait.UntilAsync(() => stack.Emulator.Events.GetDeliveries().Count >= 1, "a delivery to the restarted host");
        Assert.True(stack.Emulator.Events.GetDeliveries()[0].Succeeded, stack.Emulator.Events.GetDeliveries()[0].Problem);
        // The guard's alert went to the inbox the restarted host was pointed at too.
        await Wait.UntilAsync(() => stack.Emulator.State.Notifications.Received >= 1, "a notification in the emulator's inbox");
    }

    [Theory]
    [InlineData("2s", 2)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("1d", 86400)]
    public void TimerEvery_Accepted(string text, int seconds)
    {
        Assert.True(SweepCommand.TryParseEvery(text, out var every));
        Assert.Equal(TimeSpan.FromSeconds(seconds), every);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("2d")]
    [InlineData("30")]
    [InlineData("-5s")]
    [InlineData("1.5m")]
    [InlineData("s")]
    public void TimerEvery_Refused(string text) => Assert.False(SweepCommand.TryParseEvery(text, out _));

    [Fact]
    public async Task TimerEvery_BadValue_ExitCode2NamingTheOption()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(2, await SweepCommand.RunServeAsync(["--timer-every", "soon"], stdout, stderr, CancellationToken.None));
        Assert.Contains("--timer-every must be a duration", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void DescribeNotification_TellsWhatTheDigestCarried()
    {
        var digest = new InboxMessage(DateTimeOffset.UnixEpoch, "application/json",
            """{"type":"ackfc.report.digest","sweepId":"s2","changes":{"new":[{}],"resolved":[{},{}],"escalated":[]}}""");
        var other = new InboxMessage(DateTimeOffset.UnixEpoch, "application/json", """{"type":"ackfc.guard.alert","sweepId":"s2"}""");

        Assert.Equal("notified: 1 new, 0 escalated, 2 resolved (compared with sweep s1)", SweepCommand.DescribeNotification("s2", "s1", [other, digest], 0, 2));
        Assert.Equal("notified: nothing (compared with sweep s1: no change; notifications are change-only)", SweepCommand.DescribeNotification("s2", "s1", [digest, other], 1, 2));
        Assert.Equal("notified: nothing (compared with sweep s0: no change; notifications are change-only)", SweepCommand.DescribeNotification("s3", "s0", [digest], 0, 1));
    }

    [GeneratedRegex(@"Emulated Alibaba Cloud region: (http://\S+) ")]
    private static partial Regex EndpointLine();
}
