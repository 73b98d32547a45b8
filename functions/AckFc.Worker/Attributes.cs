namespace AckFc.Worker;

/// <summary>Names a function; the name is what s.yaml deploys and logs show.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FunctionAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>Marks the request parameter of a function called through a Function Compute HTTP trigger.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class HttpTriggerAttribute(params string[] methods) : Attribute
{
    public IReadOnlyList<string> Methods { get; } = methods;
}

/// <summary>Marks the timer parameter of a function called by a Function Compute timer trigger.</summary>
/// <param name="schedule">The trigger's cron: six fields with seconds, optionally prefixed <c>CRON_TZ=&lt;zone&gt; </c>.</param>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class TimerTriggerAttribute(string schedule) : Attribute
{
    public string Schedule { get; } = schedule;
}

/// <summary>A function served through an HTTP trigger.</summary>
public interface IHttpFunction
{
    Task<HttpResponseData> RunAsync(HttpRequestData request, FunctionContext context);
}

/// <summary>A function invoked by events (timer) through <c>/invoke</c>. Throwing marks the invocation failed (404 + x-fc-status).</summary>
public interface ITimerFunction
{
    /// <summary>Returns the UTF-8 JSON body of the answer (bytes, or <see cref="ResponseBody.Json{T}"/> to stream it).</summary>
    Task<ResponseBody> RunAsync(TimerInfo timer, FunctionContext context);
}

/// <summary>What kind of trigger a function has.</summary>
public enum TriggerKind
{
    Http,
    Timer,
}

/// <summary>A registered function as declared in code, for the host's routing and the s.yaml drift test.</summary>
public sealed record FunctionMetadata(string Name, TriggerKind Trigger, IReadOnlyList<string> Methods, string? Schedule, Type FunctionType);
