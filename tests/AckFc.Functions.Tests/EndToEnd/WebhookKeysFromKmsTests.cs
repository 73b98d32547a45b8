using System.Net;
using System.Text;
using AckFc.Core.Signatures;
using AckFc.Local.Emulator;
using AckFc.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AckFc.Functions.Tests.EndToEnd;

/// <summary>
/// The webhook's keys from a KMS Secrets Manager secret (<c>ACKFC_WEBHOOK_SECRET_NAME</c>): the real host, the real
/// KMS client (signed V3) and the emulated KMS over loopback. The emulator's call log is the witness of the reads.
/// </summary>
public sealed class WebhookKeysFromKmsTests : IAsyncLifetime
{
    private const string SecretName = "ackfc/webhook-keys";
    private const string KmsSecret = "kms-canary-0123456789abcdef0123456789abcdef";
    private const string RotatedSecret = "kms-rotated-fedcba9876543210fedcba9876543210";
    private const string EnvironmentSecret = "env-canary-0123456789abcdef0123456789abcdef";

    private readonly FakeTimeProvider time = new(DateTimeOffset.UtcNow);
    private RunningEmulator emulator = null!;
    private FunctionsApplication host = null!;
    private HttpClient client = null!;

    private string Region => emulator.State.Regions[0];

    public async Task InitializeAsync()
    {
        emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Fleet = DemoFleet.Create() }, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        client?.Dispose();
        if (host is not null)
        {
            await host.DisposeAsync();
        }

        await emulator.DisposeAsync();
    }

    private async Task StartHostAsync()
    {
        string[] config =
        [
            $"ACKFC_REGIONS={string.Join(',', emulator.State.Regions)}",
            $"ACKFC_CS_ENDPOINT={emulator.Endpoint}",
            $"ACKFC_KMS_ENDPOINT={emulator.Endpoint}",
            $"ALIBABA_CLOUD_ACCESS_KEY_ID={emulator.Credential.AccessKeyId}",
            $"ALIBABA_CLOUD_ACCESS_KEY_SECRET={emulator.Credential.AccessKeySecret}",
            $"ACKFC_REPORT_DIR={Path.Combine(Path.GetTempPath(), "ackfc-keys-" + Guid.NewGuid().ToString("n"))}",
            $"ACKFC_WEBHOOK_SECRETS=env:{EnvironmentSecret}",
            $"ACKFC_WEBHOOK_SECRET_NAME={SecretName}",
            "ACKFC_FUNCTION=webhook",
        ];
        host = FunctionsHost.Build(config, builder =>
        {
            builder.Urls = "http://127.0.0.1:0";
            builder.Services.AddSingleton<TimeProvider>(time);
            builder.Logging.AddFakeLogging();
            builder.Logging.AddFilter<FakeLoggerProvider>(null, LogLevel.Trace);
        });
        await host.StartAsync();
        client = new HttpClient { BaseAddress = host.Address, Timeout = TimeSpan.FromSeconds(60) };
    }

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string keyId, string secret)
    {
        const string path = "/clusters/c-demo-hz-orders/kms";
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation(
            AckFcSignature.HeaderName, Webhook.ContractSigner.Header(keyId, secret, time.GetUtcNow().ToUnixTimeSeconds(), "GET", path, []));
        request.Headers.Add("x-fc-control-path", "/http-invoke");
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string Detail(string problemJson) =>
        System.Text.Json.JsonDocument.Parse(problemJson).RootElement.GetProperty("detail").GetString()!;

    private long SecretReads => emulator.State.CountOf("GetSecretValue");

    private string AllLogText() =>
        string.Join('\n', host.Services.GetFakeLogCollector().GetSnapshot().Select(r => r.Message + " " + r.Exception));

    [Fact]
    public async Task SignedCall_KeyFromKmsSecret_AcceptedAndWinsOverTheEnvironment()
    {
        emulator.State.PutSecret(Region, SecretName, $"ci:{KmsSecret}");
        await StartHostAsync();

        var kms = await GetAsync("ci", KmsSecret);
        var environment = await GetAsync("env", EnvironmentSecret);
        time.Advance(TimeSpan.FromSeconds(1)); // a new signature time: the same one again would be a replay
        var again = await GetAsync("ci", KmsSecret);

        Assert.Equal(HttpStatusCode.OK, kms.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, environment.Status);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(1, SecretReads);
        Assert.DoesNotContain(KmsSecret, AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RotatedSecret_ReadAgainAfterTheRefreshInterval()
    {
        emulator.State.PutSecret(Region, SecretName, $"ci:{KmsSecret}");
        await StartHostAsync();
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("ci", KmsSecret)).Status);

        emulator.State.PutSecret(Region, SecretName, $"ci2:{RotatedSecret}");
        var beforeRefresh = await GetAsync("ci2", RotatedSecret);
        time.Advance(WebhookKeySource.RefreshInterval + TimeSpan.FromSeconds(1));
        var rotated = await GetAsync("ci2", RotatedSecret);
        var retired = await GetAsync("ci", KmsSecret);

        Assert.Equal(HttpStatusCode.Unauthorized, beforeRefresh.Status);
        Assert.Equal(HttpStatusCode.OK, rotated.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, retired.Status);
        Assert.Equal(2, SecretReads);
    }

    [Fact]
    public async Task MissingSecret_SignedCalls503NamingTheSecret_HealthzStillAnswers_ThenRecovers()
    {
        await StartHostAsync();

        var refused = await GetAsync("env", EnvironmentSecret);
        using var health = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
        Assert.Contains(SecretName, refused.Body, StringComparison.Ordinal);
        Assert.Contains("Forbidden.ResourceNotFound", refused.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(EnvironmentSecret, refused.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var error = Assert.Single(host.Services.GetFakeLogCollector().GetSnapshot(), r => r.Level == LogLevel.Error && r.Message.Contains(SecretName, StringComparison.Ordinal));
        Assert.Contains("Forbidden.ResourceNotFound", error.Message, StringComparison.Ordinal);

        emulator.State.PutSecret(Region, SecretName, $"ci:{KmsSecret}");
        time.Advance(WebhookKeySource.RetryPause + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("ci", KmsSecret)).Status);
        Assert.DoesNotContain(KmsSecret, AllLogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedSecret_503NamesTheEntryNeverTheValue()
    {
        emulator.State.PutSecret(Region, SecretName, $"ci:{KmsSecret},short:tooShortSecret");
        await StartHostAsync();

        var refused = await GetAsync("ci", KmsSecret);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
        Assert.Contains("key id 'short'", Detail(refused.Body), StringComparison.Ordinal);
        Assert.DoesNotContain("tooShortSecret", refused.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(KmsSecret, refused.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("tooShortSecret", AllLogText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad name with spaces")]
    [InlineData("name#hash")]
    public void BadSecretName_FailsAtStartNamingTheVariable(string name)
    {
        var e = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => FunctionsHost.Build(
            ["ACKFC_REGIONS=cn-hangzhou", $"ACKFC_WEBHOOK_SECRET_NAME={name}", "ACKFC_FUNCTION=webhook"], b => b.Urls = "http://127.0.0.1:0"));
        Assert.Contains(WebhookKeySource.SecretNameVariable, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SecretValue_ToString_LeavesTheValueOut()
    {
        var value = new AckFc.AlibabaCloud.Kms.KmsSecretValue(SecretName, "v1", KmsSecret, "text");

        Assert.DoesNotContain(KmsSecret, value.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(KmsSecret, Encoding.UTF8.GetString(Encoding.UTF8.GetBytes($"{value}")), StringComparison.Ordinal);
    }
}
