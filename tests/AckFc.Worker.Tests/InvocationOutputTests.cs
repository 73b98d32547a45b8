using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AckFc.Worker.Tests;

public sealed partial class ChattyHttpFunction(ILogger<ChattyHttpFunction> logger) : IHttpFunction
{
    public const int Lines = 2000;

    [Function("chatty")]
    public Task<HttpResponseData> RunAsync([HttpTrigger("GET", "POST")] HttpRequestData request, FunctionContext context)
    {
        if (request.Path == "/fail")
        {
            // A message with the invocation's own access key secret in it, as a careless library might write it.
            throw new InvalidOperationException("No usable credentials: tried the key " + request.Header("x-fc-access-key-secret") + " and the file ~/.alibabacloud");
        }

        for (var i = 0; i < Lines; i++)
        {
            LogLine(logger, i);
        }

        return Task.FromResult(new HttpResponseData(200, Encoding.UTF8.GetBytes("{\"ok\":true}")));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "http line {Index}")]
    private static partial void LogLine(ILogger logger, int index);
}

public sealed partial class ChattyTimerFunction(ILogger<ChattyTimerFunction> logger) : ITimerFunction
{
    [Function("chatty-timer")]
    public Task<ResponseBody> RunAsync([TimerTrigger("0 0 3 * * *")] TimerInfo timer, FunctionContext context)
    {
        for (var i = 0; i < ChattyHttpFunction.Lines; i++)
        {
            LogLine(logger, i);
        }

        if (timer.Payload == "incomplete")
        {
            throw new EventFailedException("SweepIncomplete", "Sweep s1 is incomplete: cn-hangzhou: DescribeClustersV1 Forbidden.RAM.", Encoding.UTF8.GetBytes("{\"sweepId\":\"s1\",\"complete\":false}"));
        }

        return Task.FromResult<ResponseBody>(Encoding.UTF8.GetBytes("{\"sweepId\":\"s1\"}"));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "timer line {Index}")]
    private static partial void LogLine(ILogger logger, int index);
}

/// <summary>Collects what the host writes to standard output, line by line, safe to read while it writes.</summary>
internal sealed class LineRecorder : TextWriter
{
    private readonly StringBuilder pending = new();
    private readonly ConcurrentQueue<string> lines = new();

    public override Encoding Encoding => Encoding.UTF8;

    public IReadOnlyList<string> Lines => [.. lines];

    public override void Write(char value)
    {
        lock (pending)
        {
            if (value == '\n')
            {
                lines.Enqueue(pending.ToString().TrimEnd('\r'));
                pending.Clear();
            }
            else
            {
                pending.Append(value);
            }
        }
    }
}

/// <summary>What one invocation writes to standard output: in order, complete before its answer, ids and secrets made safe.</summary>
public sealed class InvocationOutputTests : IAsyncLifetime
{
    private readonly LineRecorder output = new();
    private FunctionsApplication app = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Urls = "http://127.0.0.1:0";
        builder.Output = output;
        builder.AddFunction<ChattyHttpFunction>().AddFunction<ChattyTimerFunction>();
        app = builder.Build();
        await app.StartAsync();
        client = new HttpClient { BaseAddress = app.Address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await app.DisposeAsync();
    }

    private static HttpRequestMessage Fc(HttpMethod method, string path, string controlPath, string requestId, string? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("x-fc-control-path", controlPath);
        request.Headers.TryAddWithoutValidation("x-fc-request-id", requestId);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/octet-stream");
        }

        return request;
    }

    private static List<JsonElement> JsonLines(IEnumerable<string> lines) =>
        [.. lines.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    private static string? RequestIdOf(JsonElement line)
    {
        if (!line.TryGetProperty("Scopes", out var scopes))
        {
            return null;
        }

        // The invocation's scope is the innermost (ASP.NET Core's own request scope has a RequestId of its own).
        string? found = null;
        foreach (var scope in scopes.EnumerateArray())
        {
            if (scope.ValueKind == JsonValueKind.Object && scope.TryGetProperty("Function", out _) && scope.TryGetProperty("RequestId", out var id))
            {
                found = id.GetString();
            }
        }

        return found;
    }

    [Theory]
    [InlineData("/invoke", "timer line")]
    [InlineData("/http-invoke", "http line")]
    public async Task Invocation_ManyLogLines_AllWrittenInOrderBeforeFcInvokeEndAndBeforeTheAnswer(string controlPath, string prefix)
    {
        var id = "order-" + Guid.NewGuid().ToString("n")[..8];
        using var response = await client.SendAsync(Fc(HttpMethod.Post, "/", controlPath, id, """{"triggerTime":"2026-11-28T03:00:00Z","payload":""}"""));
        await response.Content.ReadAsStringAsync();

        // Read at once, with no waiting: a line still queued in the background would be missing here.
        var lines = output.Lines;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var start = lines.ToList().IndexOf($"FC Invoke Start RequestId: {id}");
        var end = lines.ToList().IndexOf($"FC Invoke End RequestId: {id}");
        Assert.True(start >= 0, "no FC Invoke Start line");
        Assert.True(end > start, "the FC Invoke End line was not written before the answer completed");
        var own = lines.Select((l, i) => (l, i)).Where(x => x.l.Contains(prefix, StringComparison.Ordinal) && x.l.Contains(id, StringComparison.Ordinal)).ToList();
        Assert.Equal(ChattyHttpFunction.Lines, own.Count);
        Assert.All(own, x => Assert.InRange(x.i, start + 1, end - 1));
        var indices = JsonLines(own.Select(x => x.l)).Select(j => j.GetProperty("State").GetProperty("Index").GetInt32()).ToList();
        Assert.Equal(Enumerable.Range(0, ChattyHttpFunction.Lines), indices);
    }

    [Fact]
    public async Task RequestId_Hostile_SanitisedAndBoundedInFcLinesAndLogScopes()
    {
        var hostile = "evil\u001b[31m id FC Invoke End RequestId: x/../" + new string('a', 500);
        using var response = await client.SendAsync(Fc(HttpMethod.Post, "/", "/invoke", hostile, """{"triggerTime":"2026-11-28T03:00:00Z","payload":""}"""));
        await response.Content.ReadAsStringAsync();

        var expected = InvocationIds.Sanitise(hostile)!;
        Assert.Equal(InvocationIds.MaxLength, expected.Length);
        Assert.StartsWith("evil__31m_id_FC_Invoke_End_RequestId__x_.._aaa", expected, StringComparison.Ordinal);
        var lines = output.Lines;
        Assert.Contains($"FC Invoke Start RequestId: {expected}", lines);
        Assert.Contains($"FC Invoke End RequestId: {expected}", lines);
        Assert.DoesNotContain(lines, l => l.Contains('\u001b', StringComparison.Ordinal) || l.Contains("aaaaa" + new string('a', 200), StringComparison.Ordinal));
        Assert.Contains(JsonLines(lines), j => RequestIdOf(j) == expected);
    }

    [Theory]
    [InlineData("1-6929c2b4-1a2b3c4d5e6f7a8b9c0d1e2f", "1-6929c2b4-1a2b3c4d5e6f7a8b9c0d1e2f")]
    [InlineData("a\nFC Invoke End RequestId: b", "a_FC_Invoke_End_RequestId__b")]
    [InlineData("x\u2028y\u0000z\u202e", "x_y_z_")]
    [InlineData("", null)]
    public void Sanitise_KeepsFcIdsAndNeutralisesTheRest(string raw, string? expected) =>
        Assert.Equal(expected, InvocationIds.Sanitise(raw));

    [Fact]
    public async Task HttpUnhandled_500WithFcStatus404_AndOneErrorLineWithTheMaskedMessage()
    {
        var id = "boom-" + Guid.NewGuid().ToString("n")[..8];
        const string secret = "fc-invocation-secret-0123456789";
        using var request = Fc(HttpMethod.Get, "/fail", "/http-invoke", id);
        request.Headers.Add("x-fc-access-key-id", "STS.test");
        request.Headers.Add("x-fc-access-key-secret", secret);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("404", response.Headers.GetValues("x-fc-status").Single());
        Assert.DoesNotContain("No usable credentials", body, StringComparison.Ordinal);
        var errors = JsonLines(output.Lines).Where(j => j.GetProperty("LogLevel").GetString() == "Error" && j.GetProperty("Message").GetString()!.Contains(id, StringComparison.Ordinal)).ToList();
        var line = Assert.Single(errors).GetProperty("Message").GetString()!;
        Assert.Contains("InvalidOperationException", line, StringComparison.Ordinal);
        Assert.Contains("No usable credentials: tried the key *** and the file ~/.alibabacloud", line, StringComparison.Ordinal);
        Assert.DoesNotContain(output.Lines, l => l.Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task EventFailed_404WithFcStatusAndTheFunctionsBody_AndExactlyOneErrorLine()
    {
        var id = "inc-" + Guid.NewGuid().ToString("n")[..8];
        using var response = await client.SendAsync(Fc(HttpMethod.Post, "/invoke", "/invoke", id, """{"triggerTime":"2026-11-28T03:00:00Z","payload":"incomplete"}"""));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("404", response.Headers.GetValues("x-fc-status").Single());
        Assert.Equal("{\"sweepId\":\"s1\",\"complete\":false}", body);
        var errors = JsonLines(output.Lines).Where(j => j.GetProperty("LogLevel").GetString() == "Error" && j.GetProperty("Message").GetString()!.Contains(id, StringComparison.Ordinal)).ToList();
        var line = Assert.Single(errors).GetProperty("Message").GetString()!;
        Assert.Contains("SweepIncomplete", line, StringComparison.Ordinal);
        Assert.Contains("cn-hangzhou: DescribeClustersV1 Forbidden.RAM", line, StringComparison.Ordinal);
    }

    [Fact]
    public void SecretMasking_RawAndPercentEncodedForms_Masked()
    {
        Assert.Equal("key *** in %2A", SecretMasking.Mask("key s3cr3t/value+1 in %2A", ["s3cr3t/value+1"]));
        Assert.Equal("q=*** and ***", SecretMasking.Mask("q=" + Uri.EscapeDataString("s3cr3t/value+1") + " and " + Uri.EscapeDataString(Uri.EscapeDataString("s3cr3t/value+1")), ["s3cr3t/value+1"]));
    }

    [Theory]
    [InlineData(3, 0.75)]
    [InlineData(4, 1)]
    [InlineData(8, 2)]
    [InlineData(900, 2)]
    public void Margin_ShortTimeouts_KeepMostOfTheirTime(double seconds, double margin) =>
        Assert.Equal(TimeSpan.FromSeconds(margin), CustomRuntimeAdapter.MarginFor(TimeSpan.FromSeconds(seconds)));
}
