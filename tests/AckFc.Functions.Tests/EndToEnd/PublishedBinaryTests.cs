using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AckFc.Core.Signatures;
using AckFc.Functions;
using AckFc.Functions.Tests.Webhook;
using AckFc.Functions.Tests.Deployment;
using AckFc.Functions.Tests.SecretHygiene;
using AckFc.Local;
using AckFc.Local.Emulator;
using AckFc.Local.Runner;

namespace AckFc.Functions.Tests.EndToEnd;

/// <summary>Publishes the Native AOT binary once and drives it as Function Compute would, against the emulator.</summary>
public sealed class PublishedBinaryFixture : IAsyncLifetime
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(12);

    // One publish per test run, whatever number of classes use the fixture (each class gets its own instance):
    // concurrent publishes into one obj folder race in the native OpenSSL build.
    private static readonly Lazy<Task<string>> Published = new(PublishAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    public string Binary { get; private set; } = null!;

    public async Task InitializeAsync() => Binary = await Published.Value;

    private static async Task<string> PublishAsync()
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
        using (var deadline = new CancellationTokenSource(PublishTimeout))
        {
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"Native AOT publish did not finish within {PublishTimeout.TotalMinutes:0} minutes.");
            }
        }

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

        return Path.Combine(output, "AckFc.Functions");
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

public sealed class PublishedBinaryTests : IClassFixture<PublishedBinaryFixture>, IAsyncLifetime
{
    private const string KeyId = "ci";
    private const string EnvKeyId = "LTAIbinaryEnvKey01";
    private const string FcKeyId = "STS.binaryRole01";
    private readonly SecretCanaries canaries = new();
    private readonly string secret;
    private RunningEmulator emulator = null!;
    private BinaryHost host = null!;
    private string reports = null!;
    private readonly PublishedBinaryFixture fixture;

    public PublishedBinaryTests(PublishedBinaryFixture fixture)
    {
        this.fixture = fixture;
        secret = canaries.New("webhook-secret");
        canaries.New("env-secret");
        canaries.New("env-sts-token");
        canaries.New("fc-secret");
        canaries.New("fc-sts-token");
        canaries.New("wrong-secret");
    }

    public async Task InitializeAsync()
    {
        var options = new EmulatorOptions { Fleet = DemoFleet.Create() };
        options.Credentials.Add(new EmulatorCredential(EnvKeyId, canaries.All["env-secret"], canaries.All["env-sts-token"]));
        options.Credentials.Add(new EmulatorCredential(FcKeyId, canaries.All["fc-secret"], canaries.All["fc-sts-token"]));
        emulator = await EmulatorHost.StartAsync(options);
        reports = Path.Combine(Path.GetTempPath(), "ackfc-aot-" + Guid.NewGuid().ToString("n"));
        host = await BinaryHost.StartAsync(fixture.Binary, LocalHostEnvironment.For(emulator) with
        {
            PolicyFile = LocalSettings.DefaultPolicy,
            ReportDirectory = reports,
            WebhookSecrets = $"{KeyId}:{secret}",
        });
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
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
        using var response = await host.Client.SendAsync(invoke);
        using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("200", response.Headers.GetValues("x-fc-status").Single());
        // The answer is a summary (contracts §8); the full report is in the report directory.
        Assert.Equal(emulator.State.GetClusters().Count, report.RootElement.GetProperty("summary").GetProperty("clusters").GetInt32());
        Assert.False(report.RootElement.TryGetProperty("clusters", out _));
        Assert.True(report.RootElement.GetProperty("summary").GetProperty("fail").GetInt32() > 0);
        Assert.Contains("FC Invoke Start RequestId: aot-req-1", host.Output, StringComparison.Ordinal);

        // The invocation's usage line (the console logger writes from its own queue, so give it a moment).
        Match usage = Match.Empty;
        for (var i = 0; i < 50 && !usage.Success; i++)
        {
            usage = Regex.Match(host.Output, @"Invocation aot-req-1 took [\d.]+ ms, allocated [\d.]+ MB \(\d+ gen0 and \d+ gen2 collections\); peak working set ([\d.]+) MB");
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
        request.Headers.TryAddWithoutValidation(AckFcSignature.HeaderName, ContractSigner.Header(KeyId, secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), "PUT", path, body));
        request.Headers.Add("x-fc-control-path", "/http-invoke");
        using var response = await host.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("ACKFC-POL-001", text, StringComparison.Ordinal);
        Assert.Equal(0, emulator.State.CountOf("UpdateKMSEncryption"));
        // The console logger writes from its own queue: give the audit line up to 10 s to arrive.
        for (var clock = Stopwatch.StartNew(); !host.Output.Contains("AUDIT", StringComparison.Ordinal) && clock.Elapsed < TimeSpan.FromSeconds(10);)
        {
            await Task.Delay(50);
        }

        // The audit line is there, the webhook secret and the access key secret are not.
        Assert.Contains("AUDIT", host.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, host.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(canaries.All["env-secret"], host.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// The binary's whole stdout and stderr, from start to a graceful stop, over timer invocations with Function
    /// Compute's per-invocation STS credentials and with the environment's, and signed, unsigned and forged webhook
    /// calls: no piece of any secret it was given, however it came to print it (logger, Console, a crash).
    /// </summary>
    [Fact]
    public async Task Binary_WholeOutput_NoSecretOnStdoutOrStderr()
    {
        foreach (var (id, withFcCredentials) in new[] { ("aot-fc-1", true), ("aot-env-1", false) })
        {
            using var invoke = new HttpRequestMessage(HttpMethod.Post, "/invoke")
            {
                Content = new StringContent("""{"triggerTime":"2026-11-28T03:00:00Z","triggerName":"daily","payload":"{\"mode\":\"report\"}"}"""),
            };
            invoke.Headers.Add("x-fc-control-path", "/invoke");
            invoke.Headers.Add("x-fc-request-id", id);
            if (withFcCredentials)
            {
                invoke.Headers.Add("x-fc-access-key-id", FcKeyId);
                invoke.Headers.Add("x-fc-access-key-secret", canaries.All["fc-secret"]);
                invoke.Headers.Add("x-fc-security-token", canaries.All["fc-sts-token"]);
            }

            using var answer = await host.Client.SendAsync(invoke);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        const string path = "/clusters/c-demo-hz-analytics/kms";
        var body = Encoding.UTF8.GetBytes("""{"kms_key_id":"key-demo-hz-spare","dry_run":true}""");
        foreach (var (signature, expected) in new[]
                 {
                     (ContractSigner.Now(KeyId, secret, "PUT", path, body), HttpStatusCode.OK),
                     (ContractSigner.Now(KeyId, canaries.All["wrong-secret"], "PUT", path, body), HttpStatusCode.Unauthorized),
                     ((string?)null, HttpStatusCode.Unauthorized),
                 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new ByteArrayContent(body) };
            if (signature is not null)
            {
                request.Headers.TryAddWithoutValidation(AckFcSignature.HeaderName, signature);
            }

            request.Headers.Add("x-fc-control-path", "/http-invoke");
            using var answer = await host.Client.SendAsync(request);
            Assert.Equal(expected, answer.StatusCode);
        }

        await host.StopAsync();

        // Both credential sets reached the cloud, so both secrets went through the binary.
        Assert.Contains(emulator.State.GetCalls(), c => c.AccessKeyId == FcKeyId && c.Status == 200);
        Assert.Contains(emulator.State.GetCalls(), c => c.AccessKeyId == EnvKeyId && c.Status == 200);
        var text = host.Output;
        Assert.Contains("FC Invoke Start RequestId: aot-fc-1", text, StringComparison.Ordinal);
        var leaks = canaries.FindIn([("the published binary's stdout and stderr", text)]);
        Assert.True(leaks.Count == 0, "Secrets on the binary's output:\n" + string.Join('\n', leaks));
    }
}
