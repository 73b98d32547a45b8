using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using AckFc.AlibabaCloud;
using AckFc.Core.Signatures;
using AckFc.Functions.Tests.Webhook;
using AckFc.Local.Emulator;
using AckFc.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Xunit.Abstractions;

namespace AckFc.Functions.Tests.SecretHygiene;

/// <summary>
/// Every flow of the real host against the emulated region, with a distinctive value for every secret AckFc holds:
/// the environment's access key secret and STS token, Function Compute's per-invocation STS credentials, the webhook
/// signing secret, the chat robots' URL tokens and signing secrets, the outgoing webhook secret, and wrong secrets
/// the cloud rejects. Then every log record (all levels and categories, with state, scopes and exceptions), all that
/// reached the process's stdout and stderr, every answer (status, headers, body), every report file and every
/// notification delivered is scanned: none of them may carry any piece of any secret.
/// </summary>
public sealed class SecretHygieneTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string WebhookKeyId = "ops";

    private readonly SecretCanaries canaries = new();
    private readonly Transcript transcript = new();
    private readonly string reports = Path.Combine(Path.GetTempPath(), "ackfc-secrets-" + Guid.NewGuid().ToString("n"));
    private RunningEmulator emulator = null!;
    private WebApplication receiver = null!;
    private readonly List<string> deliveredUrls = [];

    private string EnvSecret => canaries.All["env-secret"];
    private string EnvToken => canaries.All["env-sts-token"];
    private string FcSecret => canaries.All["fc-secret"];
    private string FcToken => canaries.All["fc-sts-token"];
    private string WebhookSecret => canaries.All["webhook-secret"];

    public async Task InitializeAsync()
    {
        canaries.New("env-secret");
        canaries.New("env-sts-token");
        canaries.New("fc-secret");
        canaries.New("fc-sts-token");
        canaries.New("webhook-secret");
        canaries.New("dingtalk-token");
        canaries.New("dingtalk-secret", prefix: "SEC");
        canaries.New("lark-hook");
        canaries.New("lark-secret");
        canaries.New("slack-hook");
        canaries.New("notify-webhook-secret");
        canaries.New("wrong-secret");
        canaries.New("wrong-sts-token");

        var options = new EmulatorOptions { Fleet = DemoFleet.Create(), UpdatingDuration = TimeSpan.Zero };
        options.Credentials.Add(new EmulatorCredential("LTAIenvironmentKey01", EnvSecret, EnvToken));
        options.Credentials.Add(new EmulatorCredential("STS.functionRole01", FcSecret, FcToken));
        emulator = await EmulatorHost.StartAsync(options);
        receiver = await StartReceiverAsync();
    }

    public async Task DisposeAsync()
    {
        await receiver.DisposeAsync();
        await emulator.DisposeAsync();
        if (Directory.Exists(reports))
        {
            Directory.Delete(reports, recursive: true);
        }
    }

    [Fact]
    public async Task EveryFlow_NoSecretInLogsAnswersReportsOrNotifications()
    {
        // Open before the hosts are built: their console loggers take Console.Out then.
        using var console = ConsoleCapture.Begin();
        await using (var host = await StartHostAsync(EnvSecret))
        {
            await TimerFlowsAsync(host);
            await WebhookFlowsAsync(host);
            await CloudFailureFlowsAsync(host);
            Collect(host);
        }

        // A host whose own secret is wrong: every call is refused by the cloud, and that refusal is reported.
        await using (var wrong = await StartHostAsync(canaries.All["wrong-secret"]))
        {
            using var sweep = await InvokeTimerAsync(wrong, "{\"mode\":\"report\"}", DateTimeOffset.UtcNow.AddDays(-1), credentials: null);
            await transcript.AddAsync("timer answer (wrong access key secret)", sweep);
            // Every region refused: the report is written and the invocation counts as failed (404 + x-fc-status).
            Assert.Equal(HttpStatusCode.NotFound, sweep.StatusCode);
            using var get = await SignedAsync(wrong, "GET", "/clusters/c-demo-hz-orders/kms", string.Empty);
            await transcript.AddAsync("webhook GET (wrong access key secret)", get);
            Assert.Equal(HttpStatusCode.BadGateway, get.StatusCode);
            Collect(wrong);
        }

        Assert.True(emulator.State.GetCalls().Any(c => c.ErrorCode == "SignatureDoesNotMatch"), "the wrong secret was never presented to the cloud");
        transcript.AddFiles(reports);
        await StartupErrorsAsync();

        // Not only ILogger records: whatever reached the process's stdout and stderr (the JSON console log, the
        // Function Compute log lines, anything printed directly).
        var printed = console.Text;
        Assert.Contains("FC Invoke Start RequestId:", printed, StringComparison.Ordinal);
        transcript.Add("stdout and stderr of the test process", printed);

        // The canaries were used: the cloud accepted both credential sets, the robots got their calls.
        Assert.Contains(emulator.State.GetCalls(), c => c.AccessKeyId == "STS.functionRole01" && c.Status == 200);
        Assert.Contains(emulator.State.GetCalls(), c => c.AccessKeyId == "LTAIenvironmentKey01" && c.Status == 200);
        lock (deliveredUrls)
        {
            Assert.Contains(deliveredUrls, u => u.Contains(canaries.All["dingtalk-token"], StringComparison.Ordinal));
            Assert.Contains(deliveredUrls, u => u.Contains(canaries.All["lark-hook"], StringComparison.Ordinal));
            Assert.Contains(deliveredUrls, u => u.Contains(canaries.All["slack-hook"], StringComparison.Ordinal));
        }

        var texts = transcript.Snapshot();
        output.WriteLine($"Scanned {texts.Count} texts ({texts.Sum(t => t.Text.Length):N0} characters) for {canaries.All.Count} secrets.");
        var leaks = canaries.FindIn(texts);
        Assert.True(leaks.Count == 0, "Secrets leaked:\n" + string.Join('\n', leaks));
    }

    [Fact]
    public void Scan_FindsAPlantedSecretAndAPieceOfOne()
    {
        var secret = canaries.New("planted");
        var found = canaries.FindIn([("whole", $"x {secret} y"), ("piece", "Body starts: {\"k\":\"" + secret[..14]), ("clean", "nothing here")]);

        Assert.Equal(2, found.Count(l => l.StartsWith("planted", StringComparison.Ordinal)));
        Assert.DoesNotContain(found, l => l.Contains("in clean", StringComparison.Ordinal));
    }

    private async Task TimerFlowsAsync(FunctionsApplication host)
    {
        // Function Compute's per-invocation STS credentials, report then remediate, and the remediate retried.
        var trigger = DateTimeOffset.UtcNow.AddHours(-2);
        foreach (var (mode, at) in new[] { ("report", trigger), ("remediate", trigger.AddHours(1)), ("remediate", trigger.AddHours(1)) })
        {
            using var answer = await InvokeTimerAsync(host, $"{{\"mode\":\"{mode}\"}}", at, ("STS.functionRole01", FcSecret, FcToken));
            await transcript.AddAsync($"timer answer ({mode}, FC credentials)", answer);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        // The environment's credentials (no x-fc-access-key-* headers).
        using var env = await InvokeTimerAsync(host, "{\"mode\":\"report\"}", DateTimeOffset.UtcNow, credentials: null);
        await transcript.AddAsync("timer answer (environment credentials)", env);
        Assert.Equal(HttpStatusCode.OK, env.StatusCode);

        // A token the cloud rejects, and a payload that is not a sweep request.
        using var badToken = await InvokeTimerAsync(host, "{\"mode\":\"report\"}", DateTimeOffset.UtcNow.AddMinutes(1), ("STS.functionRole01", FcSecret, canaries.All["wrong-sts-token"]));
        await transcript.AddAsync("timer answer (rejected STS token)", badToken);
        using var badPayload = await InvokeTimerAsync(host, "{\"mode\":\"sideways\"}", DateTimeOffset.UtcNow, ("STS.functionRole01", FcSecret, FcToken));
        Assert.Equal(HttpStatusCode.NotFound, badPayload.StatusCode);
        await transcript.AddAsync("timer answer (bad payload)", badPayload);
    }

    private async Task WebhookFlowsAsync(FunctionsApplication host)
    {
        var requests = new (string Method, string Path, string Body)[]
        {
            ("GET", "/clusters/c-demo-hz-orders/kms", ""),
            ("PUT", "/clusters/c-demo-hz-analytics/kms", """{"kms_key_id":"key-demo-hz-spare","dry_run":true}"""),
            ("PUT", "/clusters/c-demo-hz-analytics/kms", """{"kms_key_id":"key-demo-hz-spare","reason":"hygiene"}"""),
            ("PUT", "/clusters/c-demo-hz-payments/kms", """{"disable_encryption":true}"""),
            ("PUT", "/clusters/c-demo-sh-web/kms", """{"kms_key_id":"key-demo-sh-acs-ecs"}"""),
            ("PUT", "/clusters/c-doesnotexist/kms", """{"kms_key_id":"key-demo-hz-spare"}"""),
            ("PUT", "/clusters/c-demo-hz-analytics/kms", """{"kms_key_id":42}"""),
            ("POST", "/sweeps", """{"mode":"report"}"""),
            ("POST", "/nowhere", "{}"),
        };
        foreach (var (method, path, body) in requests)
        {
            using var answer = await SignedAsync(host, method, path, body);
            await transcript.AddAsync($"webhook {method} {path}", answer);
        }

        // Unsigned, signed with a wrong secret, replayed, stale, oversized.
        using var client = new HttpClient { BaseAddress = host.Address };
        using (var unsigned = await client.SendAsync(Request("PUT", "/clusters/c-demo-hz-analytics/kms", "{}", signature: null)))
        {
            await transcript.AddAsync("webhook unsigned", unsigned);
        }

        var forgedBody = Encoding.UTF8.GetBytes("""{"kms_key_id":"key-demo-hz-spare"}""");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var forged = ContractSigner.Header(WebhookKeyId, canaries.All["wrong-secret"], now, "PUT", "/clusters/c-demo-hz-analytics/kms", forgedBody);
        using (var wrong = await client.SendAsync(Request("PUT", "/clusters/c-demo-hz-analytics/kms", Encoding.UTF8.GetString(forgedBody), forged)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            await transcript.AddAsync("webhook wrong secret", wrong);
        }

        var valid = ContractSigner.Header(WebhookKeyId, WebhookSecret, now, "GET", "/clusters/c-demo-hz-orders/kms", []);
        for (var i = 0; i < 2; i++)
        {
            using var replay = await client.SendAsync(Request("GET", "/clusters/c-demo-hz-orders/kms", string.Empty, valid));
            await transcript.AddAsync($"webhook replay {i}", replay);
        }

        var stale = ContractSigner.Header(WebhookKeyId, WebhookSecret, now - 900, "GET", "/clusters/c-demo-hz-orders/kms", []);
        using (var old = await client.SendAsync(Request("GET", "/clusters/c-demo-hz-orders/kms", string.Empty, stale)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
            await transcript.AddAsync("webhook stale", old);
        }

        using var big = await SignedAsync(host, "PUT", "/clusters/c-demo-hz-analytics/kms", "{\"reason\":\"" + new string('x', 70_000) + "\"}");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
        await transcript.AddAsync("webhook oversized", big);
    }

    private async Task CloudFailureFlowsAsync(FunctionsApplication host)
    {
        // The cloud fails every call (503s, then garbage bodies): problem answers and report errors quote the cloud.
        var profiles = new[] { new FaultProfile { ServiceUnavailableRate = 1 }, new FaultProfile { MalformedBodyRate = 1 }, new FaultProfile { QpsLimit = 1, RetryAfterMilliseconds = 1 } };
        for (var i = 0; i < profiles.Length; i++)
        {
            var profile = profiles[i];
            emulator.State.Faults.Set(FaultSettings.AllActions, profile);
            using var get = await SignedAsync(host, "GET", "/clusters/c-demo-hz-orders/kms", string.Empty);
            await transcript.AddAsync("webhook GET (cloud failing)", get);
            using var put = await SignedAsync(host, "PUT", "/clusters/c-demo-hz-analytics/kms", """{"kms_key_id":"key-demo-hz-spare","dry_run":true}""");
            await transcript.AddAsync("webhook PUT (cloud failing)", put);
            using var sweep = await InvokeTimerAsync(host, "{\"mode\":\"report\"}", DateTimeOffset.UtcNow.AddMinutes(10 + i), ("STS.functionRole01", FcSecret, FcToken));
            await transcript.AddAsync("timer answer (cloud failing)", sweep);
        }

        emulator.State.Faults.Clear();
    }

    /// <summary>Settings that carry secrets, each wrong in its own way: the start-up error names the setting, not the value.</summary>
    private async Task StartupErrorsAsync()
    {
        var bad = new (string Name, string Value)[]
        {
            ("ACKFC_WEBHOOK_SECRETS", "ops:" + canaries.All["wrong-secret"][..20]),
            ("ACKFC_WEBHOOK_SECRETS", canaries.All["wrong-secret"]),
            ("ACKFC_WEBHOOK_SECRETS", $"o ps:{canaries.All["wrong-secret"]}"),
            ("ACKFC_NOTIFY_DINGTALK_URL", "ftp://example.com/robot/send?access_token=" + canaries.All["dingtalk-token"]),
            ("ACKFC_NOTIFY_SLACK_URL", "http://hooks.example.com/services/" + canaries.All["slack-hook"]),
            ("ACKFC_NOTIFY_WEBHOOK_SECRET", canaries.All["notify-webhook-secret"]),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", EnvSecret + "\n"),
        };
        foreach (var (name, value) in bad)
        {
            var config = Settings(EnvSecret).Where(s => !s.StartsWith(name + "=", StringComparison.Ordinal)).Append($"{name}={value}").ToArray();
            try
            {
                await using var host = FunctionsHost.Build(config, b => b.Urls = "http://127.0.0.1:0");
                var credentials = host.Services.CreateScope().ServiceProvider.GetRequiredService<AlibabaCloud.Credentials.ICredentialsProvider>().GetCredentials();
                transcript.Add($"credentials ToString ({name})", credentials.ToString());
            }
            catch (Exception e)
            {
                transcript.Add($"start-up error ({name})", e.ToString());
            }
        }

        // The credentials file: a profile with a secret but a broken line, and one that works.
        var file = Path.Combine(reports, "credentials.ini");
        Directory.CreateDirectory(reports);
        File.WriteAllText(file, $"[default]\ntype = access_key\naccess_key_id = LTAIfileKey\naccess_key_secret {canaries.All["wrong-secret"]}\n");
        foreach (var profile in new[] { "default", "missing" })
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ALIBABA_CLOUD_CREDENTIALS_FILE"] = file,
                ["ALIBABA_CLOUD_PROFILE"] = profile,
                ["ACKFC_REGIONS"] = "cn-hangzhou",
            }).Build();
            try
            {
                using var services = new ServiceCollection().AddLogging().AddAlibabaCloud(configuration).BuildServiceProvider();
                using var scope = services.CreateScope();
                transcript.Add("credentials file", scope.ServiceProvider.GetRequiredService<AlibabaCloud.Credentials.ICredentialsProvider>().GetCredentials().ToString());
            }
            catch (Exception e)
            {
                transcript.Add($"credentials file error ({profile})", e.ToString());
            }
        }

        transcript.Add("FcCredentials ToString", new FcCredentials("STS.functionRole01", FcSecret, FcToken).ToString());
        transcript.Add("EmulatorCredential ToString", new EmulatorCredential("LTAIenvironmentKey01", EnvSecret, EnvToken).ToString());
    }

    private string[] Settings(string accessKeySecret)
    {
        var receiverUrl = receiver.Urls.First();
        return
        [
            $"ACKFC_REGIONS={string.Join(',', emulator.State.Regions)}",
            $"ACKFC_CS_ENDPOINT={emulator.Endpoint}",
            $"ACKFC_KMS_ENDPOINT={emulator.Endpoint}",
            "ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIenvironmentKey01",
            $"ALIBABA_CLOUD_ACCESS_KEY_SECRET={accessKeySecret}",
            $"ALIBABA_CLOUD_SECURITY_TOKEN={EnvToken}",
            $"ACKFC_POLICY={Local.Runner.LocalSettings.DefaultPolicy}",
            $"ACKFC_REPORT_DIR={reports}",
            $"ACKFC_WEBHOOK_SECRETS={WebhookKeyId}:{WebhookSecret}",
            "ACKFC_FUNCTION=all",
            "ACKFC_NOTIFY_MODE=always",
            "ACKFC_NOTIFY_ATTEMPTS=2",
            "ACKFC_NOTIFY_RETRY_DELAY_MS=0",
            "ACKFC_CLOUD_MAX_ATTEMPTS=2",
            "ACKFC_CLOUD_RETRY_BASE_DELAY_SECONDS=0",
            $"ACKFC_NOTIFY_DINGTALK_URL={receiverUrl}/robot/send?access_token={canaries.All["dingtalk-token"]}",
            $"ACKFC_NOTIFY_DINGTALK_SECRET={canaries.All["dingtalk-secret"]}",
            $"ACKFC_NOTIFY_LARK_URL={receiverUrl}/open-apis/bot/v2/hook/{canaries.All["lark-hook"]}",
            $"ACKFC_NOTIFY_LARK_SECRET={canaries.All["lark-secret"]}",
            $"ACKFC_NOTIFY_SLACK_URL={receiverUrl}/services/T000/B000/{canaries.All["slack-hook"]}",
            $"ACKFC_NOTIFY_WEBHOOK_URL={receiverUrl}/failing-hook?token={canaries.All["slack-hook"]}",
            $"ACKFC_NOTIFY_WEBHOOK_SECRET=notify:{canaries.All["notify-webhook-secret"]}",
        ];
    }

    private async Task<FunctionsApplication> StartHostAsync(string accessKeySecret)
    {
        var host = FunctionsHost.Build(Settings(accessKeySecret), builder =>
        {
            builder.Urls = "http://127.0.0.1:0";
            // Every record of every category at every level, whatever the configured filters say.
            builder.Logging.AddFakeLogging();
            builder.Logging.AddFilter<FakeLoggerProvider>(null, LogLevel.Trace);
        });
        await host.StartAsync();
        return host;
    }

    private void Collect(FunctionsApplication host)
    {
        var records = host.Services.GetFakeLogCollector().GetSnapshot();
        Assert.NotEmpty(records);
        foreach (var record in records)
        {
            var text = new StringBuilder().Append(record.Category).Append(' ').Append(record.Level).Append(": ").Append(record.Message).Append('\n');
            foreach (var (key, value) in record.StructuredState ?? [])
            {
                text.Append(key).Append('=').Append(value).Append('\n');
            }

            foreach (var scope in record.Scopes)
            {
                text.Append("scope ").Append(scope is IEnumerable<KeyValuePair<string, object>> pairs ? string.Join(", ", pairs) : scope?.ToString()).Append('\n');
            }

            text.Append(record.Exception);
            transcript.Add($"log {record.Category} {record.Level}", text.ToString());
        }

        output.WriteLine($"{records.Count} log records captured from one host.");
    }

    private static async Task<HttpResponseMessage> InvokeTimerAsync(
        FunctionsApplication host, string payload, DateTimeOffset triggerTime, (string Id, string Secret, string? Token)? credentials)
    {
        using var client = new HttpClient { BaseAddress = host.Address, Timeout = TimeSpan.FromMinutes(2) };
        var body = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["triggerTime"] = triggerTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["triggerName"] = "daily",
            ["payload"] = payload,
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/invoke") { Content = new StringContent(body, Encoding.UTF8, "application/octet-stream") };
        request.Headers.Add("x-fc-control-path", "/invoke");
        request.Headers.Add("x-fc-request-id", Guid.NewGuid().ToString("n"));
        request.Headers.Add("x-fc-function-timeout", "120");
        if (credentials is var (id, secret, token))
        {
            request.Headers.Add("x-fc-access-key-id", id);
            request.Headers.Add("x-fc-access-key-secret", secret);
            if (token is not null)
            {
                request.Headers.Add("x-fc-security-token", token);
            }
        }

        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private async Task<HttpResponseMessage> SignedAsync(FunctionsApplication host, string method, string path, string body)
    {
        using var client = new HttpClient { BaseAddress = host.Address, Timeout = TimeSpan.FromMinutes(2) };
        var signature = ContractSigner.Header(WebhookKeyId, WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), method, path, Encoding.UTF8.GetBytes(body));
        var response = await client.SendAsync(Request(method, path, body, signature));
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static HttpRequestMessage Request(string method, string path, string body, string? signature)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body.Length > 0)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation(AckFcSignature.HeaderName, signature);
        }

        request.Headers.Add("x-fc-control-path", "/http-invoke");
        return request;
    }

    /// <summary>
    /// The chat robots and the outgoing webhook. What AckFc sends them (body and headers) is scanned; only the URL may
    /// carry the robot's token. The generic webhook fails, echoing the token in its error as some services do.
    /// </summary>
    private async Task<WebApplication> StartReceiverAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var headers = string.Join('\n', context.Request.Headers.Select(h => $"{h.Key}: {h.Value}"));
            lock (deliveredUrls)
            {
                deliveredUrls.Add(context.Request.Path + context.Request.QueryString);
            }

            transcript.Add($"delivered to {context.Request.Path.Value?.Split('/')[1]}", headers + "\n" + body);
            if (context.Request.Path.StartsWithSegments("/failing-hook", StringComparison.Ordinal))
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                await context.Response.WriteAsync($"{{\"error\":\"bad token {context.Request.QueryString}\"}}");
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(context.Request.Path.StartsWithSegments("/robot", StringComparison.Ordinal) ? "{\"errcode\":0,\"errmsg\":\"ok\"}" : "{\"code\":0,\"msg\":\"ok\"}");
        });
        await app.StartAsync();
        return app;
    }
}
