using AckFc.Core.Compliance;
using AckFc.Core.Reporting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using NSubstitute;

namespace AckFc.Core.Tests.Reporting;

/// <summary>
/// Two instances publish the same sweep at the same moment (a duplicated or retried timer on Function Compute): the
/// one that loses the race for a channel's intent marker neither sends nor reports an interruption — the other one
/// delivers. (The real race, across processes and OSS, is in OssProcessesTests.)
/// </summary>
public sealed class ConcurrentPublicationTests
{
    private const string Secret = "ops:webhook-secret-that-is-long-enough-0123456789";

    [Fact]
    public async Task PublishAsync_IntentTakenByAnotherInstance_NotSentNoErrorAWarning()
    {
        await using var server = await LoopbackServer.StartAsync(_ => (200, "{}"));
        using var h = new ReportingHarness(new Dictionary<string, string?>
        {
            ["ACKFC_NOTIFY_WEBHOOK_URL"] = new Uri(server.BaseAddress, "webhook/notify").AbsoluteUri,
            ["ACKFC_NOTIFY_WEBHOOK_SECRET"] = Secret,
        });
        var store = Substitute.For<IReportStore>();
        store.LoadMarkersAsync(Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(Task.FromResult<IReadOnlyCollection<string>>([]));
        // The marker read found nothing, but by the time this instance creates the intent, the other one has.
        store.TryCreateMarkerAsync(Arg.Any<string>(), Arg.Is<string>(n => n.StartsWith("notify-intent.", StringComparison.Ordinal)), Arg.Any<CancellationToken>())
            .Returns(false);
        ReportSetState? saved = null;
        ComplianceReport? savedReport = null;
        store.SaveAsync(Arg.Any<ComplianceReport>(), Arg.Any<IReadOnlyList<ReportFile>>(), Arg.Do<ReportSetState>(s => saved = s), Arg.Any<CancellationToken>())
            .Returns(c =>
            {
                savedReport = c.Arg<ComplianceReport>();
                return Task.FromResult<IReadOnlyList<string>>(["report.json"]);
            });
        var publisher = new ReportPublisher(
            store, h.Notifier, h.Provider.GetRequiredService<IOptions<ReportingOptions>>(), h.Time, h.Provider.GetRequiredService<ILogger<ReportPublisher>>());

        var published = await publisher.PublishAsync(ReportFixtures.DemoFleet(hostile: false, sweepId: "daily-dup"));

        Assert.Empty(server.Requests);
        Assert.DoesNotContain(published.Report.Errors, e => e.Scope == "notification");
        Assert.DoesNotContain(savedReport!.Errors, e => e.Scope == "notification");
        Assert.NotNull(saved);
        Assert.Empty(saved!.NotifiedChannels);
        Assert.True(saved.NotificationDue);
        var logs = h.Provider.GetFakeLogCollector().GetSnapshot();
        Assert.Contains(logs, r => r.Level == LogLevel.Warning && r.Message.Contains("another instance is publishing this sweep", StringComparison.Ordinal));
        Assert.DoesNotContain(logs, r => r.Level >= LogLevel.Error);
    }
}
