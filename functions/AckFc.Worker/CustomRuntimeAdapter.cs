using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AckFc.Worker;

/// <summary>
/// Speaks Function Compute's custom-runtime contract: routes on <c>x-fc-control-path</c> (by path when absent),
/// answers events with <c>x-fc-status</c>, prints the <c>FC Invoke Start/End</c> lines, and gives every invocation its
/// own DI scope, context and cancellation.
/// </summary>
internal sealed partial class CustomRuntimeAdapter(
    IReadOnlyList<FunctionRegistration> functions,
    IReadOnlyList<FunctionMiddleware> middleware,
    IReadOnlyList<HttpMiddleware> httpMiddleware,
    IServiceProvider services,
    ILoggerFactory loggers,
    TimeProvider time,
    ConsoleLines output)
{
    /// <summary>Event bodies are read up to this size; past it the function is told so.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>
    /// HTTP bodies (the webhook's, unauthenticated until read) are read up to this size and no further: a larger
    /// <c>Content-Length</c> is refused before a byte is read, a chunked body is cut at the limit (webhook: 413).
    /// </summary>
    public const int MaxHttpBodyBytes = 64 * 1024;

    /// <summary>Bodies refused as too slow or malformed are logged at most once per this interval, with the count.</summary>
    public static readonly TimeSpan BadBodyLogInterval = TimeSpan.FromMinutes(1);

    /// <summary>Stop this long before Function Compute's deadline, to answer instead of being killed.</summary>
    public static readonly TimeSpan DeadlineMargin = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The margin before the deadline at which <see cref="FunctionContext.CancellationToken"/> fires: <see cref="DeadlineMargin"/>,
    /// but never more than a quarter of a short timeout (a 3 s invocation keeps 2.25 s of work).
    /// </summary>
    public static TimeSpan MarginFor(TimeSpan timeout) => TimeSpan.FromTicks(Math.Min(DeadlineMargin.Ticks, timeout.Ticks / 4));

    private static readonly ResponseBody Healthy = ResponseBody.FromBytes("{\"status\":\"ok\"}"u8.ToArray());

    private readonly ILogger logger = loggers.CreateLogger("AckFc.Worker");
    private readonly FunctionRegistration[] routes = [.. functions.Where(f => f.Trigger == TriggerKind.Http)];
    private readonly FunctionRegistration? timer = functions.FirstOrDefault(f => f.Trigger == TriggerKind.Timer);
    private readonly FunctionRegistration? cloudEvents = functions.FirstOrDefault(f => f.Trigger == TriggerKind.EventBridge);

    public async Task HandleAsync(HttpContext http)
    {
        var controlPath = http.Request.Headers["x-fc-control-path"].ToString();
        var path = http.Request.Path.Value ?? "/";
        var kind = controlPath.Length > 0 ? controlPath : path switch
        {
            "/invoke" when HttpMethods.IsPost(http.Request.Method) => "/invoke",
            "/initialize" when HttpMethods.IsPost(http.Request.Method) => "/initialize",
            "/pre-stop" when HttpMethods.IsGet(http.Request.Method) => "/pre-stop",
            _ => "/http-invoke",
        };
        // The id goes into log lines, scopes and sweep ids: a caller reaching the port directly must not forge lines.
        var requestId = InvocationIds.Sanitise(Header(http, "x-fc-request-id")) ?? Guid.NewGuid().ToString("n");
        switch (kind)
        {
            case "/initialize":
                output.WriteLine($"FC Initialize Start RequestId: {requestId}");
                output.WriteLine($"FC Initialize End RequestId: {requestId}");
                http.Response.StatusCode = 200;
                return;
            case "/pre-stop":
                output.WriteLine($"FC PreStop Start RequestId: {requestId}");
                output.WriteLine($"FC PreStop End RequestId: {requestId}");
                http.Response.StatusCode = 200;
                return;
            case "/invoke":
                await InvokeEventAsync(http, requestId);
                return;
            default:
                if (path == "/healthz" && HttpMethods.IsGet(http.Request.Method))
                {
                    // Liveness on every instance, whatever it serves: no auth, no cloud calls.
                    await Write(http, 200, "application/json", Healthy);
                    return;
                }

                await InvokeHttpAsync(http, requestId);
                return;
        }
    }

    private async Task InvokeEventAsync(HttpContext http, string requestId)
    {
        output.WriteLine($"FC Invoke Start RequestId: {requestId}");
        var usage = InvocationUsage.Start(time);
        var finished = false;
        void Finish()
        {
            // Every line of the invocation is out before its answer completes (FC may freeze the instance then).
            if (!finished)
            {
                finished = true;
                usage.Log(logger, requestId);
                output.WriteLine($"FC Invoke End RequestId: {requestId}");
            }
        }

        try
        {
            if (timer is null && cloudEvents is null)
            {
                await EventFailure(http, "NoEventFunction", "This instance serves no event function (see ACKFC_FUNCTION).", finish: Finish);
                return;
            }

            var body = await ReadBodyAsync(http.Request, MaxBodyBytes);
            if (body.TooLarge)
            {
                throw new InvalidEventException($"The event body is larger than {MaxBodyBytes / 1024} KiB.");
            }

            // contracts §2: a CloudEvent (an object with specversion) or a top-level array is EventBridge's; the rest
            // is the timer's. With one kind registered, that one gets every event and judges the body itself.
            var target = timer is null ? cloudEvents! : cloudEvents is null ? timer : EventInfo.IsCloudEventShaped(body.Bytes) ? cloudEvents : timer;
            ResponseBody? answer = null;
            if (target.Trigger == TriggerKind.EventBridge)
            {
                var info = new EventInfo(body.Bytes);
                await RunAsync(http, requestId, target.Name, async context => answer = await ((IEventFunction)target.Create(context.InstanceServices)).RunAsync(info, context));
            }
            else
            {
                var info = TimerInfo.Parse(body.Bytes);
                await RunAsync(http, requestId, target.Name, async context => answer = await ((ITimerFunction)target.Create(context.InstanceServices)).RunAsync(info, context));
            }

            http.Response.Headers["x-fc-status"] = "200";
            await Write(http, 200, "application/json", answer ?? ResponseBody.Empty, Finish);
        }
        catch (InvalidEventException e)
        {
            // One Warning line: a malformed event is worth seeing in the logs, and it changes nothing.
            LogInvalidEvent(logger, requestId, Mask(http, e.Message));
            await EventFailure(http, "InvalidEvent", e.Message, finish: Finish);
        }
        catch (EventFailedException e)
        {
            LogEventFailed(logger, requestId, e.ErrorType, Mask(http, e.Message));
            await EventFailure(http, e.ErrorType, e.Message, e.Body, Finish);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The caller is gone; nobody reads an answer.
        }
        catch (Exception e)
        {
            LogUnhandled(logger, e.GetType().Name, requestId, Mask(http, Describe(e)));
            await EventFailure(http, e.GetType().Name, "The function failed; see the function's logs for request " + requestId + ".", finish: Finish);
        }
        finally
        {
            Finish();
        }
    }

    private async Task InvokeHttpAsync(HttpContext http, string requestId)
    {
        output.WriteLine($"FC Invoke Start RequestId: {requestId}");
        var finished = false;
        void Finish()
        {
            if (!finished)
            {
                finished = true;
                output.WriteLine($"FC Invoke End RequestId: {requestId}");
            }
        }

        try
        {
            if (routes.Length == 0)
            {
                await Write(http, HttpResponseData.Problem(404, "Not Found", "This instance serves no HTTP function (see ACKFC_FUNCTION)."), Finish);
                return;
            }

            (byte[] Bytes, bool TooLarge) body;
            try
            {
                body = await ReadBodyAsync(http.Request, MaxHttpBodyBytes);
            }
            catch (BadHttpRequestException e)
            {
                // A body slower than Kestrel's minimum data rate (408) or broken framing (400): the caller's fault,
                // unauthenticated, so it must not flood the log: a Warning at most once a minute, with the count.
                NoteBadBody(e.StatusCode);
                if (!http.Response.HasStarted)
                {
                    var status = e.StatusCode is 408 ? 408 : 400;
                    await Write(http, HttpResponseData.Problem(status, status == 408 ? "Request Timeout" : "Bad Request",
                        status == 408 ? "The request body arrived too slowly." : "The request body could not be read."));
                }

                return;
            }

            var target = http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (http.Request.Path + http.Request.QueryString).ToString();
            var path = http.Request.Path.Value ?? "/";
            var (function, values, refusal) = Route(target, path, http.Request.Method);
            if (refusal is null && body.TooLarge)
            {
                refusal = HttpResponseData.Problem(413, "Content Too Large", $"The body is larger than {MaxHttpBodyBytes / 1024} KiB.");
            }

            if (refusal is not null)
            {
                await Write(http, refusal, Finish);
                return;
            }

            var request = new HttpRequestData
            {
                Method = http.Request.Method,
                PathAndQuery = target,
                Path = path,
                Headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                Body = body.Bytes,
                RouteValues = values!,
            };
            HttpResponseData? response = null;
            await RunAsync(http, requestId, function!.Name, async context =>
            {
                Func<Task<HttpResponseData>> next = () => ((IHttpFunction)function.Create(context.InstanceServices)).RunAsync(request, context);
                for (var i = httpMiddleware.Count - 1; i >= 0; i--)
                {
                    var step = httpMiddleware[i];
                    var inner = next;
                    next = () => step(request, context, inner);
                }

                response = await next();
            });
            await Write(http, response!, Finish);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // Never show internals to a caller: the log has the type, the (masked) message and the request id.
            LogUnhandled(logger, e.GetType().Name, requestId, Mask(http, Describe(e)));
            if (!http.Response.HasStarted)
            {
                // Function Compute counts the invocation as failed only with x-fc-status 404.
                http.Response.Headers["x-fc-status"] = "404";
                await Write(http, HttpResponseData.Problem(500, "Internal Server Error", "The function failed; quote request id " + requestId + "."), Finish);
            }
        }
        finally
        {
            Finish();
        }
    }

    /// <summary>
    /// The HTTP class serving <paramref name="rawTarget"/> and <paramref name="method"/> with its route values, or the
    /// answer refusing the request: 404 when no route matches the path, 405 (with <c>Allow</c>) when none takes the method.
    /// </summary>
    private (FunctionRegistration? Function, Dictionary<string, string>? Values, HttpResponseData? Refusal) Route(string rawTarget, string path, string method)
    {
        var segments = RouteTemplate.RawSegments(rawTarget);
        List<string>? allowed = null;
        foreach (var route in routes)
        {
            var values = route.Template is null ? new Dictionary<string, string>(StringComparer.Ordinal) : route.Template.Match(segments);
            if (values is null)
            {
                continue;
            }

            if (route.Methods.Contains(method, StringComparer.Ordinal))
            {
                return (route, values, null);
            }

            allowed ??= [];
            allowed.AddRange(route.Methods.Except(allowed, StringComparer.Ordinal));
        }

        if (allowed is not null)
        {
            return (null, null, HttpResponseData.Problem(405, "Method Not Allowed", $"{path} takes {string.Join(" or ", allowed)}.")
                .WithHeader("Allow", string.Join(", ", allowed)));
        }

        var known = string.Join(", ", routes.Select(r => $"{string.Join('|', r.Methods)} /{r.Template?.Text}"));
        return (null, null, HttpResponseData.Problem(404, "Not Found", $"No route {path}. Routes: {known}, GET /healthz."));
    }

    private async Task RunAsync(HttpContext http, string requestId, string functionName, Func<FunctionContext, Task> invoke)
    {
        var now = time.GetUtcNow();
        DateTimeOffset? deadline = null;
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        if (double.TryParse(Header(http, "x-fc-function-timeout"), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            deadline = now.AddSeconds(seconds);
            var timeout = TimeSpan.FromSeconds(seconds);
            cancellation.CancelAfter(timeout - MarginFor(timeout));
        }

        var id = Header(http, "x-fc-access-key-id");
        var secret = Header(http, "x-fc-access-key-secret");
        await using var scope = services.CreateAsyncScope();
        var context = new FunctionContext
        {
            InvocationId = requestId,
            FunctionName = Header(http, "x-fc-function-name") ?? functionName,
            Region = Header(http, "x-fc-region"),
            AccountId = Header(http, "x-fc-account-id"),
            Qualifier = Header(http, "x-fc-qualifier"),
            RetryCount = int.TryParse(Header(http, "x-fc-retry-count"), NumberStyles.None, CultureInfo.InvariantCulture, out var retries) ? retries : 0,
            Credentials = id is not null && secret is not null ? new FcCredentials(id, secret, Header(http, "x-fc-security-token")) : null,
            Deadline = deadline,
            CancellationToken = cancellation.Token,
            InstanceServices = scope.ServiceProvider,
        };

        using var logScope = logger.BeginScope(new Dictionary<string, object> { ["RequestId"] = requestId, ["Function"] = functionName });
        Func<Task> next = () => invoke(context);
        for (var i = middleware.Count - 1; i >= 0; i--)
        {
            var step = middleware[i];
            var inner = next;
            next = () => step(context, inner);
        }

        await next();
    }

    private static async Task EventFailure(HttpContext http, string type, string message, ResponseBody? answer = null, Action? finish = null)
    {
        if (http.Response.HasStarted)
        {
            // A streamed answer broke off after its headers: the truncated body fails the caller's JSON parse.
            http.Abort();
            return;
        }

        http.Response.Headers["x-fc-status"] = "404";
        var body = answer ?? JsonSerializer.SerializeToUtf8Bytes(new EventError(message, type), WorkerJsonContext.Default.EventError);
        await Write(http, 404, "application/json", body, finish);
    }

    /// <summary>An exception's own message and those of its inner exceptions, bounded; never its stack or data.</summary>
    internal static string Describe(Exception e)
    {
        var text = new StringBuilder(e.Message);
        var depth = 0;
        for (var inner = e.InnerException; inner is not null && depth < 3; inner = inner.InnerException, depth++)
        {
            text.Append(" (").Append(inner.GetType().Name).Append(": ").Append(inner.Message).Append(')');
        }

        return text.Length > 2000 ? text.ToString(0, 2000) + "…" : text.ToString();
    }

    /// <summary>The invocation's own credentials, then whatever the host registered, masked out of <paramref name="text"/>.</summary>
    private string Mask(HttpContext http, string text)
    {
        text = SecretMasking.Mask(text, [Header(http, "x-fc-access-key-secret"), Header(http, "x-fc-security-token")]);
        foreach (var masker in services.GetServices<ISecretMasker>())
        {
            text = masker.Mask(text);
        }

        return text;
    }

    private static async Task Write(HttpContext http, HttpResponseData response, Action? finish = null)
    {
        foreach (var (name, value) in response.Headers)
        {
            http.Response.Headers[name] = value;
        }

        await Write(http, response.StatusCode, response.ContentType, response.Body, finish);
    }

    /// <param name="finish">Writes the invocation's last lines. A body of known length completes the answer with its last
    /// byte, so they go first; a streamed (chunked) body completes only when the handler returns, after them.</param>
    private static async Task Write(HttpContext http, int status, string contentType, ResponseBody body, Action? finish = null)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = contentType;
        // A streamed body goes out chunked: nothing is buffered to learn its length first.
        http.Response.ContentLength = body.Length;
        if (body.Length is not null)
        {
            finish?.Invoke();
        }

        await body.WriteToAsync(http.Response.Body, http.RequestAborted);
    }

    private static string? Header(HttpContext http, string name)
    {
        var value = http.Request.Headers[name].ToString();
        return value.Length == 0 ? null : value;
    }

    /// <summary>
    /// Reads the body up to <paramref name="limit"/> bytes. A <c>Content-Length</c> over the limit is refused without
    /// reading; otherwise at most limit + 1 bytes are ever held, and the buffer is the body's own size.
    /// </summary>
    private static async Task<(byte[] Bytes, bool TooLarge)> ReadBodyAsync(HttpRequest request, int limit)
    {
        if (request.ContentLength is { } declared)
        {
            if (declared > limit)
            {
                return ([], true);
            }

            var exact = new byte[declared];
            await request.Body.ReadExactlyAsync(exact, request.HttpContext.RequestAborted);
            return (exact, false);
        }

        var buffer = new byte[Math.Min(limit + 1, 16 * 1024)];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > limit)
                {
                    return ([], true);
                }

                Array.Resize(ref buffer, Math.Min(limit + 1, buffer.Length * 2));
            }

            var read = await request.Body.ReadAsync(buffer.AsMemory(length), request.HttpContext.RequestAborted);
            if (read == 0)
            {
                break;
            }

            length += read;
        }

        return length > limit ? ([], true) : (buffer[..length], false);
    }

    private long badBodies;
    private long lastBadBodyLog = long.MinValue;

    private void NoteBadBody(int status)
    {
        var count = Interlocked.Increment(ref badBodies);
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref lastBadBodyLog);
        if ((last == long.MinValue || time.GetElapsedTime(last, now) >= BadBodyLogInterval)
            && Interlocked.CompareExchange(ref lastBadBodyLog, now, last) == last)
        {
            Interlocked.Exchange(ref badBodies, 0);
            LogBadBodies(logger, count, status, BadBodyLogInterval.TotalSeconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Count} request bodies as too slow or malformed (last status {Status}); at most one such line per {Seconds} s")]
    private static partial void LogBadBodies(ILogger logger, long count, int status, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled {ExceptionType} in invocation {RequestId}: {ErrorMessage}")]
    private static partial void LogUnhandled(ILogger logger, string exceptionType, string requestId, string errorMessage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invocation {RequestId} refused its event (InvalidEvent): {ErrorMessage}")]
    private static partial void LogInvalidEvent(ILogger logger, string requestId, string errorMessage);

    [LoggerMessage(Level = LogLevel.Error, Message = "Invocation {RequestId} failed ({ErrorType}): {ErrorMessage}")]
    private static partial void LogEventFailed(ILogger logger, string requestId, string errorType, string errorMessage);
}
