using System.Text.Json;
using AckFc.Core.Compliance;
using AckFc.Core.Reporting;
using AckFc.Core.Rules;

namespace AckFc.Core.Tests.Reporting;

public sealed class ReportPublisherTests
{
    private const string Secret = "ops:webhook-secret-that-is-long-enough-0123456789";
    private const string Token = "hook-tok3n-9f8e7d6c5b4a";

    private static ComplianceReport Sweep(int day, int daysLeft, bool healthy = false)
    {
        var report = ReportFixtures.DemoFleet(hostile: false, daysLeft: daysLeft, sweepId: $"daily-{day}", at: ReportFixtures.Start.AddDays(day));
        if (!healthy)
        {
            return report;
        }

        var clusters = report.Clusters.Select(c => c.Encryption.KmsKeyId == ReportFixtures.DoomedKey
            ? c with { Findings = [.. c.Findings.Where(f => f.RuleId != RuleCatalog.KeyPendingDeletion), ReportFixtures.Pass(RuleCatalog.KeyPendingDeletion, ReportFixtures.DoomedKey)] }
            : c).Select(c => c with { Status = c.Status == FindingStatus.NotApplicable ? c.Status : ReportFixtures.Worst(c.Findings) }).ToList();
        return ReportFixtures.Report(clusters, report.SweepId, report.StartedAt, errors: report.Errors);
    }

    private static ReportingHarness Harness(LoopbackServer server, string mode = "changes") => new(new Dictionary<string, string?>
    {
        ["ACKFC_NOTIFY_WEBHOOK_URL"] = new Uri(server.BaseAddress, $"notify?token={Token}").AbsoluteUri,
        ["ACKFC_NOTIFY_WEBHOOK_SECRET"] = Secret,
        ["ACKFC_NOTIFY_MODE"] = mode,
        ["ACKFC_REPORT_URL"] = "https://reports.example.com/{sweepId}/report.html",
    });

    private static JsonElement Body(ReceivedRequest request) => JsonDocument.Parse(request.Body).RootElement;

    [Fact]
    public async Task PublishAsync_SequenceOfSweeps_NotifiesOnlyOnChanges()
    {
        await using var server = await LoopbackServer.StartAsync(_ => (200, "{}"));
        using var h = Harness(server);

        var first = await h.Publisher.PublishAsync(Sweep(0, daysLeft: 9));
        var unchanged = await h.Publisher.PublishAsync(Sweep(1, daysLeft: 8));
        var escalated = await h.Publisher.PublishAsync(Sweep(2, daysLeft: 7));
        var resolved = await h.Publisher.PublishAsync(Sweep(3, daysLeft: 6, healthy: true));

        Assert.Null(first.Changes);
        Assert.True(unchanged.Changes!.IsEmpty);
        Assert.Equal(3, escalated.Changes!.Escalated.Count);
        Assert.Equal(3, resolved.Changes!.Resolved.Count);
        var sent = server.Requests.Select(Body).ToList();
        Assert.Equal(["daily-0", "daily-2", "daily-3"], sent.Select(b => b.GetProperty("sweepId").GetString()));
        Assert.Equal(JsonValueKind.Null, sent[0].GetProperty("changes").ValueKind);
        Assert.Equal(3, sent[1].GetProperty("changes").GetProperty("escalated").GetArrayLength());
        Assert.Equal(3, sent[2].GetProperty("changes").GetProperty("resolved").GetArrayLength());
        Assert.Equal("https://reports.example.com/daily-2/report.html", sent[1].GetProperty("reportUrl").GetString());
    }

    [Fact]
    public async Task PublishAsync_AllFormats_WrittenToTheSetAndLatest()
    {
        await using var server = await LoopbackServer.StartAsync(_ => (200, "{}"));
        using var h = Harness(server);

        var published = await h.Publisher.PublishAsync(Sweep(0, daysLeft: 9));

        var names = published.Files.Select(Path.GetFileName).ToList();
        Assert.Equal(["report.json", "report.html", "report.md", "report.csv", "report.ocsf.jsonl", "latest.json"], names);
        Assert.All(published.Files, f => Assert.True(new FileInfo(f).Length > 0, f));
        Assert.All(published.Files.SkipLast(1), f => Assert.Equal("2026-11-28T030000Z_daily-0", Path.GetFileName(Path.GetDirectoryName(f))));
    }

    [Fact]
    public async Task PublishAsync_SameSweepIdAgain_NoSecondNotificationAndSameComparison()
    {
        await using var server = await LoopbackServer.StartAsync(_ => (200, "{}"));
        using var h = Harness(server);
        await h.Publisher.PublishAsync(Sweep(0, daysLeft: 9));
        var escalated = await h.Publisher.PublishAsync(Sweep(1, daysLeft: 7));

        var retried = await h.Publisher.PublishAsync(Sweep(1, daysLeft: 7));

        Assert.Equal(2, server.Requests.Count);
        Assert.Equal(escalated.Changes!.Escalated.Count, retried.Changes!.Escalated.Count);
        Assert.Equal(3, retried.Changes.Escalated.Count);
        var state = await h.Store.LoadStateAsync("daily-1");
        Assert.Equal(2, state!.Publications);
        Assert.Equal("daily-0", state.ComparedWith);
        Assert.Equal(["webhook"], state.NotifiedChannels);
        Assert.NotNull(state.NotifiedAt);
    }

    [Fact]
    public async Task PublishAsync_AlwaysMode_NotifiesUnchangedSweepsButNotRepublishes()
    {
        await using var server = await LoopbackServer.StartAsync(_ => (200, "{}"));
        using var h = Harness(server, mode: "always");

        await h.Publisher.PublishAsync(Sweep(0, daysLeft: 9));
        await h.Publisher.PublishAsync(Sweep(1, daysLeft: 8));
        await h.Publisher.PublishAsync(Sweep(1, daysLeft: 8));

        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task PublishAsync_ChannelFails_ErrorInReportThenRetriedOnRepublish()
    {
        var failing = true;
        await using var server = await LoopbackServer.StartAsync(_ => failing ? (503, "{}") : (200, "{}"));
        using var h = Harness(server);

        var published = await h.Publisher.PublishAsync(Sweep(0, daysLeft: 9));

        var error = Assert.Single(published.Report.Errors, e => e.Scope == "notification");
        Assert.Equal("webhook", error.Action);
        var stored = await File.ReadAllTextAsync(published.Files.Single(f => f.EndsWith("report.json", StringComparison.Ordinal)));
        Assert.Contains("NotificationFailed", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret.Split(':')[1], stored, StringComparison.Ordinal);
        var html = await File.ReadAllTextAsync(published.Files.Single(f => f.EndsWith("report.html", StringComparison.Ordinal)));
        Assert.DoesNotContain(Token, html, StringComparison.Ordinal);
        Assert.Empty((await h.Store.LoadStateAsync("daily-0"))!.NotifiedChannels);

        failing = false;
        var retried = await h.Publisher.PublishAsync(Sweep(0, daysLeft: 9));

        Assert.DoesNotContain(retried.Report.Errors, e => e.Scope == "notification");
        Assert.Equal(["webhook"], (await h.Store.LoadStateAsync("daily-0"))!.NotifiedChannels);
        Assert.Equal(4, server.Requests.Count);
    }
}
