using System.Net;
using System.Text;
using System.Text.Json;

namespace AckFc.Worker.Tests;

public sealed class EchoEventFunction : IEventFunction
{
    public const string Pattern = """{"type":["kms:ActionTrail:ApiCall"],"data":{"eventName":["DisableKey"]}}""";

    [Function("events")]
    public Task<ResponseBody> RunAsync([EventBridgeTrigger(Pattern)] EventInfo cloudEvent, FunctionContext context)
    {
        var text = Encoding.UTF8.GetString(cloudEvent.Body.Span);
        if (text.Contains("fail-me", StringComparison.Ordinal))
        {
            throw new EventFailedException("GuardFailed", "DescribeKey failed for event e-1.", Encoding.UTF8.GetBytes("""{"events":[{"decision":"failed"}],"failed":true}"""));
        }

        if (text.Contains("bad-me", StringComparison.Ordinal))
        {
            throw new InvalidEventException("The event has no data object.");
        }

        return Task.FromResult<ResponseBody>(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string?>
        {
            ["kind"] = "event",
            ["body"] = Convert.ToBase64String(cloudEvent.Body.Span),
            ["key"] = context.Credentials?.AccessKeyId,
            ["function"] = context.FunctionName,
        }));
    }
}

public sealed class SecondEventFunction : IEventFunction
{
    [Function("more-events")]
    public Task<ResponseBody> RunAsync([EventBridgeTrigger("{}")] EventInfo cloudEvent, FunctionContext context) => Task.FromResult(ResponseBody.Empty);
}

public sealed class BadPatternEventFunction : IEventFunction
{
    [Function("bad-pattern")]
    public Task<ResponseBody> RunAsync([EventBridgeTrigger("""["kms:ActionTrail:ApiCall"]""")] EventInfo cloudEvent, FunctionContext context) => Task.FromResult(ResponseBody.Empty);
}

public sealed class NotJsonPatternEventFunction : IEventFunction
{
    [Function("not-json-pattern")]
    public Task<ResponseBody> RunAsync([EventBridgeTrigger("{type: kms}")] EventInfo cloudEvent, FunctionContext context) => Task.FromResult(ResponseBody.Empty);
}

/// <summary>The EventBridge trigger in the worker: metadata, <c>/invoke</c> dispatch beside the timer, failure mapping.</summary>
public sealed class EventBridgeDispatchTests
{
    private const string TimerEvent = """{"triggerTime":"2026-11-28T03:00:00Z","triggerName":"daily","payload":""}""";
    private const string CloudEvent = """{"id":"e-1","source":"acs.kms","specversion":"1.0","type":"kms:ActionTrail:ApiCall","data":{"eventName":"DisableKey"}}""";

    private static async Task<(FunctionsApplication App, HttpClient Client)> StartAsync(Action<FunctionsApplicationBuilder> register, TextWriter? output = null)
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Urls = "http://127.0.0.1:0";
        builder.Output = output ?? TextWriter.Null;
        register(builder);
        var app = builder.Build();
        await app.StartAsync();
        return (app, new HttpClient { BaseAddress = app.Address });
    }

    private static HttpRequestMessage Invoke(string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/invoke") { Content = new StringContent(body, Encoding.UTF8, "application/octet-stream") };
        request.Headers.Add("x-fc-control-path", "/invoke");
        request.Headers.Add("x-fc-request-id", "req-eb-1");
        return request;
    }

    private static async Task<(HttpResponseMessage Response, JsonDocument Json)> SendAsync(HttpClient client, string body)
    {
        var response = await client.SendAsync(Invoke(body));
        return (response, JsonDocument.Parse(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Functions_EventBridgeFunction_IsListedWithItsPattern()
    {
        var (app, client) = await StartAsync(b => b.AddFunction<EchoTimerFunction>().AddFunction<EchoEventFunction>());
        await using (app)
        using (client)
        {
            var events = Assert.Single(app.Functions, f => f.Name == "events");
            var timer = Assert.Single(app.Functions, f => f.Name == "tick");

            Assert.Equal(TriggerKind.EventBridge, events.Trigger);
            Assert.Equal(EchoEventFunction.Pattern, events.FilterPattern);
            Assert.Null(events.Schedule);
            Assert.Empty(events.Routes);
            Assert.Null(timer.FilterPattern);
        }
    }

    [Theory]
    [InlineData(CloudEvent, true)]
    [InlineData("""  [{"specversion":"1.0"}]""", true)]
    [InlineData("[]", true)]
    [InlineData("""{"data":{"nested":[1,{"a":2}]},"type":"x","specversion":"1.0"}""", true)]
    [InlineData("\uFEFF{\"specversion\":\"1.0\"}", true)]
    [InlineData(TimerEvent, false)]
    [InlineData("""{"triggerTime":"2026-11-28T03:00:00Z","data":{"specversion":"1.0"}}""", false)]
    [InlineData("""{"SpecVersion":"1.0"}""", false)]
    [InlineData("""{"specversion" "1.0"}""", false)]
    [InlineData("not json", false)]
    [InlineData("\"specversion\"", false)]
    [InlineData("", false)]
    public void IsCloudEventShaped_OnlyTopLevelSpecversionOrAnArray(string body, bool expected)
    {
        Assert.Equal(expected, EventInfo.IsCloudEventShaped(Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public async Task Invoke_CloudEvent_GoesToTheEventFunctionWithTheBodyAsSent()
    {
        var (app, client) = await StartAsync(b => b.AddFunction<EchoTimerFunction>().AddFunction<EchoEventFunction>());
        await using (app)
        using (client)
        {
            using var request = Invoke(CloudEvent);
            request.Headers.Add("x-fc-access-key-id", "STS.guard-key");
            request.Headers.Add("x-fc-access-key-secret", "guard-secret");
            using var response = await client.SendAsync(request);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("200", response.Headers.GetValues("x-fc-status").Single());
            Assert.Equal("event", json.RootElement.GetProperty("kind").GetString());
            Assert.Equal(CloudEvent, Encoding.UTF8.GetString(Convert.FromBase64String(json.RootElement.GetProperty("body").GetString()!)));
            Assert.Equal("STS.guard-key", json.RootElement.GetProperty("key").GetString());
            Assert.Equal("events", json.RootElement.GetProperty("function").GetString());
        }
    }

    [Fact]
    public async Task Invoke_TopLevelArray_GoesToTheEventFunction()
    {
        var (app, client) = await StartAsync(b => b.AddFunction<EchoTimerFunction>().AddFunction<EchoEventFunction>());
        await using (app)
        using (client)
        {
            var (response, json) = await SendAsync(client, "[" + CloudEvent + "," + CloudEvent + "]");
            using (response)
            using (json)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("event", json.RootElement.GetProperty("kind").GetString());
            }
        }
    }

    [Fact]
    public async Task Invoke_TimerEvent_StillGoesToTheTimerBesideAnEventFunction()
    {
        var (app, client) = await StartAsync(b => b.AddFunction<EchoEventFunction>().AddFunction<EchoTimerFunction>());
        await using (app)
        using (client)
        {
            var (response, json) = await SendAsync(client, TimerEvent);
            using (response)
            using (json)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("daily", json.RootElement.GetProperty("name").GetString());
            }
        }
    }

    [Fact]
    public async Task Invoke_OnlyAnEventFunction_GetsEveryBody()
    {
        var (app, client) = await StartAsync(b => b.AddFunction<EchoEventFunction>());
        await using (app)
        using (client)
        {
            // No timer to fall back to: the event function judges even a body that is not a CloudEvent.
            var (response, json) = await SendAsync(client, TimerEvent);
            using (response)
            using (json)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("event", json.RootElement.GetProperty("kind").GetString());
            }
        }
    }

    [Fact]
    public async Task Invoke_OnlyATimer_ACloudEventIsRefusedAsATimerEvent()
    {
        var (app, client) = await StartAsync(b => b.AddFunction<EchoTimerFunction>());
        await using (app)
        using (client)
        {
            var (response, json) = await SendAsync(client, CloudEvent);
            using (response)
            using (json)
            {
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                Assert.Equal("404", response.Headers.GetValues("x-fc-status").Single());
                Assert.Equal("InvalidEvent", json.RootElement.GetProperty("errorType").GetString());
                Assert.Contains("triggerTime", json.RootElement.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Invoke_EventFunctionFails_404WithFcStatusAndItsOwnBody()
    {
        var (app, client) = await StartAsync(b => b.AddFunction<EchoTimerFunction>().AddFunction<EchoEventFunction>());
        await using (app)
        using (client)
        {
            var (response, json) = await SendAsync(client, CloudEvent.Replace("DisableKey", "fail-me", StringComparison.Ordinal));
            using (response)
            using (json)
            {
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                Assert.Equal("404", response.Headers.GetValues("x-fc-status").Single());
                Assert.True(json.RootElement.GetProperty("failed").GetBoolean());
            }
        }
    }

    [Fact]
    public async Task Invoke_EventFunctionRefusesTheEvent_404InvalidEventWithItsMessageAndOneWarning()
    {
        var lines = new LineRecorder();
        var (app, client) = await StartAsync(b => b.AddFunction<EchoTimerFunction>().AddFunction<EchoEventFunction>(), lines);
        await using (app)
        using (client)
        {
            var (response, json) = await SendAsync(client, CloudEvent.Replace("DisableKey", "bad-me", StringComparison.Ordinal));
            using (response)
            using (json)
            {
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                Assert.Equal("404", response.Headers.GetValues("x-fc-status").Single());
                Assert.Equal("InvalidEvent", json.RootElement.GetProperty("errorType").GetString());
                Assert.Equal("The event has no data object.", json.RootElement.GetProperty("errorMessage").GetString());
                var warning = Assert.Single(lines.Lines, l => l.Contains("\"Warning\"", StringComparison.Ordinal));
                Assert.Contains("req-eb-1", warning, StringComparison.Ordinal);
                Assert.Contains("The event has no data object.", warning, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Invoke_BodyOverTheLimit_404NamingTheLimit()
    {
        var (app, client) = await StartAsync(b => b.AddFunction<EchoEventFunction>());
        await using (app)
        using (client)
        {
            var huge = """{"specversion":"1.0","data":""" + "\"" + new string('x', CustomRuntimeAdapter.MaxBodyBytes) + "\"}";
            var (response, json) = await SendAsync(client, huge);
            using (response)
            using (json)
            {
                Assert.Equal("404", response.Headers.GetValues("x-fc-status").Single());
                Assert.Equal("InvalidEvent", json.RootElement.GetProperty("errorType").GetString());
                Assert.Contains("1024 KiB", json.RootElement.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void AddFunction_TwoEventFunctions_Refused()
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.AddFunction<EchoEventFunction>();

        var e = Assert.Throws<InvalidOperationException>(() => builder.AddFunction<SecondEventFunction>());

        Assert.Contains("Only one EventBridge function", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddFunction_PatternNotAJsonObject_RefusedNamingTheClass()
    {
        var builder = FunctionsApplication.CreateBuilder([]);

        var array = Assert.Throws<InvalidOperationException>(() => builder.AddFunction<BadPatternEventFunction>());
        var text = Assert.Throws<InvalidOperationException>(() => builder.AddFunction<NotJsonPatternEventFunction>());

        Assert.Contains("BadPatternEventFunction", array.Message, StringComparison.Ordinal);
        Assert.Contains("JSON object", array.Message, StringComparison.Ordinal);
        Assert.Contains("NotJsonPatternEventFunction", text.Message, StringComparison.Ordinal);
        Assert.Contains("not JSON", text.Message, StringComparison.Ordinal);
    }
}
