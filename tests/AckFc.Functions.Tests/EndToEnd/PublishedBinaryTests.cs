using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AckFc.Functions;
using AckFc.Functions.Tests.Deployment;
using AckFc.Local.Emulator;
using AckFc.Local.Runner;

namespace AckFc.Functions.Tests.EndToEnd;

/// <summary>Publishes the Native AOT binary once and drives it as Function Compute would, against the emulator.</summary>
public sealed class PublishedBinaryFixture : IAsyncLifetime
{
    public string Binary { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var output = Path.Combine(SYamlDocument.RepoRoot, "artifacts", "test-aot");
        var publish = new ProcessStartInfo("dotnet", ["publish", Path.Combine(SYamlDocument.RepoRoot, "functions", "AckFc.Functions"), "-c", "Release", "-r", "linux-x64", "-o", output])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(publish)!;
        var log = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = await log + await errors;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"Native AOT publish failed (needs clang and zlib1g-dev: apt-get install clang zlib1g-dev):{Environment.NewLine}{text}");
        }

        // Zero trim/AOT warnings is part of the contract of the deployable.
        var warnings = text.Split('\n').Where(l => l.Contains("warning IL", StringComparison.Ordinal)).ToList();
        if (warnings.Count > 0)
        {
            throw new InvalidOperationException("The AOT publish reported trim/AOT warnings:" + Environment.NewLine + string.Join(Environment.NewLine, warnings));
        }

        Binary = Path.Combine(output, "AckFc.Functions");
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

public sealed class PublishedBinaryTests(PublishedBinaryFixture fixture) : IClassFixture<PublishedBinaryFixture>, IAsyncLifetime
{
    private const string KeyId = "ci";
    private readonly string secret = "published-binary-test-secret-" + Guid.NewGuid().ToString("n");
    private RunningEmulator emulator = null!;
    private Process process = null!;
    private HttpClient client = null!;
    private string reports = null!;
    private readonly StringBuilder output = new();

    public async Task InitializeAsync()
    {
        emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Fleet = DemoFleet.Create() });
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        reports = Path.Combine(Path.GetTempPath(), "ackfc-aot-" + Guid.NewGuid().ToString("n"));
        var start = new ProcessStartInfo(fixture.Binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["FC_CUSTOM_LISTEN_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["ACKFC_REGIONS"] = string.Join(',', emulator.State.Regions);
        start.Environment["ACKFC_CS_ENDPOINT"] = emulator.Endpoint;
        start.Environment["ACKFC_KMS_ENDPOINT"] = emulator.Endpoint;
        start.Environment["ALIBABA_CLOUD_ACCESS_KEY_ID"] = emulator.Credential.AccessKeyId;
        start.Environment["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = emulator.Credential.AccessKeySecret;
        start.Environment["ACKFC_POLICY"] = LocalSettings.DefaultPolicy;
        start.Environment["ACKFC_REPORT_DIR"] = reports;
        start.Environment["ACKFC_WEBHOOK_SECRETS"] = $"{KeyId}:{secret}";
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var ok = await client.GetAsync("/healthz");
                if (ok.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < until && !process.HasExited)
            {
                await Task.Delay(20);
            }
        }
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
        await emulator.DisposeAsync();
        if (Directory.Exists(reports))
        {
            Directory.Delete(reports, recursive: true);
        }
    }

    [Fact]
    public async Task Binary_TimerInvoke_SweepsTheDemoFleet()
    {
        using var invoke = new HttpRequestMessage(HttpMethod.Post, "/invoke")
        {
            Content = new StringContent("""{"triggerTime":"2026-11-28T03:00:00Z","triggerName":"daily","payload":"{\"mode\":\"report\"}"}"""),
        };
        invoke.Headers.Add("x-fc-control-path", "/invoke");
        invoke.Headers.Add("x-fc-request-id", "aot-req-1");
        using var response = await client.SendAsync(invoke);
        using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("200", response.Headers.GetValues("x-fc-status").Single());
        // The answer is a summary (contracts §8); the full report is in the report directory.
        Assert.Equal(emulator.State.GetClusters().Count, report.RootElement.GetProperty("summary").GetProperty("clusters").GetInt32());
        Assert.False(report.RootElement.TryGetProperty("clusters", out _));
        Assert.True(report.RootElement.GetProperty("summary").GetProperty("fail").GetInt32() > 0);
        lock (output)
        {
            Assert.Contains("FC Invoke Start RequestId: aot-req-1", output.ToString(), StringComparison.Ordinal);
        }

        // The invocation's usage line (the console logger writes from its own queue, so give it a moment).
        Match usage = Match.Empty;
        for (var i = 0; i < 50 && !usage.Success; i++)
        {
            lock (output)
            {
                usage = Regex.Match(output.ToString(), @"Invocation aot-req-1 took [\d.]+ ms, allocated [\d.]+ MB \(\d+ gen0 and \d+ gen2 collections\); peak working set ([\d.]+) MB");
            }

            if (!usage.Success)
            {
                await Task.Delay(100);
            }
        }

        Assert.True(usage.Success, "no usage line for the invocation");
        Assert.InRange(double.Parse(usage.Groups[1].Value, CultureInfo.InvariantCulture), 5, 1024);
    }

    [Fact]
    public async Task Binary_ProtectedDisable_403AndNothingReachesAck()
    {
        var body = Encoding.UTF8.GetBytes("""{"disable_encryption":true}""");
        const string path = "/clusters/c-demo-hz-payments/kms";
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, WebhookSignature.Create(KeyId, secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), "PUT", path, body));
        request.Headers.Add("x-fc-control-path", "/http-invoke");
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("ACKFC-POL-001", text, StringComparison.Ordinal);
        Assert.Equal(0, emulator.State.CountOf("UpdateKMSEncryption"));
        lock (output)
        {
            // The audit line is there, the webhook secret and the access key secret are not.
            Assert.Contains("AUDIT", output.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, output.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(emulator.Credential.AccessKeySecret, output.ToString(), StringComparison.Ordinal);
        }
    }
}
