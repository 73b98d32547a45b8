using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AckFc.AlibabaCloud.Oss;
using AckFc.Core.Compliance;
using AckFc.Core.Reporting;
using AckFc.Core.Signatures;
using AckFc.Functions;
using AckFc.Local.Emulator;
using AckFc.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AckFc.Local.Runner;

/// <summary>The settings of a local run: the emulated region plus the real function host pointed at it.</summary>
/// <param name="FleetFile">A fleet file; null for the demo fleet.</param>
/// <param name="PolicyFile">The policy file.</param>
/// <param name="ReportDirectory">Where reports go (unless <paramref name="ReportsOnOss"/>).</param>
/// <param name="Urls">Where the host listens.</param>
/// <param name="Verbose">The host's log lines too.</param>
/// <param name="ReportsOnOss">Reports go to the emulated OSS.</param>
/// <param name="EventsToHost">The emulator posts its ActionTrail events to the host's <c>/invoke</c>.</param>
/// <param name="EventDelay">How long after its call an event is delivered.</param>
/// <param name="EventDuplicateRate">Share of events delivered twice with the same id.</param>
/// <param name="HostSettings">More host settings (<c>NAME=value</c>), after the local ones (notification channels, say).</param>
/// <param name="NotifyInbox">The host's generic webhook channel posts to the emulator's inbox (<c>/_emulator/notifications</c>).</param>
/// <param name="ConfigureHost">Applied to the host's builder after the local runner's own settings, on every (re)start (tests collect its logs).</param>
public sealed record LocalSettings(
    string? FleetFile, string PolicyFile, string ReportDirectory, string Urls, bool Verbose, bool ReportsOnOss = false,
    bool EventsToHost = false, TimeSpan EventDelay = default, double EventDuplicateRate = 0, IReadOnlyList<string>? HostSettings = null,
    bool NotifyInbox = false, Action<FunctionsApplicationBuilder>? ConfigureHost = null)
{
    /// <summary>The bucket and prefix of the emulated OSS the local runner's reports go to when <see cref="ReportsOnOss"/>.</summary>
    public const string OssBucket = "ackfc-reports";

    public const string OssPrefix = "local/";

    public static string DefaultPolicy => Path.Combine(AppContext.BaseDirectory, "Runner", "demo-policy.yaml");
}

/// <summary>
/// An emulated region with its fleet and the real AckFc host configured the way Function Compute would configure it
/// (environment-style settings), talking to each other over loopback with real signatures.
/// </summary>
public sealed class LocalRun : IAsyncDisposable
{
    private readonly LocalSettings settings;
    private readonly string[] hostArguments;

    private LocalRun(
        LocalSettings settings, string[] hostArguments, RunningEmulator emulator, FunctionsApplication host, string webhookKeyId, string webhookSecret, IReadOnlyList<string> regions)
    {
        this.settings = settings;
        this.hostArguments = hostArguments;
        Emulator = emulator;
        Host = host;
        WebhookKeyId = webhookKeyId;
        WebhookSecret = webhookSecret;
        Regions = regions;
    }

    /// <summary>The access key id the local host signs with (the emulator's usual key is left to people).</summary>
    public const string HostAccessKeyId = "ackfc-local-host-key-id";

    public RunningEmulator Emulator { get; }
    /// <summary>The host instance serving now (<see cref="RestartHostAsync"/> replaces it).</summary>
    public FunctionsApplication Host { get; private set; }

    /// <summary>How many times the host was replaced by a fresh instance.</summary>
    public int HostRestarts { get; private set; }
    public string WebhookKeyId { get; }
    /// <summary>A secret made for this local session only; printed in the sample curl so you can try the webhook.</summary>
    public string WebhookSecret { get; }
    public IReadOnlyList<string> Regions { get; }
    public Uri HostAddress => Host.Address!;

    public static async Task<LocalRun> StartAsync(LocalSettings settings, CancellationToken cancellationToken)
    {
        var emulatorOptions = new EmulatorOptions { EventDelay = settings.EventDelay, EventDuplicateRate = settings.EventDuplicateRate };
        if (settings.FleetFile is not null)
        {
            emulatorOptions.FleetFile = settings.FleetFile;
        }
        else
        {
            emulatorOptions.Fleet = DemoFleet.Create();
        }

        // People (curl, the SDK, the admin surface) sign with the emulator's usual key; the host signs with a key of its
        // own, as AckFc's roles do on Function Compute, so the key guard tells AckFc's own calls from theirs.
        foreach (var credential in emulatorOptions.ResolveCredentials())
        {
            emulatorOptions.Credentials.Add(credential);
        }

        var hostCredential = new EmulatorCredential(HostAccessKeyId, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)))
        {
            Identity = new EmulatorIdentity("assumed-role", "ackfc-guard:local-host"),
        };
        emulatorOptions.Credentials.Add(hostCredential);
        var emulator = await EmulatorHost.StartAsync(emulatorOptions, cancellationToken);
        try
        {
            var regions = emulator.State.Regions;
            var keyId = "local";
            var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            var environment = LocalHostEnvironment.For(emulator) with
            {
                AccessKeyId = hostCredential.AccessKeyId,
                AccessKeySecret = hostCredential.AccessKeySecret,
                SecurityToken = null,
                PolicyFile = settings.PolicyFile,
                ReportDirectory = settings.ReportDirectory,
                WebhookSecrets = $"{keyId}:{secret}",
                Function = "all",
                OssReportStore = settings.ReportsOnOss ? $"oss://{LocalSettings.OssBucket}/{LocalSettings.OssPrefix}" : null,
            };
            // The inbox channel's secret is made here and never printed: the inbox does not check it, the host needs one.
            string[] inbox = settings.NotifyInbox
                ? [$"ACKFC_NOTIFY_WEBHOOK_URL={emulator.Endpoint}/_emulator/notifications", $"ACKFC_NOTIFY_WEBHOOK_SECRET=local:{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24))}"]
                : [];
            string[] arguments = [.. environment.Arguments(), .. inbox, .. settings.HostSettings ?? []];
            var host = await StartHostAsync(arguments, settings.Urls, settings, cancellationToken);
            if (settings.EventsToHost)
            {
                // The host serves every function on one /invoke; it hands CloudEvents to the guard.
                emulator.Events.AddSink(host.Address!);
            }

            return new LocalRun(settings, arguments, emulator, host, keyId, secret, regions);
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Stops the host and starts a fresh instance on the same address with the same settings, as Function Compute starts
    /// a new instance for the next invocation: nothing in memory survives, only what the emulated cloud (OSS) holds.
    /// </summary>
    public async Task RestartHostAsync(CancellationToken cancellationToken)
    {
        var address = Host.Address!;
        await Host.DisposeAsync();
        Host = await StartHostAsync(hostArguments, address.GetLeftPart(UriPartial.Authority), settings, cancellationToken);
        HostRestarts++;
    }

    private static async Task<FunctionsApplication> StartHostAsync(string[] arguments, string urls, LocalSettings settings, CancellationToken cancellationToken)
    {
        var host = FunctionsHost.Build(arguments, builder =>
        {
            builder.Urls = urls;
            builder.Logging.SetMinimumLevel(settings.Verbose ? LogLevel.Information : LogLevel.Warning);
            settings.ConfigureHost?.Invoke(builder);
        });
        await host.StartAsync(cancellationToken);
        return host;
    }

    /// <summary>Fires the compliance function exactly as a Function Compute timer trigger does: <c>POST /invoke</c>.</summary>
    public Task<(ComplianceReport? Report, int Status, string Body)> FireTimerAsync(string payload, DateTimeOffset triggerTime, CancellationToken cancellationToken) =>
        FireTimerAsync(Host, payload, triggerTime, cancellationToken);

    /// <summary>The timer invocation of <see cref="FireTimerAsync(string, DateTimeOffset, CancellationToken)"/> against any started host.</summary>
    internal static async Task<(ComplianceReport? Report, int Status, string Body)> FireTimerAsync(
        FunctionsApplication host, string payload, DateTimeOffset triggerTime, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = host.Address, Timeout = TimeSpan.FromMinutes(30) };
        var body = JsonSerializer.Serialize(new TimerEvent(triggerTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), "daily", payload), LocalJsonContext.Default.TimerEvent);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/invoke") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Headers.Add("x-fc-control-path", "/invoke");
        request.Headers.Add("x-fc-request-id", "local-" + Guid.NewGuid().ToString("n")[..12]);
        request.Headers.Add("x-fc-function-name", "compliance");
        request.Headers.Add("x-fc-function-timeout", "600");
        using var response = await client.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        // The timer's answer is a summary (a failed sweep's too); the full report is read from the store it names.
        ComplianceReport? report = null;
        if (SweepIdOf(text) is { } sweepId)
        {
            report = await host.Services.GetRequiredService<IReportStore>().LoadAsync(sweepId, cancellationToken);
        }

        return (report, (int)response.StatusCode, text);
    }

    private static string? SweepIdOf(string answer)
    {
        try
        {
            using var json = JsonDocument.Parse(answer);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("sweepId", out var id) && id.ValueKind == JsonValueKind.String
                ? id.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A presigned V4 link (one day) to a sweep's HTML report in the emulated OSS; it opens in a browser.</summary>
    public Uri PresignReport(ComplianceReport report)
    {
        var key = OssReportLayout.SetPrefix(LocalSettings.OssPrefix, report.SweepId, report.TriggerTime ?? report.StartedAt) + "report.html";
        var (query, _) = OssV4Signer.Presign(
            "GET", LocalSettings.OssBucket, key, [], [], null, Regions[0], Emulator.Credential.AccessKeyId, Emulator.Credential.AccessKeySecret,
            Emulator.Credential.SecurityToken, DateTimeOffset.UtcNow, TimeSpan.FromDays(1));
        return new Uri($"{Emulator.Endpoint}/{LocalSettings.OssBucket}/{OssV4Signer.UriEncode(key, keepSlash: true)}?{OssV4Signer.EncodeQuery(query)}");
    }

    /// <summary>A ready-to-paste signed curl for the webhook (valid for five minutes, once).</summary>
    public string SampleCurl(string method, string pathAndQuery, string body)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signature = AckFcSignature.Create(WebhookKeyId, WebhookSecret, now, method, pathAndQuery, Encoding.UTF8.GetBytes(body));
        var data = body.Length == 0 ? string.Empty : $" -H 'content-type: application/json' -d '{body}'";
        return $"curl -sS -X {method} '{new Uri(HostAddress, pathAndQuery)}' -H '{AckFcSignature.HeaderName}: {signature}'{data}";
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}

internal sealed record TimerEvent(string TriggerTime, string TriggerName, string Payload);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(TimerEvent))]
internal sealed partial class LocalJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
