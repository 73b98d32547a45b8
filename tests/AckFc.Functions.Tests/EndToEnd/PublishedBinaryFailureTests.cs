using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using AckFc.Local.Emulator;
using AckFc.Local.Runner;

namespace AckFc.Functions.Tests.EndToEnd;

/// <summary>
/// The published Native AOT binary driven as Function Compute runs it, where things go wrong (issue 11): the deadline
/// against a hanging cloud, every region refusing, no credentials at all. Lines are read from the process's own stdout.
/// </summary>
public sealed class PublishedBinaryFailureTests(PublishedBinaryFixture fixture) : IClassFixture<PublishedBinaryFixture>, IAsyncLifetime
{
    private readonly StringBuilder output = new();
    private readonly List<string> reportDirectories = [];
    private RunningEmulator emulator = null!;
    private Process? process;
    private HttpClient? client;

    public async Task InitializeAsync() => emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Fleet = DemoFleet.Create() });

    public async Task DisposeAsync()
    {
        await StopAsync();
        await emulator.DisposeAsync();
        foreach (var directory in reportDirectories.Where(Directory.Exists))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private async Task StopAsync()
    {
        client?.Dispose();
        if (process is not null)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
            process.Dispose();
            process = null;
        }
    }

    private async Task<string> StartAsync(string? accessKeySecret)
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var reports = Path.Combine(Path.GetTempPath(), "ackfc-aot-fail-" + Guid.NewGuid().ToString("n"));
        reportDirectories.Add(reports);
        var start = new ProcessStartInfo(fixture.Binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["FC_CUSTOM_LISTEN_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["ACKFC_FUNCTION"] = "compliance";
        start.Environment["ACKFC_REGIONS"] = string.Join(',', emulator.State.Regions);
        start.Environment["ACKFC_CS_ENDPOINT"] = emulator.Endpoint;
        start.Environment["ACKFC_KMS_ENDPOINT"] = emulator.Endpoint;
        start.Environment.Remove("ALIBABA_CLOUD_ACCESS_KEY_ID");
        start.Environment.Remove("ALIBABA_CLOUD_ACCESS_KEY_SECRET");
        start.Environment.Remove("ALIBABA_CLOUD_SECURITY_TOKEN");
        start.Environment["ALIBABA_CLOUD_CREDENTIALS_FILE"] = Path.Combine(reports, "no-such-credentials");
        if (accessKeySecret is not null)
        {
            start.Environment["ALIBABA_CLOUD_ACCESS_KEY_ID"] = emulator.Credential.AccessKeyId;
            start.Environment["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = accessKeySecret;
        }

        start.Environment["ACKFC_POLICY"] = LocalSettings.DefaultPolicy;
        start.Environment["ACKFC_REPORT_DIR"] = reports;
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var ok = await client.GetAsync("/healthz");
                if (ok.IsSuccessStatusCode)
                {
                    return reports;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < until && !process.HasExited)
            {
                await Task.Delay(20);
            }
        }
    }

    private async Task<(HttpResponseMessage Response, string Body, TimeSpan Took)> InvokeAsync(string requestId, int timeoutSeconds, DateTimeOffset trigger)
    {
        var body = $"{{\"triggerTime\":\"{trigger.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}\",\"triggerName\":\"daily\",\"payload\":\"\"}}";
        using var invoke = new HttpRequestMessage(HttpMethod.Post, "/invoke") { Content = new StringContent(body, Encoding.UTF8, "application/octet-stream") };
        invoke.Headers.Add("x-fc-control-path", "/invoke");
        invoke.Headers.Add("x-fc-request-id", requestId);
        invoke.Headers.Add("x-fc-function-name", "ackfc-compliance");
        invoke.Headers.Add("x-fc-function-timeout", timeoutSeconds.ToString(CultureInfo.InvariantCulture));
        var clock = Stopwatch.StartNew();
        var response = await client!.SendAsync(invoke);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text, clock.Elapsed);
    }

    private List<JsonElement> LogLines()
    {
        string text;
        lock (output)
        {
            text = output.ToString();
        }

        return [.. text.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    private List<string> ErrorLines(string requestId) =>
    [
        .. LogLines()
            .Where(j => j.GetProperty("LogLevel").GetString() == "Error" && j.GetRawText().Contains(requestId, StringComparison.Ordinal))
            .Select(j => j.GetProperty("Message").GetString()!),
    ];

    /// <summary>The End line is written before the answer completes: no waiting needed to see it.</summary>
    private void AssertEnded(string requestId)
    {
        lock (output)
        {
            Assert.Contains($"FC Invoke End RequestId: {requestId}", output.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Binary_DeadlineAgainstHangingKeys_ReportSetAndSummaryBeforeTheDeadline()
    {
        await StartAsync(emulator.Credential.AccessKeySecret);
        emulator.State.Faults.Set("DescribeKey", new FaultProfile { HangRate = 1, HangMilliseconds = 120_000 });
        var trigger = DateTimeOffset.UtcNow;
        foreach (var timeout in new[] { 3, 4 })
        {
            var id = $"aot-deadline-{timeout}";
            var (response, body, took) = await InvokeAsync(id, timeout, trigger.AddMinutes(timeout));
            using (response)
            {
                Assert.True(took < TimeSpan.FromSeconds(timeout), $"{timeout} s timeout: answered after {took.TotalSeconds:0.00} s");
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                Assert.Equal("404", response.Headers.GetValues("x-fc-status").Single());
                using var answer = JsonDocument.Parse(body);
                Assert.False(answer.RootElement.TryGetProperty("clusters", out _));
                var files = answer.RootElement.GetProperty("reportFiles").EnumerateArray().Select(f => f.GetString()!).ToList();
                foreach (var format in SweepDeadlineEndToEndTests.Formats.Append("latest.json"))
                {
                    Assert.True(files.Any(f => Path.GetFileName(f) == format && File.Exists(f)), $"{timeout} s: {format} not written");
                }

                using var report = JsonDocument.Parse(await File.ReadAllTextAsync(files.Single(f => Path.GetFileName(f) == "report.json")));
                var unknown = report.RootElement.GetProperty("clusters").EnumerateArray().Where(c => c.GetProperty("status").GetString() == "unknown").ToList();
                Assert.NotEmpty(unknown);
                Assert.Contains("DeadlineExceeded", report.RootElement.GetProperty("errors").GetRawText(), StringComparison.Ordinal);
                AssertEnded(id);
                Assert.Single(ErrorLines(id));
            }
        }
    }

    [Fact]
    public async Task Binary_EveryRegionRefuses_404ReportWrittenAndOneErrorLineNamingRegionsAndCodes()
    {
        var reports = await StartAsync("not-the-emulators-secret-" + Guid.NewGuid().ToString("n"));
        const string id = "aot-all-regions-failing";
        var (response, body, _) = await InvokeAsync(id, 120, DateTimeOffset.UtcNow);
        using (response)
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("404", response.Headers.GetValues("x-fc-status").Single());
            using var answer = JsonDocument.Parse(body);
            Assert.Equal(0, answer.RootElement.GetProperty("summary").GetProperty("clusters").GetInt32());
            Assert.False(answer.RootElement.GetProperty("complete").GetBoolean());
        }

        Assert.True(File.Exists(Path.Combine(reports, "latest.json")), "the report of a failed sweep was not written");
        AssertEnded(id);
        var line = Assert.Single(ErrorLines(id));
        Assert.Contains("SweepIncomplete", line, StringComparison.Ordinal);
        foreach (var region in emulator.State.Regions)
        {
            Assert.Contains(region + ": DescribeClustersV1 ", line, StringComparison.Ordinal);
        }

        Assert.Contains("SignatureDoesNotMatch", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Binary_NoCredentials_404AndTheMessageInTheErrorLine()
    {
        await StartAsync(accessKeySecret: null);
        const string id = "aot-no-credentials";
        var (response, body, _) = await InvokeAsync(id, 60, DateTimeOffset.UtcNow);
        using (response)
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("404", response.Headers.GetValues("x-fc-status").Single());
            Assert.DoesNotContain("Tried, in order", body, StringComparison.Ordinal);
        }

        AssertEnded(id);
        var line = Assert.Single(ErrorLines(id));
        Assert.Contains("CredentialsNotFoundException", line, StringComparison.Ordinal);
        Assert.Contains("No Alibaba Cloud credentials found. Tried, in order", line, StringComparison.Ordinal);
    }
}
