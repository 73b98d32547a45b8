using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AckFc.Local.Runner;
using AckFc.Local.Tests.Emulator;

namespace AckFc.Local.Tests.Guard;

/// <summary>
/// The key guard's real path: the emulated region (a small fleet where one key serves three clusters) posts its
/// ActionTrail events to the real host's <c>/invoke</c>; the host's notifications go to a loopback receiver.
/// </summary>
internal sealed class GuardStack : IAsyncDisposable
{
    public const string Region = "cn-hangzhou";
    public const string SharedKey = "key-guard-shared";
    public const string LonelyKey = "key-guard-lonely";
    public static readonly string[] SharedClusters = ["c-guard-a", "c-guard-b", "c-guard-c"];

    private const string Fleet = """
        accountId: "1000000000000077"
        regions: [cn-hangzhou]
        keys:
          - {keyId: key-guard-shared, regionId: cn-hangzhou, deletionProtection: true, automaticRotation: Enabled, rotationInterval: 31536000s}
          - {keyId: key-guard-lonely, regionId: cn-hangzhou, deletionProtection: true, automaticRotation: Enabled, rotationInterval: 31536000s}
          - {keyId: key-guard-other, regionId: cn-hangzhou, deletionProtection: true, automaticRotation: Enabled, rotationInterval: 31536000s}
        clusters:
          - {clusterId: c-guard-a, name: payments, regionId: cn-hangzhou, tags: {env: prod}, encryption: {kmsKeyId: key-guard-shared}}
          - {clusterId: c-guard-b, name: orders, regionId: cn-hangzhou, tags: {env: prod}, encryption: {kmsKeyId: key-guard-shared}}
          - {clusterId: c-guard-c, name: search, regionId: cn-hangzhou, tags: {env: prod}, encryption: {kmsKeyId: key-guard-shared}}
          - {clusterId: c-guard-d, name: batch, regionId: cn-hangzhou, tags: {env: dev}, encryption: {kmsKeyId: key-guard-other}}
        """;

    private const string Policy = """
        version: 1
        encryption:
          required:
            clusterSpecs: ["ack.pro.*"]
          neverDisable:
            all: true
        keys:
          requireDeletionProtection: true
          requireRotation: true
        guard:
          actions: {enableKey: true, cancelKeyDeletion: true}
          enforcement:
            default: enforce
          maxActionsPerHour: 100
        enforcement:
          default: enforce
        """;

    public const string NotifySecret = "guard-e2e-notify-secret-7f3a-0123456789abcdef";

    private readonly string folder;
    private readonly EventSink receiver;

    private GuardStack(string folder, EventSink receiver, LocalRun stack)
    {
        this.folder = folder;
        this.receiver = receiver;
        Stack = stack;
    }

    public LocalRun Stack { get; }

    /// <summary>Bodies of the notifications the host sent, in arrival order.</summary>
    public IReadOnlyList<string> Notifications => [.. receiver.Received.Select(r => r.Body)];

    /// <summary>The guard alerts among the notifications (webhook channel JSON, <c>kind: guard</c>).</summary>
    public IReadOnlyList<JsonElement> Alerts() =>
        [.. Notifications.Select(n => JsonDocument.Parse(n).RootElement).Where(n => n.TryGetProperty("kind", out var k) && k.GetString() == "guard")];

    public static async Task<GuardStack> StartAsync(double duplicateRate = 0)
    {
        var folder = Path.Combine(Path.GetTempPath(), "ackfc-guard-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "fleet.yaml"), Fleet);
        await File.WriteAllTextAsync(Path.Combine(folder, "policy.yaml"), Policy);

        var receiver = await EventSink.StartAsync();
        var address = receiver.Address.GetLeftPart(UriPartial.Authority);
        var stack = await LocalRun.StartAsync(
            new LocalSettings(
                Path.Combine(folder, "fleet.yaml"), Path.Combine(folder, "policy.yaml"), Path.Combine(folder, "reports"), "http://127.0.0.1:0", false,
                EventsToHost: true, EventDuplicateRate: duplicateRate,
                HostSettings: [$"ACKFC_NOTIFY_WEBHOOK_URL={address}/hook", $"ACKFC_NOTIFY_WEBHOOK_SECRET=notify:{NotifySecret}"]),
            CancellationToken.None);
        return new GuardStack(folder, receiver, stack);
    }

    /// <summary>Waits until the host answered every delivery of the events emitted so far.</summary>
    public Task DeliveredAsync(int deliveries) =>
        Wait.UntilAsync(() => Stack.Emulator.Events.GetDeliveries().Count >= deliveries, $"{deliveries} event deliveries answered by the host", timeout: TimeSpan.FromSeconds(60));

    /// <summary>Posts one event body to the host's <c>/invoke</c> the way Function Compute does; the status and the answer.</summary>
    public async Task<(int Status, string FcStatus, string Body)> InvokeAsync(string body)
    {
        using var client = new HttpClient { BaseAddress = Stack.HostAddress, Timeout = TimeSpan.FromSeconds(60) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/invoke") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Headers.Add("x-fc-control-path", "/invoke");
        request.Headers.Add("x-fc-request-id", "guard-e2e-" + Guid.NewGuid().ToString("n")[..12]);
        using var response = await client.SendAsync(request);
        var fc = response.Headers.TryGetValues("x-fc-status", out var values) ? string.Join(",", values) : "";
        return ((int)response.StatusCode, fc, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await Stack.DisposeAsync();
        await receiver.DisposeAsync();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
