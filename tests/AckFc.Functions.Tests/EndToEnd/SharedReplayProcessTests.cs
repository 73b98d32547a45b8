using System.Net;
using System.Text;
using AckFc.Core.Signatures;
using AckFc.Functions.Tests.Webhook;
using AckFc.Local;
using AckFc.Local.Emulator;
using AckFc.Local.Runner;

namespace AckFc.Functions.Tests.EndToEnd;

/// <summary>
/// The webhook's replay memory across Function Compute instances: two processes of the published binary with their
/// reports on the same OSS bucket. A signature accepted by one is refused by the other; with a report directory each
/// process only remembers its own (the documented per-instance behaviour).
/// </summary>
public sealed class SharedReplayProcessTests(PublishedBinaryFixture fixture) : IClassFixture<PublishedBinaryFixture>, IAsyncLifetime
{
    private const string Bucket = "ackfc-replay-procs";
    private const string KeyId = "ci";
    private const string Secret = "shared-replay-procs-secret-0123456789abcdef";
    private const string Path = "/clusters/c-demo-hz-analytics/kms";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"kms_key_id":"key-demo-hz-spare","dry_run":true,"reason":"replay across instances"}""");
    private RunningEmulator emulator = null!;
    private readonly List<BinaryHost> hosts = [];
    private readonly List<string> folders = [];

    public async Task InitializeAsync()
    {
        emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Fleet = DemoFleet.Create() });
        emulator.Oss.EnsureBucket(Bucket);
    }

    public async Task DisposeAsync()
    {
        foreach (var host in hosts)
        {
            await host.DisposeAsync();
        }

        await emulator.DisposeAsync();
        foreach (var folder in folders.Where(Directory.Exists))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task SignatureAcceptedByOneProcess_RefusedByAnother()
    {
        var a = await StartAsync(oss: true);
        var b = await StartAsync(oss: true);
        var signature = ContractSigner.Now(KeyId, Secret, "PUT", Path, Body);

        var (first, firstText) = await SendAsync(a, signature);
        var (replayed, replayedText) = await SendAsync(b, signature);

        Assert.True(first == HttpStatusCode.OK, $"{first}: {firstText}");
        Assert.True(replayed == HttpStatusCode.Unauthorized, $"{replayed}: {replayedText}");
        Assert.Contains("already used", replayedText, StringComparison.Ordinal);
        // One claim object per signature, under the replay prefix, named by a hash (never the signature itself).
        var claim = Assert.Single(emulator.Oss.Keys(Bucket), k => k.StartsWith("fleet/replay/", StringComparison.Ordinal));
        Assert.DoesNotContain(signature.Split("v1=")[1], claim, StringComparison.Ordinal);
        Assert.Contains("shared", a.Output + b.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task WithAReportDirectory_EachProcessRemembersOnlyItsOwn()
    {
        var a = await StartAsync(oss: false);
        var b = await StartAsync(oss: false);
        var signature = ContractSigner.Now(KeyId, Secret, "PUT", Path, Body);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(a, signature)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(a, signature)).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(b, signature)).Status);
    }

    private async Task<BinaryHost> StartAsync(bool oss)
    {
        var folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ackfc-replay-" + Guid.NewGuid().ToString("n"));
        folders.Add(folder);
        var environment = LocalHostEnvironment.For(emulator) with
        {
            PolicyFile = LocalSettings.DefaultPolicy,
            WebhookSecrets = $"{KeyId}:{Secret}",
            OssReportStore = oss ? $"oss://{Bucket}/fleet/" : null,
            ReportDirectory = oss ? null : folder,
        };
        var host = await BinaryHost.StartAsync(fixture.Binary, environment, new Dictionary<string, string> { ["ACKFC_CLOUD_TOTAL_TIMEOUT_SECONDS"] = "15" });
        hosts.Add(host);
        return host;
    }

    private static async Task<(HttpStatusCode Status, string Text)> SendAsync(BinaryHost host, string signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, Path) { Content = new ByteArrayContent(Body) };
        request.Headers.TryAddWithoutValidation(AckFcSignature.HeaderName, signature);
        request.Headers.Add("x-fc-control-path", "/http-invoke");
        using var response = await host.Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
