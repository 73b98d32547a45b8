using System.Net;
using System.Text;
using System.Text.Json;
using AckFc.Worker;

namespace AckFc.Worker.Tests;

public sealed class EchoHttpFunction : IHttpFunction
{
    [Function("echo")]
    public async Task<HttpResponseData> RunAsync([HttpTrigger("GET", "POST")] HttpRequestData request, FunctionContext context)
    {
        if (request.Path == "/boom")
        {
            throw new InvalidOperationException("secret-internal-detail");
        }

        if (request.Path == "/slow")
        {
            await Task.Delay(TimeSpan.FromSeconds(30), context.CancellationToken);
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string?>
        {
            ["id"] = context.InvocationId,
            ["key"] = context.Credentials?.AccessKeyId,
            ["path"] = request.PathAndQuery,
            ["function"] = context.FunctionName,
            ["deadline"] = context.Deadline?.ToString("O"),
        });
        return new HttpResponseData(200, body);
    }
}

public sealed class EchoTimerFunction : ITimerFunction
{
    [Function("tick")]
    public Task<ResponseBody> RunAsync([TimerTrigger("CRON_TZ=Asia/Shanghai 0 0 3 * * *")] TimerInfo timer, FunctionContext context)
    {
        if (timer.Payload == "fail")
        {
            throw new InvalidOperationException("sweep failed");
        }

        return Task.FromResult<ResponseBody>(Encoding.UTF8.GetBytes($"{{\"name\":\"{timer.TriggerName}\",\"retry\":{context.RetryCount}}}"));
    }
}

/// <summary>The Function Compute custom-runtime contract, driven over loopback with FC-shaped requests.</summary>
public sealed class CustomRuntimeContractTests : IAsyncLifetime
{
    private FunctionsApplication app = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Urls = "http://127.0.0.1:0";
        builder.AddFunction<EchoHttpFunction>().AddFunction<EchoTimerFunction>();
        app = builder.Build();
        await app.StartAsync();
        client = new HttpClient { BaseAddress = app.Address };
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await app.DisposeAsync();
    }

    private static HttpRequestMessage Fc(HttpMethod method, string path, string? controlPath, string? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (controlPath is not null)
        {
            request.Headers.Add("x-fc-control-path", controlPath);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/octet-stream");
        }

        return request;
    }

    [Fact]
    public void Functions_DeclaredInCode_AreListedWithTheirTriggers()
    {
        Assert.Collection(app.Functions.OrderBy(f => f.Name),
            f => Assert.Equal(("echo", TriggerKind.Http, "GET,POST"), (f.Name, f.Trigger, string.Join(',', f.Methods))),
            f => Assert.Equal(("tick", TriggerKind.Timer, "CRON_TZ=Asia/Shanghai 0 0 3 * * *"), (f.Name, f.Trigger, f.Schedule)));
    }

    [Fact]
    public async Task Invoke_TimerEvent_200WithFcStatus()
    {
        using var request = Fc(HttpMethod.Post, "/invoke", "/invoke", """{"triggerTime":"2026-11-28T03:00:00Z","triggerName":"daily","payload":""}""");
        request.Headers.Add("x-fc-retry-count", "2");
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("200", response.Headers.GetValues("x-fc-status").Single());
        Assert.Equal("""{"name":"daily","retry":2}""", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("""{"triggerName":"daily"}""", "triggerTime")]
    [InlineData("""{"triggerTime":"yesterday"}""", "triggerTime")]
    [InlineData("""{"triggerTime":"2026-11-28T03:00:00Z","payload":42}""", "payload")]
    public async Task Invoke_BadEvent_404WithFcStatusNamingTheField(string body, string named)
    {
        using var response = await client.SendAsync(Fc(HttpMethod.Post, "/invoke", "/invoke", body));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("404", response.Headers.GetValues("x-fc-status").Single());
        Assert.Contains(named, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_FunctionThrows_404WithoutInternals()
    {
        using var response = await client.SendAsync(Fc(HttpMethod.Post, "/invoke", "/invoke", """{"triggerTime":"2026-11-28T03:00:00Z","payload":"fail"}"""));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("404", response.Headers.GetValues("x-fc-status").Single());
        Assert.DoesNotContain("sweep failed", text, StringComparison.Ordinal);
        Assert.Contains("errorMessage", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpInvoke_ControlPathHeader_RoutesToHttpFunctionEvenForPathInvoke()
    {
        // A webhook caller may use any path, even /invoke: the header, not the path, decides.
        using var response = await client.SendAsync(Fc(HttpMethod.Post, "/invoke?x=1", "/http-invoke", "{}"));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/invoke?x=1", json.RootElement.GetProperty("path").GetString());
    }

    [Fact]
    public async Task NoControlPath_RoutesByPath()
    {
        using var http = await client.SendAsync(Fc(HttpMethod.Get, "/clusters/x", null));
        using var invoke = await client.SendAsync(Fc(HttpMethod.Post, "/invoke", null, """{"triggerTime":"2026-11-28T03:00:00Z"}"""));

        Assert.Equal(HttpStatusCode.OK, http.StatusCode);
        Assert.Equal("200", invoke.Headers.GetValues("x-fc-status").Single());
    }

    [Fact]
    public async Task LifecycleHooks_Answer2xx()
    {
        using var initialize = await client.SendAsync(Fc(HttpMethod.Post, "/initialize", "/initialize"));
        using var preStop = await client.SendAsync(Fc(HttpMethod.Get, "/pre-stop", "/pre-stop"));

        Assert.Equal(HttpStatusCode.OK, initialize.StatusCode);
        Assert.Equal(HttpStatusCode.OK, preStop.StatusCode);
    }

    [Fact]
    public async Task HttpFunctionThrows_500ProblemWithoutInternals()
    {
        using var response = await client.SendAsync(Fc(HttpMethod.Get, "/boom", "/http-invoke"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.DoesNotContain("secret-internal-detail", text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deadline_FunctionTimeoutHeader_CancelsBeforeTheDeadline()
    {
        using var request = Fc(HttpMethod.Get, "/slow", "/http-invoke");
        request.Headers.Add("x-fc-function-timeout", "3");
        var started = DateTimeOffset.UtcNow;
        using var response = await client.SendAsync(request);

        // The function's token fired (2 s margin before the 3 s deadline), so the host answered instead of hanging 30 s.
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task ConcurrentInvocations_DifferentCredentials_DoNotMix()
    {
        var tasks = Enumerable.Range(0, 20).Select(async i =>
        {
            using var request = Fc(HttpMethod.Get, $"/who/{i}", "/http-invoke");
            request.Headers.Add("x-fc-request-id", $"req-{i}");
            request.Headers.Add("x-fc-access-key-id", $"STS.key-{i}");
            request.Headers.Add("x-fc-access-key-secret", $"secret-{i}");
            request.Headers.Add("x-fc-security-token", $"token-{i}");
            using var response = await client.SendAsync(request);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return (i, Id: json.RootElement.GetProperty("id").GetString(), Key: json.RootElement.GetProperty("key").GetString());
        });

        foreach (var (i, id, key) in await Task.WhenAll(tasks))
        {
            Assert.Equal($"req-{i}", id);
            Assert.Equal($"STS.key-{i}", key);
        }
    }

    [Fact]
    public void FcCredentials_ToString_HidesSecretAndToken()
    {
        var text = new FcCredentials("STS.id", "very-secret-value", "token-value").ToString();

        Assert.Contains("STS.id", text, StringComparison.Ordinal);
        Assert.DoesNotContain("very-secret-value", text, StringComparison.Ordinal);
        Assert.DoesNotContain("token-value", text, StringComparison.Ordinal);
    }
}
