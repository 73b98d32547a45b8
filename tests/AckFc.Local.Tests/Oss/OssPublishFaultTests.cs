using System.Text.Json;
using AckFc.AlibabaCloud;
using AckFc.Core.Compliance;
using AckFc.Core.Judging;
using AckFc.Core.Reporting;
using AckFc.Core.Rules;
using AckFc.Local.Emulator;
using AckFc.Local.Runner;
using AckFc.Local.Tests.Emulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AckFc.Local.Tests.Oss;

/// <summary>
/// OSS failing while a sweep is published, against the emulated OSS over HTTP with the real client, store and
/// publisher: throttling and 503s are retried and the set completes; a set cut short is never latest; OSS down for
/// the whole publication fails the timer visibly with one Error line that still carries the findings.
/// </summary>
public sealed class OssPublishFaultTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 3, 0, 0, TimeSpan.Zero);
    private static readonly string[] SetFiles = ["report.json", "report.html", "report.md", "report.csv", "report.ocsf.jsonl"];
    private RunningEmulator emulator = null!;
    private EventSink sink = null!;

    public async Task InitializeAsync()
    {
        emulator = await EmulatorHost.StartAsync(new EmulatorOptions());
        sink = await EventSink.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await sink.DisposeAsync();
        await emulator.DisposeAsync();
    }

    private OssStoreHost Start() => OssStoreHost.Start(emulator, settings =>
    {
        settings["ACKFC_NOTIFY_WEBHOOK_URL"] = new Uri(sink.Address, "hook").AbsoluteUri;
        settings["ACKFC_NOTIFY_WEBHOOK_SECRET"] = "ops:oss-fault-test-secret-0123456789abcdef";
        settings["ACKFC_NOTIFY_MODE"] = "always";
        settings["ACKFC_NOTIFY_RETRY_DELAY_MS"] = "0";
    });

    private static ComplianceReport Report(string sweepId, DateTimeOffset time)
    {
        ClusterReport[] clusters =
        [
            new()
            {
                ClusterId = "c-failing-0001", Name = "prod", RegionId = "cn-hangzhou", ClusterSpec = "ack.pro.small",
                Encryption = new EncryptionSummary(false, null), Status = FindingStatus.Fail,
                Findings = [new Finding { RuleId = RuleCatalog.EncryptionEnabled, Status = FindingStatus.Fail, Severity = Severity.High, Message = "Secret encryption is off" }],
            },
        ];
        return new ComplianceReport
        {
            SweepId = sweepId,
            StartedAt = time,
            FinishedAt = time.AddSeconds(5),
            TriggerTime = time,
            Complete = true,
            Mode = SweepMode.Report,
            Regions = ["cn-hangzhou"],
            PolicyVersion = "test",
            Summary = ReportSummary.From(clusters),
            Clusters = clusters,
        };
    }

    private IReadOnlyList<string> Keys(string containing) =>
        [.. emulator.Oss.Keys("ackfc-reports").Where(k => k.Contains(containing, StringComparison.Ordinal))];

    [Theory]
    [InlineData(503, "ServiceUnavailable", "/sweeps/")]
    [InlineData(429, "QpsLimitExceeded", null)]
    [InlineData(503, "TotalQpsLimitExceeded", "/index/")]
    public async Task Publish_AFewThrottledOr503Puts_RetriedSetCompleteLatestNotifiedOnce(int status, string code, string? where)
    {
        await using var host = Start();
        emulator.State.Faults.Set("PutObject", new FaultProfile { FailCount = 3, FailStatusCode = status, FailErrorCode = code, TargetContains = where });

        var published = await host.Publisher.PublishAsync(Report("flaky-1", T0));

        var refused = emulator.State.GetCalls().Where(c => c.Action == "PutObject" && c.Status == status && c.ErrorCode == code).ToList();
        Assert.Equal(3, refused.Count);
        Assert.All(refused, c => Assert.Contains(where ?? "/", c.Path, StringComparison.Ordinal));
        var set = Keys("/sweeps/2026-12-01/flaky-1/");
        Assert.All(SetFiles, f => Assert.Contains($"ackfc/sweeps/2026-12-01/flaky-1/{f}", set));
        Assert.Contains("ackfc/sweeps/2026-12-01/flaky-1/publish-000001.json", set);
        Assert.Single(Keys("/index/"));
        Assert.Equal(SetFiles.Length, published.Files.Count);
        Assert.Equal("flaky-1", (await host.Store.LoadLatestAsync())?.SweepId);
        Assert.Equal(1, (await host.Store.LoadStateAsync("flaky-1"))?.Publications);
        var notified = Assert.Single(sink.Received);
        Assert.Equal("flaky-1", JsonDocument.Parse(notified.Body).RootElement.GetProperty("sweepId").GetString());
    }

    [Theory]
    [InlineData("/index/")]
    [InlineData("/publish-")]
    [InlineData("/report.csv")]
    public async Task Publish_SetCutShortBeforeItsIndexEntry_NeverLatestForTheNextSweepOrAReader(string failing)
    {
        await using (var first = Start())
        {
            await first.Publisher.PublishAsync(Report("day-0", T0));
        }

        emulator.State.Faults.Set("PutObject", new FaultProfile { ServiceUnavailableRate = 1, TargetContains = failing });
        await using (var cut = Start())
        {
            var failure = await Assert.ThrowsAsync<ReportPublishException>(() => cut.Publisher.PublishAsync(Report("day-1", T0.AddDays(1))));
            Assert.Equal("oss://ackfc-reports/ackfc/", failure.Store);
            Assert.Equal("ServiceUnavailable", Assert.IsType<AlibabaCloudException>(failure.InnerException).Code);
        }

        // Part of day 1 is there (its report.json at least), but no index entry: a reader still sees day 0.
        Assert.Contains("ackfc/sweeps/2026-12-02/day-1/report.json", Keys("/day-1/"));
        Assert.DoesNotContain(Keys("/index/"), k => k.Contains("day-1", StringComparison.Ordinal));
        await using (var reader = Start())
        {
            Assert.Equal("day-0", (await reader.Store.LoadLatestAsync())?.SweepId);
        }

        emulator.State.Faults.Clear();
        await using var next = Start();
        var published = await next.Publisher.PublishAsync(Report("day-2", T0.AddDays(2)));

        Assert.Equal("day-0", (await next.Store.LoadStateAsync("day-2"))?.ComparedWith);
        Assert.NotNull(published.Changes);
        Assert.Equal("day-2", (await next.Store.LoadLatestAsync())?.SweepId);
    }

    [Fact]
    public async Task Publish_RetriedAfterASetCutShort_TheWholeSetComesFromTheRetry()
    {
        // Function Compute retries the failed timer: the same sweep id, swept again, its report a little different.
        var cutShort = Report("retried-1", T0);
        var retried = cutShort with { Clusters = [.. cutShort.Clusters.Select(c => c with { Name = "renamed-between-attempts" })] };
        emulator.State.Faults.Set("PutObject", new FaultProfile { ServiceUnavailableRate = 1, TargetContains = "/report.csv" });
        await using (var first = Start())
        {
            await Assert.ThrowsAsync<ReportPublishException>(() => first.Publisher.PublishAsync(cutShort));
        }

        emulator.State.Faults.Clear();
        await using var retry = Start();
        await retry.Publisher.PublishAsync(retried);

        Assert.Equal("renamed-between-attempts", Assert.Single((await retry.Store.LoadLatestAsync())!.Clusters).Name);
        using var http = new HttpClient();
        foreach (var file in SetFiles)
        {
            // Every file of the set, the ones the cut-short run had written too, is the retry's.
            using var response = await http.GetAsync(new Uri(retry.Store.LinkTo(retried, file, TimeSpan.FromMinutes(5))!.AbsoluteUri));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(text.Contains("renamed-between-attempts", StringComparison.Ordinal), $"{file}: {text[..Math.Min(300, text.Length)]}");
        }
    }

    [Fact]
    public async Task Timer_OssUnavailableForTheWholePublication_FailsVisiblyWithOneErrorLineOfFindings_LatestStaysThePrevious()
    {
        var unused = Path.Combine(Path.GetTempPath(), "ackfc-unused-" + Guid.NewGuid().ToString("N"));
        await using var stack = await LocalRun.StartAsync(
            new LocalSettings(null, LocalSettings.DefaultPolicy, unused, "http://127.0.0.1:0", false, ReportsOnOss: true,
                HostSettings: ["ACKFC_CLOUD_RETRY_BASE_DELAY_SECONDS=0"],
                ConfigureHost: builder => builder.Logging.AddFakeLogging()),
            CancellationToken.None);
        var trigger = new DateTimeOffset(2026, 12, 1, 19, 0, 0, TimeSpan.Zero);
        var (previous, okStatus, okBody) = await stack.FireTimerAsync("{\"mode\":\"report\"}", trigger, CancellationToken.None);
        Assert.True(previous is not null, $"HTTP {okStatus}: {okBody}");
        var failingClusters = previous.Clusters.Where(c => c.Status == FindingStatus.Fail).ToList();
        Assert.NotEmpty(failingClusters);
        var logs = stack.Host.Services.GetFakeLogCollector();
        logs.Clear();

        stack.Emulator.State.Faults.Set("PutObject", new FaultProfile { ServiceUnavailableRate = 1 });
        var (_, status, body) = await stack.FireTimerAsync("{\"mode\":\"report\"}", trigger.AddDays(1), CancellationToken.None);

        // Function Compute sees a failed invocation, with a summary that says why.
        Assert.Equal(404, status);
        var answer = JsonDocument.Parse(body).RootElement;
        Assert.Equal("ReportNotPublished", answer.GetProperty("errorType").GetString());
        Assert.Equal(0, answer.GetProperty("reportFiles").GetArrayLength());
        Assert.Equal(previous.Summary.Fail, answer.GetProperty("summary").GetProperty("fail").GetInt32());

        // Exactly one Error line: the store, the cause, the findings.
        var errors = logs.GetSnapshot().Where(r => r.Level >= LogLevel.Error).ToList();
        Assert.True(errors.Count == 1, string.Join("\n", errors.Select(e => $"{e.Category} {e.Level}: {e.Message}")));
        var error = errors[0];
        Assert.Contains("ReportNotPublished", error.Message, StringComparison.Ordinal);
        Assert.Contains($"could not be written to oss://{LocalSettings.OssBucket}/{LocalSettings.OssPrefix} (PutObject ServiceUnavailable, HTTP 503", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{previous.Summary.Fail} fail", error.Message, StringComparison.Ordinal);
        Assert.Contains("Failing by rule: ACKFC-", error.Message, StringComparison.Ordinal);
        Assert.Contains(failingClusters[0].ClusterId, error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < PublishFailureLine.MaxLength + 200, $"{error.Message.Length} characters");
        Assert.DoesNotContain(stack.Emulator.Credential.AccessKeySecret, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(stack.WebhookSecret, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("x-oss-signature", error.Message, StringComparison.Ordinal);

        // Nothing of the failed sweep was written, and latest is still the previous complete sweep.
        var sweepId = answer.GetProperty("sweepId").GetString()!;
        Assert.DoesNotContain(stack.Emulator.Oss.Keys(LocalSettings.OssBucket), k => k.Contains(sweepId, StringComparison.Ordinal));
        stack.Emulator.State.Faults.Clear();
        await using var scope = stack.Host.Services.CreateAsyncScope();
        Assert.Equal(previous.SweepId, (await scope.ServiceProvider.GetRequiredService<IReportStore>().LoadLatestAsync())?.SweepId);
    }
}
