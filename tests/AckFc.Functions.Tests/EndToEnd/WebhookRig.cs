using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AckFc.Core.Signatures;
using AckFc.Functions;
using AckFc.Local.Emulator;
using AckFc.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AckFc.Functions.Tests.EndToEnd;

/// <summary>
/// One emulated region (demo fleet) and one or more real AckFc hosts pointed at it, each host's log captured, so a test
/// can see what the host logged (the audit lines above all) next to what reached the emulator. Several hosts against
/// one emulator stand for several Function Compute instances of the webhook.
/// </summary>
public sealed class WebhookRig : IAsyncDisposable
{
    public const string KeyId = "local";

    private readonly string reports;

    private WebhookRig(RunningEmulator emulator, IReadOnlyList<FunctionsApplication> hosts, string secret, string reports)
    {
        Emulator = emulator;
        Hosts = hosts;
        Secret = secret;
        this.reports = reports;
    }

    public RunningEmulator Emulator { get; }

    public IReadOnlyList<FunctionsApplication> Hosts { get; }

    public FunctionsApplication Host => Hosts[0];

    public string Secret { get; }

    /// <param name="hosts">How many hosts (instances) share the emulator.</param>
    /// <param name="emulator">Changes to the emulator's options (updating duration, …).</param>
    /// <param name="settings">
    /// Extra or overriding host settings, <c>NAME=value</c>; <c>{emulator}</c> in a value is the emulator's URL (for
    /// <c>ACKFC_OSS_ENDPOINT</c>, which needs it before the hosts start).
    /// </param>
    public static async Task<WebhookRig> StartAsync(int hosts = 1, Action<EmulatorOptions>? emulator = null, params string[] settings)
    {
        var options = new EmulatorOptions { Fleet = DemoFleet.Create() };
        emulator?.Invoke(options);
        var running = await EmulatorHost.StartAsync(options);
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var reports = Path.Combine(Path.GetTempPath(), "ackfc-stack-" + Guid.NewGuid().ToString("n"));
        var started = new List<FunctionsApplication>();
        try
        {
            for (var i = 0; i < hosts; i++)
            {
                string[] config =
                [
                    $"ACKFC_REGIONS={string.Join(',', running.State.Regions)}",
                    $"ACKFC_CS_ENDPOINT={running.Endpoint}",
                    $"ACKFC_KMS_ENDPOINT={running.Endpoint}",
                    $"ALIBABA_CLOUD_ACCESS_KEY_ID={running.Credential.AccessKeyId}",
                    $"ALIBABA_CLOUD_ACCESS_KEY_SECRET={running.Credential.AccessKeySecret}",
                    $"ACKFC_POLICY={Local.Runner.LocalSettings.DefaultPolicy}",
                    $"ACKFC_REPORT_DIR={reports}",
                    $"ACKFC_WEBHOOK_SECRETS={KeyId}:{secret}",
                    "ACKFC_FUNCTION=all",
                    .. settings.Select(s => s.Replace("{emulator}", running.Endpoint, StringComparison.Ordinal)),
                ];
                var host = FunctionsHost.Build(config, builder =>
                {
                    builder.Urls = "http://127.0.0.1:0";
                    builder.Logging.ClearProviders();
                    builder.Logging.SetMinimumLevel(LogLevel.Information);
                    builder.Logging.AddFakeLogging();
                });
                started.Add(host);
                await host.StartAsync();
            }
        }
        catch
        {
            foreach (var host in started)
            {
                await host.DisposeAsync();
            }

            await running.DisposeAsync();
            throw;
        }

        return new WebhookRig(running, started, secret, reports);
    }

    public HttpClient Client(int host = 0) => new() { BaseAddress = Hosts[host].Address, Timeout = TimeSpan.FromSeconds(60) };

    public string Sign(string method, string pathAndQuery, byte[] body, long? at = null) =>
        Webhook.ContractSigner.Header(KeyId, Secret, at ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds(), method, pathAndQuery, body);

    /// <summary>A signed webhook request as Function Compute's HTTP trigger forwards it.</summary>
    public HttpRequestMessage SignedRequest(string method, string path, string body, string? requestId = null, int? timeoutSeconds = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body.Length > 0)
        {
            request.Content = new ByteArrayContent(bytes);
            request.Content.Headers.ContentType = new("application/json");
        }

        request.Headers.TryAddWithoutValidation(AckFcSignature.HeaderName, Sign(method, path, bytes));
        request.Headers.Add("x-fc-control-path", "/http-invoke");
        if (requestId is not null)
        {
            request.Headers.Add("x-fc-request-id", requestId);
        }

        if (timeoutSeconds is { } seconds)
        {
            request.Headers.Add("x-fc-function-timeout", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return request;
    }

    /// <summary>The raw request head of a signed PUT (for sockets), ending with the blank line.</summary>
    public string SignedHead(string method, string path, byte[] body, string requestId, params string[] extraHeaders)
    {
        var head = new StringBuilder()
            .Append(method).Append(' ').Append(path).Append(" HTTP/1.1\r\n")
            .Append("Host: 127.0.0.1\r\n")
            .Append("x-fc-control-path: /http-invoke\r\n")
            .Append("x-fc-request-id: ").Append(requestId).Append("\r\n")
            .Append("Content-Type: application/json\r\n")
            .Append("Content-Length: ").Append(body.Length).Append("\r\n")
            .Append(AckFcSignature.HeaderName).Append(": ").Append(Sign(method, path, body)).Append("\r\n");
        foreach (var header in extraHeaders)
        {
            head.Append(header).Append("\r\n");
        }

        return head.Append("\r\n").ToString();
    }

    /// <summary>A connected socket to a host.</summary>
    public async Task<TcpClient> ConnectAsync(int host = 0)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(Hosts[host].Address!.Host, Hosts[host].Address!.Port);
        return tcp;
    }

    /// <summary>Sends raw bytes and reads the answer's status line and body (the connection is closed after).</summary>
    public static async Task<(int Status, string Text)> ReadAnswerAsync(NetworkStream stream, TimeSpan within)
    {
        using var cancel = new CancellationTokenSource(within);
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        try
        {
            while (true)
            {
                var read = await stream.ReadAsync(chunk, cancel.Token);
                if (read == 0)
                {
                    break;
                }

                buffer.Write(chunk, 0, read);
                var text = Encoding.UTF8.GetString(buffer.ToArray());
                var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end > 0 && HasWholeBody(text, end))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No complete answer within {within.TotalSeconds:0.#} s; got: {Encoding.UTF8.GetString(buffer.ToArray())}");
        }
        catch (IOException) when (buffer.Length > 0)
        {
            // The server answered and closed (it may reset a connection whose body it did not read).
        }

        var all = Encoding.UTF8.GetString(buffer.ToArray());
        var space = all.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0 || all.Length < space + 4)
        {
            throw new InvalidOperationException($"Not an HTTP answer: '{all}'");
        }

        return (int.Parse(all.AsSpan(space + 1, 3), provider: System.Globalization.CultureInfo.InvariantCulture), all);
    }

    private static bool HasWholeBody(string text, int headEnd)
    {
        var head = text[..headEnd];
        var line = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        if (line is null)
        {
            return head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) ? text.EndsWith("0\r\n\r\n", StringComparison.Ordinal) : true;
        }

        var length = int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        return Encoding.UTF8.GetByteCount(text) - Encoding.UTF8.GetByteCount(text[..(headEnd + 4)]) >= length;
    }

    public IReadOnlyList<FakeLogRecord> Logs(int host = 0) => Hosts[host].Services.GetFakeLogCollector().GetSnapshot();

    /// <summary>The audit records the host logged (<c>AUDIT {json}</c> lines), oldest first.</summary>
    public IReadOnlyList<JsonElement> Audits(int host = 0) =>
        [.. Logs(host).Where(r => r.Message.StartsWith("AUDIT ", StringComparison.Ordinal))
            .Select(r => JsonDocument.Parse(r.Message["AUDIT ".Length..]).RootElement.Clone())];

    public IReadOnlyList<JsonElement> AuditsOf(string requestId, int host = 0) =>
        [.. Audits(host).Where(a => a.GetProperty("requestId").GetString() == requestId)];

    /// <summary>Waits (at most <paramref name="within"/>) until <paramref name="condition"/> holds; fails naming <paramref name="what"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan within, string what)
    {
        var until = DateTime.UtcNow + within;
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"Waited {within.TotalSeconds:0.#} s for {what}.");
            }

            await Task.Delay(25);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Hosts)
        {
            await host.DisposeAsync();
        }

        await Emulator.DisposeAsync();
        if (Directory.Exists(reports))
        {
            Directory.Delete(reports, recursive: true);
        }
    }
}
