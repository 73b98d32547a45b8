using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using AckFc.Core.Compliance;
using AckFc.Core.Reporting;
using AckFc.Core.Signatures;
using AckFc.Core.Rules;
using AckFc.Local.Emulator;
using Microsoft.Extensions.DependencyInjection;

namespace AckFc.Functions.Tests.EndToEnd;

/// <summary>
/// Issue 11, items 1, 2, 5 and 8: a sweep against a hanging or refusing cloud, through the Function Compute contract.
/// The report set is written in every format, the answer (a summary) arrives before the deadline, and a sweep that
/// could not read everything counts as failed.
/// </summary>
public sealed class SweepDeadlineEndToEndTests : LocalRunTest
{
    public static readonly string[] Formats = ["report.json", "report.html", "report.md", "report.csv", "report.ocsf.jsonl"];

    private static HttpRequestMessage Timer(int timeoutSeconds, DateTimeOffset trigger)
    {
        var body = $"{{\"triggerTime\":\"{trigger.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}\",\"triggerName\":\"daily\",\"payload\":\"{{\\\"mode\\\":\\\"report\\\"}}\"}}";
        var request = new HttpRequestMessage(HttpMethod.Post, "/invoke") { Content = new StringContent(body, Encoding.UTF8, "application/octet-stream") };
        request.Headers.Add("x-fc-control-path", "/invoke");
        request.Headers.Add("x-fc-request-id", "deadline-" + Guid.NewGuid().ToString("n")[..8]);
        request.Headers.Add("x-fc-function-timeout", timeoutSeconds.ToString(CultureInfo.InvariantCulture));
        return request;
    }

    private HttpRequestMessage SignedSweep(int timeoutSeconds)
    {
        // A nonce in the query (signed with it): two sweeps asked in the same second are not a replay.
        var path = "/sweeps?n=" + Guid.NewGuid().ToString("n");
        var body = Encoding.UTF8.GetBytes("{\"mode\":\"report\"}");
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation(AckFcSignature.HeaderName,
            Webhook.ContractSigner.Header(Stack.WebhookKeyId, Stack.WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), "POST", path, body));
        request.Headers.Add("x-fc-control-path", "/http-invoke");
        request.Headers.Add("x-fc-request-id", "sweep-" + Guid.NewGuid().ToString("n"));
        request.Headers.Add("x-fc-function-timeout", timeoutSeconds.ToString(CultureInfo.InvariantCulture));
        return request;
    }

    private void Hang(string action) =>
        Stack.Emulator.State.Faults.Set(action, new FaultProfile { HangRate = 1, HangMilliseconds = 120_000 });

    private static void AssertReportSetWritten(JsonElement answer)
    {
        var files = answer.GetProperty("reportFiles").EnumerateArray().Select(f => f.GetString()!).ToList();
        foreach (var format in Formats)
        {
            var file = Assert.Single(files, f => Path.GetFileName(f) == format);
            Assert.True(File.Exists(file), $"{file} is listed but missing");
        }

        var latest = Assert.Single(files, f => Path.GetFileName(f) == "latest.json");
        Assert.True(File.Exists(latest), "latest.json is listed but missing");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(8)]
    public async Task Timer_KeysHang_AnswersBeforeTheDeadlineWithTheReportSetAndUnknownClusters(int timeout)
    {
        // A healthy sweep first: the JIT host compiles the publishing path once (the AOT binary has nothing to
        // compile; PublishedBinaryFailureTests time it cold), and there is a previous report to compare with.
        using (var warm = await Client.SendAsync(Timer(600, DateTimeOffset.UtcNow.AddDays(-1))))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        Hang("DescribeKey");
        var clock = Stopwatch.StartNew();
        using var response = await Client.SendAsync(Timer(timeout, DateTimeOffset.UtcNow));
        var text = await response.Content.ReadAsStringAsync();
        var took = clock.Elapsed;

        Assert.True(took < TimeSpan.FromSeconds(timeout), $"answered after {took.TotalSeconds:0.0} s with a {timeout} s timeout");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("404", response.Headers.GetValues("x-fc-status").Single());
        using var answer = JsonDocument.Parse(text);
        Assert.False(answer.RootElement.GetProperty("complete").GetBoolean());
        Assert.Equal("SweepIncomplete", answer.RootElement.GetProperty("errorType").GetString());
        Assert.False(answer.RootElement.TryGetProperty("clusters", out _), "the event answer must be a summary, not the report");
        Assert.Contains(answer.RootElement.GetProperty("errors").EnumerateArray(), e => e.GetProperty("code").GetString() == "DeadlineExceeded");
        AssertReportSetWritten(answer.RootElement);

        var sweepId = answer.RootElement.GetProperty("sweepId").GetString()!;
        var report = await Stack.Host.Services.GetRequiredService<IReportStore>().LoadAsync(sweepId);
        Assert.NotNull(report);
        Assert.Equal(Stack.Emulator.State.GetClusters().Count, report.Clusters.Count);
        var encrypted = report.Clusters.Where(c => c.Encryption.KmsKeyId is not null).ToList();
        Assert.NotEmpty(encrypted);
        Assert.All(encrypted, c => Assert.Equal(FindingStatus.Unknown, c.Status));
        Assert.All(encrypted, c => Assert.Contains(c.Findings, f => f.Message.Contains("deadline", StringComparison.OrdinalIgnoreCase) || f.Message.Contains("DeadlineExceeded", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Timer_EverythingHangs_ReportSetStillWrittenAndRegionsNamed()
    {
        using (var warm = await Client.SendAsync(Timer(600, DateTimeOffset.UtcNow.AddDays(-1))))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        Hang(FaultSettings.AllActions);
        var clock = Stopwatch.StartNew();
        using var response = await Client.SendAsync(Timer(4, DateTimeOffset.UtcNow));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"answered after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal("404", response.Headers.GetValues("x-fc-status").Single());
        using var answer = JsonDocument.Parse(text);
        AssertReportSetWritten(answer.RootElement);
        var message = answer.RootElement.GetProperty("errorMessage").GetString()!;
        foreach (var region in Stack.Regions)
        {
            Assert.Contains(region + ": DescribeClustersV1 DeadlineExceeded", message, StringComparison.Ordinal);
        }

        Assert.True(File.Exists(Path.Combine(Reports, "latest.json")));
    }

    [Fact]
    public async Task Timer_EveryRegionRefuses_ReportWrittenThen404NamingRegionsAndCodes()
    {
        Stack.Emulator.State.Faults.Set("DescribeClustersV1", new FaultProfile { ServiceUnavailableRate = 1 });
        using var response = await Client.SendAsync(Timer(600, DateTimeOffset.UtcNow));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("404", response.Headers.GetValues("x-fc-status").Single());
        using var answer = JsonDocument.Parse(text);
        Assert.Equal(0, answer.RootElement.GetProperty("summary").GetProperty("clusters").GetInt32());
        AssertReportSetWritten(answer.RootElement);
        var message = answer.RootElement.GetProperty("errorMessage").GetString()!;
        Assert.All(Stack.Regions, r => Assert.Contains(r + ": DescribeClustersV1 ServiceUnavailable", message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Timer_HealthyFleet_200SummaryWithTheReportSet()
    {
        using var response = await Client.SendAsync(Timer(600, DateTimeOffset.UtcNow));
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(answer.RootElement.GetProperty("complete").GetBoolean());
        Assert.Equal(Stack.Emulator.State.GetClusters().Count, answer.RootElement.GetProperty("summary").GetProperty("clusters").GetInt32());
        Assert.False(answer.RootElement.TryGetProperty("clusters", out _));
        Assert.False(answer.RootElement.TryGetProperty("errorType", out _));
        AssertReportSetWritten(answer.RootElement);
    }

    [Fact]
    public async Task Sweeps_KeysHang_200WithTheFullPartialReportBeforeTheDeadline()
    {
        using (var warm = await Client.SendAsync(Timer(600, DateTimeOffset.UtcNow.AddDays(-1))))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        Hang("DescribeKey");
        var clock = Stopwatch.StartNew();
        using var response = await Client.SendAsync(SignedSweep(4));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"answered after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = JsonSerializer.Deserialize(text, ReportJsonContext.Default.ComplianceReport)!;
        Assert.False(report.Complete);
        Assert.Equal(Stack.Emulator.State.GetClusters().Count, report.Clusters.Count);
        Assert.Contains(report.Errors, e => e.Code == "DeadlineExceeded");
    }

    [Fact]
    public async Task Sweeps_SecondWhileOneRuns_409WithRetryAfter()
    {
        Hang("DescribeKey");
        var first = Client.SendAsync(SignedSweep(10));
        // The gate is taken before the first cloud call: once the clusters are listed, the first holds the
        // instance's one sweep slot, and its keys hang (5 s of sweep before its reserve).
        var until = DateTime.UtcNow.AddSeconds(5);
        while (Stack.Emulator.State.CountOf("DescribeClustersV1") < Stack.Regions.Count)
        {
            Assert.True(DateTime.UtcNow < until, "the first sweep never listed the clusters");
            await Task.Delay(10);
        }

        using var second = await Client.SendAsync(SignedSweep(6));
        var problem = await second.Content.ReadAsStringAsync();
        using var firstAnswer = await first;

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType!.MediaType);
        Assert.Contains("already running", problem, StringComparison.Ordinal);
        Assert.True(second.Headers.RetryAfter is not null, "no Retry-After");
        Assert.Equal(HttpStatusCode.OK, firstAnswer.StatusCode);

        // The slot is free again once the first has answered.
        Stack.Emulator.State.Faults.Clear();
        await Task.Delay(1100); // a new second: the same body signed in the same second would be a replay
        using var third = await Client.SendAsync(SignedSweep(60));
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }

    [Theory]
    [InlineData(3, 1.5)]
    [InlineData(4, 2)]
    [InlineData(60, 30)]
    [InlineData(300, 30)]
    [InlineData(900, 90)]
    public void Reserve_IsMax30sOr10PercentButAtMostHalf(int timeout, double reserve) =>
        Assert.Equal(TimeSpan.FromSeconds(reserve), SweepRun.ReserveFor(TimeSpan.FromSeconds(timeout)));
}
